// The send tools through a real MCP client, on a store the bridge built from the demo stream, against
// a stand-in bridge that answers with the exchanges recorded from the real one (fixtures/bridge-api).
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { checkToolsnaps, type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import { recordedBridge } from "../../../fixtures/src/RecordedBridgeApi.js"
import plugin from "../src/index.js"
import type { Sent } from "../src/SendSchemas.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
const picture = join(__dirname, "../../../fixtures/media/market.jpg")
const bridgeUrl = "http://127.0.0.1:18080"
const bridge = recordedBridge(bridgeUrl)

const zoe = "12025550101@s.whatsapp.net"
const zoeLid = "100000000102313@lid"
const zoePhoto = "D0D1550D72AAD8847C63546F22C8E8A0"
const family = "120363100000000001@g.us"

let storeDir: string
let tokenFile: string
const work = mkdtempSync(join(tmpdir(), "send-tools-"))
// Real paths: the bridge is given the file's real path, and tmpdir may itself be a symlink.
const outbox = realpathSync(mkdtempSync(join(work, "outbox-")))
const elsewhere = realpathSync(mkdtempSync(join(work, "elsewhere-")))
const mounted: Array<{ readonly close: () => Promise<void> }> = []

beforeAll(async () => {
  const store = await storeFromStreams([demo])
  expect(store.problems).toEqual([])
  storeDir = store.storeDir
  tokenFile = join(work, "bridge-token")
  writeFileSync(tokenFile, "recorded-token\n")
  copyFileSync(picture, join(outbox, "market.jpg"))
  writeFileSync(join(outbox, "song.mp3"), "ID3 pretend audio")
  writeFileSync(join(outbox, "empty.pdf"), "")
  writeFileSync(join(elsewhere, "secret.txt"), "private")
  symlinkSync(join(elsewhere, "secret.txt"), join(outbox, "innocent.txt"))
  symlinkSync(elsewhere, join(outbox, "folder-link"))
  mkdirSync(join(outbox, "a-folder"))
})
afterEach(async () => {
  bridge.reset()
  await Promise.all(mounted.splice(0).map((m) => m.close()))
})
afterAll(() => bridge.close())

const serve = async (
  options: Readonly<Record<string, unknown>> = {},
  extra: { readonly readOnly?: boolean } = {},
): Promise<Mounted> => {
  const m = await mountPromise({
    plugins: [[plugin, options]],
    storeDir,
    tokenFile,
    bridgeUrl,
    timezone: "Europe/Paris",
    ...extra,
  })
  mounted.push(m)
  return m
}

interface Called<A> {
  readonly isError: boolean
  readonly text: string
  readonly structured: A
}

const call = async <A = Sent>(
  m: Mounted,
  name: string,
  args: Record<string, unknown>,
): Promise<Called<A>> => {
  const result = await m.client.callTool({ name, arguments: args })
  const text = (result.content as Array<{ readonly text?: string }>).map((c) => c.text ?? "").join("\n")
  return { isError: result.isError === true, text, structured: result.structuredContent as A }
}

const bodies = () => bridge.received.map((r) => r.body as Record<string, unknown>)

describe("send_message", () => {
  it("sends to the person's phone JID however the number is written, and says to whom, when and with which id", async () => {
    bridge.answer("send-text")
    const m = await serve()
    const sent = await call(m, "send_message", { recipient: "+1 (202) 555-0101", message: "On my way!" })
    expect(sent.isError).toBe(false)
    expect(bodies()).toHaveLength(1)
    expect(bodies()[0]).toMatchObject({ recipient: zoe, text: "On my way!" })
    expect(bridge.received[0]?.authorization).toBe("Bearer recorded-token")
    expect(sent.structured).toMatchObject({
      chat_jid: zoe,
      chat_name: "Zoé Lefèvre",
      status: "sent",
      kind: "text",
    })
    expect(sent.structured.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+01:00$/)
    expect(sent.text).toContain("Zoé Lefèvre")
    expect(sent.text).toContain(sent.structured.message_id)
  })

  it("sends to a LID through the phone number the store knows for it", async () => {
    bridge.answer("send-text")
    const m = await serve()
    const sent = await call(m, "send_message", { recipient: zoeLid, message: "On my way!" })
    expect(sent.isError).toBe(false)
    expect(bodies()[0]).toMatchObject({ recipient: zoe })
  })

  it("gives every call its own idempotency key, so a retried call cannot send twice but a second call sends again", async () => {
    bridge.answer("send-text")
    const m = await serve()
    const first = await call(m, "send_message", { recipient: zoe, message: "ok" })
    const second = await call(m, "send_message", { recipient: zoe, message: "ok" })
    const keys = bodies().map((b) => b.idempotency_key)
    expect(keys).toHaveLength(2)
    expect(keys[0]).toMatch(/^whatsapp-mcp-[0-9a-f-]{36}$/)
    expect(keys[0]).not.toBe(keys[1])
    expect(first.structured.idempotency_key).toBe(keys[0])
    expect(second.structured.idempotency_key).toBe(keys[1])
  })

  it("passes the caller's idempotency key, and says when a send with it had already gone out", async () => {
    bridge.answer("send-text-duplicate")
    const m = await serve()
    const again = await call(m, "send_message", {
      recipient: zoe,
      message: "On my way, see you at the market!",
      idempotency_key: "recorded-send-text",
    })
    expect(bodies()[0]).toMatchObject({ idempotency_key: "recorded-send-text" })
    expect(again.structured.duplicate).toBe(true)
    expect(again.text).toMatch(
      /^Already sent earlier with idempotency_key "recorded-send-text" \(nothing new was sent\)/,
    )
  })

  it("refuses a key reused for another message", async () => {
    bridge.answer("send-text-key-reused")
    const m = await serve()
    const reused = await call(m, "send_message", {
      recipient: zoe,
      message: "Something else",
      idempotency_key: "recorded-send-text",
    })
    expect(reused.isError).toBe(true)
    expect(reused.text).toMatch(/Nothing was sent.*already used for a different message/)
  })

  it("replies to a message, and says so when the message to reply to is unknown", async () => {
    bridge.answer("send-text-reply")
    const m = await serve()
    const reply = await call(m, "send_message", {
      recipient: zoe,
      message: "They look delicious 🍑",
      reply_to_message_id: zoePhoto,
    })
    expect(reply.isError).toBe(false)
    expect(bodies()[0]).toMatchObject({ reply_to_message_id: zoePhoto })
    bridge.answer("send-text-reply-not-found")
    const missing = await call(m, "send_message", {
      recipient: zoe,
      message: "Yes",
      reply_to_message_id: "NO-SUCH-MESSAGE",
    })
    expect(missing.isError).toBe(true)
    expect(missing.text).toMatch(/Nothing was sent.*No message NO-SUCH-MESSAGE.*list_messages/)
  })

  it("sends to a group by its JID", async () => {
    bridge.answer("send-text-group")
    const m = await serve()
    const sent = await call(m, "send_message", { recipient: family, message: "Bonjour à tous !" })
    expect(sent.structured).toMatchObject({ chat_jid: family, chat_name: "Famille Lefèvre ❤️" })
  })

  it("says a number is not on WhatsApp and to check it with the user", async () => {
    bridge.answer("send-text-not-on-whatsapp")
    const m = await serve()
    const result = await call(m, "send_message", { recipient: "+44 7700 900123", message: "Hello" })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/Nothing was sent.*is not on WhatsApp.*check the number/)
  })

  it("refuses what is not a recipient before asking the bridge, naming the argument", async () => {
    const m = await serve()
    const result = await call(m, "send_message", { recipient: "call me maybe", message: "Hello" })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/"recipient".*not a phone number or JID/)
    const national = await call(m, "send_message", { recipient: "07700 900123", message: "Hello" })
    expect(national.text).toMatch(/"recipient".*national number.*add the country code/)
    const channel = await call(m, "send_message", {
      recipient: "120363000000000001@newsletter",
      message: "Hello",
    })
    expect(channel.text).toMatch(/"recipient".*newsletter; messages go to a person or a group/)
    expect(bridge.received).toHaveLength(0)
  })

  it("reads a tel: or wa.me link as the number it carries", async () => {
    bridge.answer("send-text")
    const m = await serve()
    const sent = await call(m, "send_message", {
      recipient: "https://wa.me/12025550101",
      message: "On my way!",
    })
    expect(sent.isError).toBe(false)
    expect(bodies()[0]).toMatchObject({ recipient: zoe })
  })

  it("refuses an empty message and one above maxMessageLength, naming the config key", async () => {
    const m = await serve({ maxMessageLength: 10 })
    const blank = await call(m, "send_message", { recipient: zoe, message: "   " })
    expect(blank.text).toMatch(/"message".*empty/)
    const long = await call(m, "send_message", { recipient: zoe, message: "far more than ten characters" })
    expect(long.isError).toBe(true)
    expect(long.text).toMatch(/"message".*28 characters.*plugins\.send\.maxMessageLength/)
    // Characters as people count them: ten emoji are ten characters.
    bridge.answer("send-text")
    const emoji = await call(m, "send_message", { recipient: zoe, message: "🍑".repeat(10) })
    expect(emoji.isError).toBe(false)
    expect(bridge.received).toHaveLength(1)
  })

  it("stops sending above sendsPerMinute, saying how long to wait", async () => {
    bridge.answer("send-text")
    const m = await serve({ sendsPerMinute: 2 })
    expect((await call(m, "send_message", { recipient: zoe, message: "1" })).isError).toBe(false)
    expect((await call(m, "send_message", { recipient: zoe, message: "2" })).isError).toBe(false)
    const third = await call(m, "send_message", { recipient: zoe, message: "3" })
    expect(third.isError).toBe(true)
    expect(third.text).toMatch(/at most 2 messages.*plugins\.send\.sendsPerMinute.*Wait \d+ s/)
    expect(bridge.received).toHaveLength(2)
  })

  it("relays the bridge's own rate limit", async () => {
    bridge.answer("send-text-rate-limited")
    const m = await serve()
    const result = await call(m, "send_message", { recipient: zoe, message: "again" })
    expect(result.text).toMatch(/Nothing was sent.*wait a minute/)
  })
})

describe("allowedRecipients", () => {
  it("lets through a person listed by phone number when addressed by LID or JID", async () => {
    bridge.answer("send-text")
    const m = await serve({ allowedRecipients: ["+1 202 555 0101"] })
    expect((await call(m, "send_message", { recipient: zoeLid, message: "hi" })).isError).toBe(false)
    expect((await call(m, "send_message", { recipient: zoe, message: "hi" })).isError).toBe(false)
    expect(bridge.received).toHaveLength(2)
  })

  it("lets through a person listed by LID when addressed by phone number", async () => {
    bridge.answer("send-text")
    const m = await serve({ allowedRecipients: [zoeLid] })
    expect((await call(m, "send_message", { recipient: "0012025550101", message: "hi" })).isError).toBe(false)
  })

  it("refuses anyone else, and a group of allowed people, saying how to allow them", async () => {
    bridge.answer("send-text")
    const m = await serve({ allowedRecipients: ["+1 202 555 0101"] })
    const other = await call(m, "send_message", { recipient: "+1 202 555 0102", message: "hi" })
    expect(other.isError).toBe(true)
    expect(other.text).toMatch(
      /\+12025550102 is not in the allowed recipients.*adds "\+12025550102" to "allowedRecipients".*plugins\.send/,
    )
    const group = await call(m, "send_message", { recipient: family, message: "hi" })
    expect(group.text).toContain(`${family} is not in the allowed recipients`)
    const reaction = await call(m, "send_reaction", { chat_jid: family, message_id: "x", emoji: "👍" })
    expect(reaction.text).toContain("is not in the allowed recipients")
    expect(bridge.received).toHaveLength(0)
  })

  it("lets through a listed group", async () => {
    bridge.answer("send-text-group")
    const m = await serve({ allowedRecipients: [family] })
    expect((await call(m, "send_message", { recipient: family, message: "hi" })).isError).toBe(false)
  })
})

describe("options in the config file", () => {
  it.each([
    [{ allowedRecipients: ["Zoé"] }, /plugins\.send\.allowedRecipients\.0: .*not a recipient/],
    [
      { allowedRecipients: ["status@broadcast"] },
      /allowedRecipients\.0: .*only people and groups can be allowed/,
    ],
    [
      { allowedFileRoots: ["outbox"] },
      /plugins\.send\.allowedFileRoots\.0: .*absolute directory or start with ~\//,
    ],
    [
      { allowedFileRoots: "~/outbox" },
      /plugins\.send\.allowedFileRoots: expected a list of folders; found "~\/outbox" \(a string\)/,
    ],
    [{ sendsPerMinute: 0 }, /plugins\.send\.sendsPerMinute: expected an integer from 1 to 1000; found 0/],
    [{ maxMessageLength: 100_000 }, /plugins\.send\.maxMessageLength/],
    [
      { allowedRecipent: [] },
      /plugins\.send\.allowedRecipent: unknown key "allowedRecipent" \(did you mean "allowedRecipients"\?\)/,
    ],
  ])("refuses %j at start-up naming the key", async (options, pattern) => {
    await expect(serve(options)).rejects.toThrow(pattern)
  })

  it("read-only mode serves none of the send tools", async () => {
    const m = await serve({}, { readOnly: true })
    expect((await m.client.listTools()).tools).toEqual([])
  })
})

describe("send_file", () => {
  const roots = () => ({ allowedFileRoots: [outbox] })

  it("sends a file below an allowed folder with its caption, giving the bridge its real path", async () => {
    bridge.answer("send-file")
    const m = await serve(roots())
    const sent = await call(m, "send_file", {
      recipient: zoe,
      media_path: join(outbox, "market.jpg"),
      caption: "The market this morning",
    })
    expect(sent.isError).toBe(false)
    expect(bodies()[0]).toMatchObject({
      recipient: zoe,
      path: join(outbox, "market.jpg"),
      caption: "The market this morning",
    })
    expect(sent.structured.kind).toBe("image")
    expect(sent.text).toMatch(/^Sent: Image file to "Zoé Lefèvre"/)
  })

  it("refuses every file while no folder is allowed, saying how to enable file sending", async () => {
    const m = await serve()
    const result = await call(m, "send_file", { recipient: zoe, media_path: join(outbox, "market.jpg") })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/sending files is off.*"allowedFileRoots".*plugins\.send/)
    expect(bridge.received).toHaveLength(0)
  })

  it.each([
    ["a file outside", () => join(elsewhere, "secret.txt")],
    ["a ../ escape", () => join(outbox, "..", elsewhere.split("/").at(-1) ?? "", "secret.txt")],
    ["a symlink to a file outside", () => join(outbox, "innocent.txt")],
    ["a file through a symlinked folder", () => join(outbox, "folder-link", "secret.txt")],
    ["a missing file outside (no probing)", () => join(elsewhere, "nothing-here.txt")],
  ])("refuses %s the allowed folders", async (_, path) => {
    const m = await serve(roots())
    const result = await call(m, "send_file", { recipient: zoe, media_path: path() })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/is not inside the folders files may be sent from/)
    expect(result.text).toContain(outbox)
    expect(bridge.received).toHaveLength(0)
  })

  it("says when a file below an allowed folder does not exist, is a folder, is empty or is too large", async () => {
    const m = await serve({ ...roots(), maxFileBytes: 100 })
    const missing = await call(m, "send_file", { recipient: zoe, media_path: join(outbox, "nope.jpg") })
    expect(missing.text).toMatch(/there is no file at .*nope\.jpg/)
    const folder = await call(m, "send_file", { recipient: zoe, media_path: join(outbox, "a-folder") })
    expect(folder.text).toMatch(/not a regular file/)
    const empty = await call(m, "send_file", { recipient: zoe, media_path: join(outbox, "empty.pdf") })
    expect(empty.text).toMatch(/empty\.pdf is empty/)
    const big = await call(m, "send_file", { recipient: zoe, media_path: join(outbox, "market.jpg") })
    expect(big.text).toMatch(/above the limit .*plugins\.send\.maxFileBytes/)
    const relative = await call(m, "send_file", { recipient: zoe, media_path: "market.jpg" })
    expect(relative.text).toMatch(/"media_path".*not an absolute path/)
    const control = await call(m, "send_file", { recipient: zoe, media_path: `${outbox}/market\u0000.jpg\n` })
    expect(control.isError).toBe(true)
    expect(control.text).toMatch(/there is no file at/)
    expect(bridge.received).toHaveLength(0)
  })

  it("refuses a hard link to the store's database or to a file elsewhere, and the store's own files", async () => {
    const linkedStore = join(outbox, "holiday-plans.db")
    const linkedSecret = join(outbox, "notes.txt")
    linkSync(join(storeDir, "messages.db"), linkedStore)
    linkSync(join(elsewhere, "secret.txt"), linkedSecret)
    try {
      const m = await serve(roots())
      const store = await call(m, "send_file", { recipient: zoe, media_path: linkedStore })
      expect(store.isError).toBe(true)
      expect(store.text).toMatch(/one of WhatsApp's own store files/)
      const secret = await call(m, "send_file", { recipient: zoe, media_path: linkedSecret })
      expect(secret.isError).toBe(true)
      expect(secret.text).toMatch(/has other names on disk \(hard links\).*copy the file/)
      // A folder that holds the store still never gives away the store's files.
      const wide = await serve({ allowedFileRoots: [dirname(realpathSync(storeDir))] })
      const database = await call(wide, "send_file", {
        recipient: zoe,
        media_path: join(realpathSync(storeDir), "messages.db"),
      })
      expect(database.text).toMatch(/one of WhatsApp's own store files/)
      expect(bridge.received).toHaveLength(0)
    } finally {
      unlinkSync(linkedStore)
      unlinkSync(linkedSecret)
    }
  })

  it.each([
    ["send-file-too-large", /Nothing was sent.*WhatsApp accepts sticker files up to 1 MB/],
    ["send-file-not-allowed", /Nothing was sent.*outside the directories the bridge may send from/],
    ["send-file-not-found", /Nothing was sent.*No file at/],
    ["send-file-unsupported", /Nothing was sent.*is empty/],
  ])("relays the bridge's refusal %s", async (exchange, pattern) => {
    bridge.answer(exchange)
    const m = await serve(roots())
    const result = await call(m, "send_file", { recipient: zoe, media_path: join(outbox, "market.jpg") })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(pattern)
  })
})

describe("send_audio_message", () => {
  it("sends an audio file from an allowed folder as a voice note", async () => {
    bridge.answer("send-voice")
    const m = await serve({ allowedFileRoots: [outbox] })
    const sent = await call(m, "send_audio_message", { recipient: zoe, media_path: join(outbox, "song.mp3") })
    expect(sent.isError).toBe(false)
    expect(bodies()[0]).toMatchObject({ recipient: zoe, path: join(outbox, "song.mp3") })
    expect(sent.text).toMatch(/^Sent: Voice note to "Zoé Lefèvre"/)
  })

  it("says a file that is not audio cannot be a voice note, and refuses a symlink escape", async () => {
    bridge.answer("send-voice-unsupported")
    const m = await serve({ allowedFileRoots: [outbox] })
    const photo = await call(m, "send_audio_message", {
      recipient: zoe,
      media_path: join(outbox, "market.jpg"),
    })
    expect(photo.text).toMatch(/Nothing was sent.*not audio: a voice note needs an audio file/)
    const linked = await call(m, "send_audio_message", {
      recipient: zoe,
      media_path: join(outbox, "innocent.txt"),
    })
    expect(linked.text).toMatch(/is not inside the folders/)
    expect(bridge.received).toHaveLength(1)
  })
})

describe("send_reaction", () => {
  it("reacts to a message and removes the reaction with an empty emoji", async () => {
    bridge.answer("react")
    const m = await serve()
    const reacted = await call(m, "send_reaction", { chat_jid: zoeLid, message_id: zoePhoto, emoji: "😍" })
    expect(reacted.isError).toBe(false)
    expect(bodies()[0]).toEqual({ chat_jid: zoe, message_id: zoePhoto, emoji: "😍" })
    expect(reacted.text).toBe(
      `Reacted 😍 to message ${zoePhoto} in "Zoé Lefèvre" (${zoe}) at ${(reacted.structured as { time: string }).time.replace("T", " ").replace(/:\d\d(?=\+)/, "")}.`,
    )
    bridge.answer("react-remove")
    const removed = await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "" })
    expect(bodies()[1]).toMatchObject({ emoji: "" })
    expect(removed.text).toMatch(/^Removed your reaction from message/)
  })

  it("refuses what is not one emoji, an unknown chat, and relays an unknown message", async () => {
    const m = await serve()
    const word = await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "yes" })
    expect(word.text).toMatch(/"emoji".*not a single emoji/)
    const two = await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "👍👍" })
    expect(two.text).toMatch(/not a single emoji/)
    const stranger = await call(m, "send_reaction", {
      chat_jid: "447700900123@s.whatsapp.net",
      message_id: "x",
      emoji: "👍",
    })
    expect(stranger.text).toMatch(/"chat_jid".*no chat with .* is in the store/)
    expect(bridge.received).toHaveLength(0)
    bridge.answer("react-not-found")
    const missing = await call(m, "send_reaction", {
      chat_jid: zoe,
      message_id: "NO-SUCH-MESSAGE",
      emoji: "👍",
    })
    expect(missing.text).toMatch(/No message NO-SUCH-MESSAGE/)
    // Flags and keycaps are single emoji too.
    bridge.answer("react")
    expect(
      (await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "🇵🇹" })).isError,
    ).toBe(false)
    expect(
      (await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "1️⃣" })).isError,
    ).toBe(false)
  })
})

describe("mark_messages_read", () => {
  it("marks a whole chat read when no ids are given", async () => {
    bridge.answer("mark-read-chat")
    const m = await serve()
    const result = await call<{ marked: number }>(m, "mark_messages_read", { chat_jid: family })
    expect(bodies()[0]).toEqual({ chat_jid: family })
    expect(result.structured).toEqual({ chat_jid: family, chat_name: "Famille Lefèvre ❤️", marked: 2 })
    expect(result.text).toBe(`Marked 2 messages read in "Famille Lefèvre ❤️" (${family}).`)
  })

  it("marks the given messages read, and relays an unknown id", async () => {
    bridge.answer("mark-read-ids")
    const m = await serve()
    const result = await call<{ marked: number }>(m, "mark_messages_read", {
      chat_jid: zoeLid,
      message_ids: [zoePhoto],
    })
    expect(bodies()[0]).toEqual({ chat_jid: zoe, message_ids: [zoePhoto] })
    expect(result.text).toBe(`Marked 1 message read in "Zoé Lefèvre" (${zoe}).`)
    bridge.answer("mark-read-not-found")
    const missing = await call(m, "mark_messages_read", { chat_jid: zoe, message_ids: ["NO-SUCH-MESSAGE"] })
    expect(missing.text).toMatch(/No message NO-SUCH-MESSAGE/)
  })
})

describe("when the bridge cannot send", () => {
  it("says WhatsApp is not connected and how to pair again", async () => {
    bridge.answer("send-text-not-connected")
    const m = await serve()
    const result = await call(m, "send_message", { recipient: zoe, message: "Hello?" })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/Nothing was sent.*WhatsApp is not connected.*pnpm bridge.*pair again/)
  })

  it("says the bridge refused the token and which file it came from", async () => {
    bridge.answer("send-text-unauthorized")
    const m = await serve()
    const result = await call(m, "send_message", { recipient: zoe, message: "Hello?" })
    expect(result.isError).toBe(true)
    expect(result.text).toContain(`The bridge refused the token from ${tokenFile}`)
    expect(result.text).toContain("Nothing was sent")
  })

  it("says the bridge is not running and how to start it; then fails fast while read tools would still work", async () => {
    bridge.down()
    const m = await serve()
    const first = await call(m, "send_message", { recipient: zoe, message: "Hello?" })
    expect(first.isError).toBe(true)
    expect(first.text).toMatch(/not running.*start it with `pnpm bridge`.*Nothing was sent/)
    const attempts = bridge.received.length
    // The retries carried the same key: the bridge could never have sent it twice.
    expect(new Set(bodies().map((b) => b.idempotency_key)).size).toBe(1)
    const second = await call(m, "send_message", { recipient: zoe, message: "Hello?" })
    expect(second.text).toMatch(/not answering.*pnpm bridge.*Tools that read messages still work/)
    expect(bridge.received.length).toBe(attempts)
  })
})

// A change to what a model reads about a tool shows up in review; a missing or stale snapshot fails.
describe("toolsnaps", () => {
  it("match the published definition of every tool", async () => {
    await expect(
      checkToolsnaps((await serve()).client, join(__dirname, "__toolsnaps__")),
    ).resolves.toBeUndefined()
  })
})
