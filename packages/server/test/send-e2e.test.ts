// Sending end to end, as a user runs it: `pnpm bridge --replay` (the demo stream ingested into its
// SQLite store, a simulated socket, the stand-in media CDN) and the bundled MCP server, each a real
// process, the server driven by an SDK client over stdio and reading what the bridge stored.
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { Health } from "@whatsapp-mcp/core/api"

const bin = resolve(__dirname, "../dist/bundle/whatsapp-mcp.mjs")
// What `pnpm bridge` runs.
const bridgeBin = resolve(__dirname, "../../bridge/dist/bundle/bridge.mjs")
const fixtures = resolve(__dirname, "../../../fixtures")
const picture = join(fixtures, "media/market.jpg")
const pictureSha256 = createHash("sha256").update(readFileSync(picture)).digest("hex")

const zoe = "12025550101@s.whatsapp.net"
const zoePhoto = "D0D1550D72AAD8847C63546F22C8E8A0"

const work = realpathSync(mkdtempSync(join(tmpdir(), "send-e2e-")))
const storeDir = join(work, "store")
const outbox = join(work, "outbox")
const elsewhere = join(work, "elsewhere")

let bridge: ChildProcess
let bridgeExited: Promise<unknown>
let client: Client

interface Message {
  readonly id: string
  readonly from_me: boolean
  readonly text: string | null
  readonly kind: string
  readonly quoted: { readonly id: string } | null
  readonly reactions?: ReadonlyArray<{ readonly emoji: string; readonly sender: string }>
}

const call = async (name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args })
  const text = (result.content as Array<{ readonly text?: string }>).map((c) => c.text ?? "").join("\n")
  // biome-ignore lint/suspicious/noExplicitAny: each tool's structured result is checked by the SDK against its output schema
  return { isError: result.isError === true, text, structured: result.structuredContent as any }
}

const zoeMessages = async (): Promise<ReadonlyArray<Message>> =>
  (await call("list_messages", { chat_jid: zoe, limit: 50, include_context: false })).structured.messages

/** The bridge stores its own echo of a send a moment later, as WhatsApp delivers it: wait for it. */
const eventually = async <A>(read: () => Promise<A | undefined>): Promise<A> => {
  for (let i = 0; i < 100; i++) {
    const value = await read()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error("the store never showed the expected change")
}

beforeAll(async () => {
  for (const dir of [outbox, elsewhere]) mkdirSync(dir)
  writeFileSync(join(outbox, "market.jpg"), readFileSync(picture))
  writeFileSync(join(elsewhere, "secret.txt"), "private")
  symlinkSync(join(elsewhere, "secret.txt"), join(outbox, "innocent.txt"))

  bridge = spawn(
    process.execPath,
    [
      ...[bridgeBin, "--replay", join(fixtures, "demo/demo.jsonl"), "--store", storeDir, "--port", "0"],
      ...["--media", join(fixtures, "media")],
      // The same folder as the MCP server's allowedFileRoots below: each side checks the file itself.
      ...["--allowed-file-roots", outbox],
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  )
  bridgeExited = new Promise((done) => bridge.once("exit", done))
  const url = await new Promise<string>((done, fail) => {
    let log = ""
    bridge.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8")
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1]
      if (found !== undefined) done(found)
    })
    bridge.once("exit", (code) => fail(new Error(`the bridge exited (${code}) before listening:\n${log}`)))
  })
  const token = readFileSync(join(storeDir, "bridge-token"), "utf8").trim()
  await eventually(async () => {
    const health = (await (
      await fetch(`${url}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Health
    return health.connection === "open" ? true : undefined
  })

  const config = join(work, "whatsapp-mcp.config.json")
  writeFileSync(
    config,
    JSON.stringify({
      store: storeDir,
      bridge: { url },
      timezone: "Europe/Paris",
      // The server runs with HOME set to the work directory: `~` is expanded in both places.
      plugins: { send: { allowedFileRoots: ["~/outbox"] } },
    }),
  )
  client = new Client({ name: "send-e2e", version: "1.0.0" })
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, "--config", config],
      env: { PATH: process.env.PATH ?? "", HOME: work },
      stderr: "pipe",
    }),
  )
}, 120_000)

afterAll(async () => {
  await client?.close()
  if (bridge.exitCode === null) bridge.kill("SIGTERM")
  await bridgeExited
})

describe("sending through the replay bridge", () => {
  it("sends a message that the store then holds as the user's own", async () => {
    const sent = await call("send_message", {
      recipient: "+1 202 555 0101",
      message: "On my way to the market!",
    })
    expect(sent.isError, sent.text).toBe(false)
    expect(sent.structured).toMatchObject({ chat_jid: zoe, chat_name: "Zoé Lefèvre", status: "sent" })
    expect(sent.structured.time).toMatch(/\+01:00$/)
    const stored = await eventually(async () =>
      (await zoeMessages()).find((m) => m.id === sent.structured.message_id),
    )
    expect(stored).toMatchObject({ from_me: true, text: "On my way to the market!", kind: "text" })
  })

  it("never sends twice with the same idempotency key", async () => {
    const args = { recipient: zoe, message: "Just once", idempotency_key: "e2e-once" }
    const first = await call("send_message", args)
    const second = await call("send_message", args)
    expect(second.structured.message_id).toBe(first.structured.message_id)
    expect(second.structured.duplicate).toBe(true)
    await eventually(async () =>
      (await zoeMessages()).some((m) => m.text === "Just once") ? true : undefined,
    )
    expect((await zoeMessages()).filter((m) => m.text === "Just once")).toHaveLength(1)
  })

  it("replies to a message, quoting it", async () => {
    const reply = await call("send_message", {
      recipient: zoe,
      message: "They look delicious",
      reply_to_message_id: zoePhoto,
    })
    expect(reply.isError, reply.text).toBe(false)
    const stored = await eventually(async () =>
      (await zoeMessages()).find((m) => m.id === reply.structured.message_id),
    )
    expect(stored.quoted?.id).toBe(zoePhoto)
  })

  it("reacts to a message, then removes the reaction", async () => {
    const reacted = await call("send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "😍" })
    expect(reacted.isError, reacted.text).toBe(false)
    await eventually(async () => {
      const photo = (await zoeMessages()).find((m) => m.id === zoePhoto)
      return photo?.reactions?.some((r) => r.emoji === "😍" && r.sender === "You") ? true : undefined
    })
    await call("send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "" })
    await eventually(async () => {
      const photo = (await zoeMessages()).find((m) => m.id === zoePhoto)
      return photo === undefined || photo.reactions?.some((r) => r.sender === "You") ? undefined : true
    })
  })

  it("marks the whole chat read", async () => {
    const before = (await call("get_chat", { chat_jid: zoe })).structured.chat.unread_count
    expect(before).toBeGreaterThan(0)
    const marked = await call("mark_messages_read", { chat_jid: zoe })
    expect(marked.isError, marked.text).toBe(false)
    expect(marked.structured.marked).toBeGreaterThan(0)
    await eventually(async () =>
      (await call("get_chat", { chat_jid: zoe })).structured.chat.unread_count === 0 ? true : undefined,
    )
  })

  it("sends a file from the allowed folder and refuses one outside it or behind a symlink", async () => {
    const sent = await call("send_file", {
      recipient: zoe,
      media_path: "~/outbox/market.jpg",
      caption: "Look at this",
    })
    expect(sent.isError, sent.text).toBe(false)
    expect(sent.structured.kind).toBe("image")
    const stored = await eventually(async () =>
      (await zoeMessages()).find((m) => m.id === sent.structured.message_id),
    )
    expect(stored).toMatchObject({ from_me: true, kind: "image", text: "Look at this" })
    for (const path of [
      join(elsewhere, "secret.txt"),
      join(outbox, "innocent.txt"),
      join(outbox, "../elsewhere/secret.txt"),
    ]) {
      const refused = await call("send_file", { recipient: zoe, media_path: path })
      expect(refused.isError).toBe(true)
      expect(refused.text).toContain("is not inside the folders files may be sent from")
    }
  })

  it("downloads a fixture photo, decrypted to the original bytes", async () => {
    const downloaded = await call("download_media", { chat_jid: zoe, message_id: zoePhoto })
    expect(downloaded.isError, downloaded.text).toBe(false)
    expect(downloaded.structured.sha256).toBe(pictureSha256)
    const bytes = readFileSync(downloaded.structured.path)
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(pictureSha256)
  })

  it("with the bridge stopped, says so at once, while the read tools keep working", async () => {
    bridge.kill("SIGTERM")
    await bridgeExited
    const first = await call("send_message", { recipient: zoe, message: "Anyone there?" })
    expect(first.isError).toBe(true)
    expect(first.text).toMatch(/not running.*pnpm bridge.*Nothing was sent/)
    const second = await call("send_message", { recipient: zoe, message: "Anyone there?" })
    expect(second.text).toMatch(/not answering.*Tools that read messages still work/)
    const reads = await call("list_messages", { chat_jid: zoe, query: "market", include_context: false })
    expect(reads.isError).toBe(false)
    expect(reads.structured.messages.length).toBeGreaterThan(0)
  })
})
