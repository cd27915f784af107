// Every tool of the five built-in plugins, through a real MCP client on a store the bridge built
// from the demo stream, fed hostile input: a fixed corpus per argument, then property-based input
// from each tool's own Schema and from arbitrary JSON. Nothing may crash the server or surface as a
// protocol error; every call ends in a result or an isError with a message and no stack trace.
import { mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import chats from "@whatsapp-mcp/plugin-chats"
import contacts from "@whatsapp-mcp/plugin-contacts"
import media from "@whatsapp-mcp/plugin-media"
import messages from "@whatsapp-mcp/plugin-messages"
import send from "@whatsapp-mcp/plugin-send"
import { Render } from "@whatsapp-mcp/runtime"
import { type Mounted, mockBridge, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import { Arbitrary, Effect, FastCheck as fc, Schema } from "effect"
import * as Hostile from "../../../fixtures/src/HostileStream.js"
import { builtinToolNames } from "../src/index.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
const plugins = [contacts, chats, messages, send, media] as const
const tools = plugins.flatMap((p) => p.tools)

const work = realpathSync(mkdtempSync(join(tmpdir(), "wa-abuse-")))
const outbox = realpathSync(mkdtempSync(join(work, "outbox-")))
const secret = join(work, "secret.txt")
writeFileSync(secret, "private")
symlinkSync(secret, join(outbox, "innocent.txt"))

/** One stand-in bridge for the suites that need answers. */
const standIn = mockBridge({ url: "http://127.0.0.1:18097" })
afterAll(() => standIn.close())

let mounted: Mounted & { readonly close: () => Promise<void> }
const counts = { inputs: 0, errors: 0, results: 0, crashes: 0 }

beforeAll(async () => {
  const store = await storeFromStreams([demo])
  expect(store.problems).toEqual([])
  mounted = await mountPromise({
    plugins: [contacts, chats, messages, [send, { allowedFileRoots: [outbox] }], media],
    storeDir: store.storeDir,
    // No bridge has ever run: write tools must answer with what to do, at once, without a socket.
    tokenFile: join(work, "no-bridge-token"),
    bridgeUrl: "http://127.0.0.1:9",
  })
}, 60_000)
afterAll(async () => {
  await mounted?.close()
  process.stderr.write(
    `tools abuse: ${counts.inputs} inputs tried, ${counts.results} results, ${counts.errors} tool errors, ${counts.crashes} crashes\n`,
  )
})

/** One call: a result or a tool error with a readable message. Anything else counts as a crash. */
const call = async (client: Client, name: string, args: unknown) => {
  counts.inputs++
  let result: Awaited<ReturnType<Client["callTool"]>>
  try {
    result = await client.callTool({ name, arguments: args as Record<string, unknown> })
  } catch (error) {
    counts.crashes++
    throw new Error(`${name} answered a protocol error for ${JSON.stringify(args)?.slice(0, 200)}: ${error}`)
  }
  const content = result.content as Array<{ type: string; text?: string }>
  const text = content.map((c) => c.text ?? "").join("\n")
  if (result.isError === true) {
    counts.errors++
    expect(text.length, `${name}: an error without a message`).toBeGreaterThan(0)
  } else {
    counts.results++
  }
  expect(text, `${name}: a stack trace reached the client`).not.toMatch(/\n\s+at .+:\d+:\d+/)
  return { isError: result.isError === true, text }
}

const huge = "x".repeat(1_000_000)
const strings: ReadonlyArray<unknown> = [
  "",
  " ",
  huge,
  "\u0000\u0001\u001b[2J\r\n\t",
  "\uD800",
  "a\uDFFFb",
  "\uFFFD\uFFFE\uFFFF",
  "'; DROP TABLE messages; --",
  '" OR 1=1 --',
  "1) UNION SELECT * FROM sqlite_master --",
  'NEAR(a b) OR "x" AND -y * ^z:',
  "text:*",
  "@",
  "@s.whatsapp.net",
  "123@g.us@lid",
  "+",
  "++1 (555) ---",
  "9".repeat(400),
  "../../../../etc/passwd",
  "/etc/passwd",
  join(outbox, "innocent.txt"),
  join(outbox, "..", "secret.txt"),
  "~/.ssh/id_rsa",
  "2024-13-45T99:99:99+99:99",
  "now",
  "👍🏽".repeat(10),
]
const wrongTypes: ReadonlyArray<unknown> = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 1,
  [],
  {},
  ["a"],
  { $gt: 0 },
]

describe("bad-input corpus for every tool", () => {
  it("serves the sixteen built-in tools", async () => {
    const { tools: listed } = await mounted.client.listTools()
    expect(listed.map((t) => t.name).sort()).toEqual([...builtinToolNames].sort())
  })

  for (const tool of tools) {
    it(`${tool.name}: every argument replaced by hostile values gets a result or a clear error`, async () => {
      const { tools: listed } = await mounted.client.listTools()
      const schema = listed.find((t) => t.name === tool.name)?.inputSchema
      const properties = Object.keys(schema?.properties ?? {})
      expect(properties.length).toBeGreaterThan(0)
      // Unknown and missing arguments, and no arguments object at all.
      await call(mounted.client, tool.name, {})
      await call(mounted.client, tool.name, { not_a_parameter: "x" })
      for (const property of properties) {
        for (const value of [...strings, ...wrongTypes]) {
          const { isError, text } = await call(mounted.client, tool.name, { [property]: value })
          // A value of the wrong type is refused naming the argument (or the one still missing).
          if (isError && wrongTypes.includes(value) && typeof value !== "number") {
            expect(text).toMatch(/[a-z_]+/)
          }
        }
      }
    }, 60_000)
  }

  it("never reads a file outside the allowed roots, through .. or a symlink", async () => {
    for (const path of [join(outbox, "innocent.txt"), join(outbox, "..", "secret.txt"), secret]) {
      const { isError, text } = await call(mounted.client, "send_file", {
        recipient: "+1 202 555 0101",
        media_path: path,
      })
      expect(isError).toBe(true)
      expect(text).not.toContain("private")
    }
  })

  it("searches FTS syntax and SQL text literally, and the store is intact afterwards", async () => {
    const before = await call(mounted.client, "list_chats", { limit: 100 })
    for (const query of ['"unbalanced', "a OR", "NEAR(x", "col:*", "'; DELETE FROM messages; --"]) {
      const { isError, text } = await call(mounted.client, "list_messages", { query })
      expect(isError, text).toBe(false)
    }
    // A query with no words at all is refused saying how to search, not passed to MATCH.
    const empty = await call(mounted.client, "list_messages", { query: "*" })
    expect(empty.isError).toBe(true)
    expect(empty.text).toContain("query")
    const after = await call(mounted.client, "list_chats", { limit: 100 })
    expect(after.text).toEqual(before.text)
  })

  it("marks message text as untrusted data and never copies it into the server's log", async () => {
    const result = await mounted.client.callTool({ name: "list_messages", arguments: { limit: 20 } })
    const found = (result.structuredContent as { messages: Array<{ text: string | null }> }).messages
      .map((m) => m.text)
      .filter((t): t is string => t !== null && t.length > 12)
    expect(found.length).toBeGreaterThan(0)
    const rendering = (result.content as Array<{ text: string }>)[0]?.text ?? ""
    expect(rendering).toMatch(/data, not instructions/)
    const log = mounted.logs.join("\n")
    for (const text of found) expect(log).not.toContain(text)
  })

  it("still answers a plain read after all of it", async () => {
    const { isError, text } = await call(mounted.client, "list_messages", { limit: 3 })
    expect(isError).toBe(false)
    expect(text.length).toBeGreaterThan(0)
    expect(counts.crashes).toBe(0)
  })
})

describe("property: any input to any tool", () => {
  const json = fc.dictionary(fc.string({ maxLength: 24 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 })
  for (const tool of tools) {
    const valid = Arbitrary.make(tool.input)
    const encode = Schema.encodeSync(tool.input as Schema.Schema<unknown, unknown, never>)
    it.live.prop(
      `${tool.name}: a value of its input Schema gets a result or a clear error`,
      [valid],
      ([input]) => Effect.asVoid(Effect.promise(() => call(mounted.client, tool.name, encode(input)))),
      { timeout: 60_000, fastCheck: { numRuns: 100 } },
    )
    it.live.prop(
      `${tool.name}: arbitrary JSON gets a result or a clear error`,
      [json],
      ([input]) => Effect.asVoid(Effect.promise(() => call(mounted.client, tool.name, input))),
      { timeout: 60_000, fastCheck: { numRuns: 100 } },
    )
  }
  it("counted every input and crashed on none", () => {
    expect(counts.inputs).toBeGreaterThan(1000)
    expect(counts.crashes).toBe(0)
  })
})

// Strangers who put their attack in the fields they control instead of a message's text: names,
// group subjects, ids, quoted ids, reaction text, notice parameters, file names and mimetypes
// (fixtures/src/HostileStream.ts). Every tool that prints such a field prints it as quoted data on
// its own line, with nothing invisible and a bounded length; structured results keep it exactly.
describe("sender-controlled fields in every rendering", () => {
  let hostile: Mounted & { readonly close: () => Promise<void> }
  const bridge = standIn
  const { group, stranger } = Hostile

  let hostileStoreDir: string

  beforeAll(async () => {
    const store = await storeFromStreams([Hostile.writeHostileStream()])
    expect(store.problems).toEqual([])
    hostileStoreDir = store.storeDir
    hostile = await mountPromise({
      plugins: [contacts, chats, messages, [send, { allowedFileRoots: [outbox] }], media],
      storeDir: store.storeDir,
      bridgeUrl: bridge.bridgeUrl,
      tokenFile: bridge.tokenFile,
    })
  }, 60_000)
  afterAll(async () => {
    await hostile?.close()
  })

  const read = async (name: string, args: Record<string, unknown>) => {
    const result = await hostile.client.callTool({ name, arguments: args })
    const text = (result.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n")
    expect(result.isError, `${name}: ${text}`).not.toBe(true)
    return { text, structured: result.structuredContent as Record<string, unknown> }
  }

  /** Characters that hide, reorder or break text: none may reach a rendering raw. */
  // (per line: control, format (bidi, zero-width, tags), line and paragraph separators)
  const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
  /** A line that reads as the user's own words, a chat heading or a message id that no store holds. */
  const forgedLine =
    /^(?:(?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}(?:[+-]\d{2}:\d{2})? )?(?:You: "(?:Assistant|Send the bank|wire|forward it|pay|open|run)|Chat "Mum")/

  const expectSafe = (label: string, text: string) => {
    expect(text.length, label).toBeGreaterThan(0)
    for (const line of text.split("\n")) expect(line, label).not.toMatch(invisible)
    for (const value of Hostile.hostileValues)
      expect(text.includes(value), `${label}: raw ${value}`).toBe(false)
    for (const line of text.split("\n")) expect(line, `${label}: a forged line`).not.toMatch(forgedLine)
    // the 5,000-character name is cut to a few dozen characters, and says how many it left out
    expect(text, label).not.toMatch(/L{100}/)
    for (const line of text.split("\n"))
      expect(line.length, `${label}: ${line.slice(0, 80)}`).toBeLessThan(1500)
  }

  it("renders a push name that forges the user's line as one quoted line, in list_messages and list_chats", async () => {
    const shown = Render.quote(Hostile.forgedName, 60)
    // in the stranger's own chat the name heads the chat, quoted, and their lines name nobody
    const listed = await read("list_messages", { chat_jid: stranger })
    const lines = listed.text.split("\n")
    expect(lines[1]?.startsWith(`Chat ${Render.quote(Hostile.forgedName, 80)} +`)).toBe(true)
    const line = lines.find((l) => l.includes("hello, is this Anna?"))
    expect(line).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\+00:00 "hello, is this Anna\?" #H1$/)
    expect(lines.filter((l) => l.includes("Assistant"))).toHaveLength(1) // the heading
    // in a group it is on their line, quoted
    const inGroup = await read("list_messages", { chat_jid: group, query: "invoice", include_context: false })
    const groupLine = inGroup.text.split("\n").find((l) => l.includes("see the invoice below"))
    expect(groupLine).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\+00:00 "Bob\\n2026-03-15 18:05\+00:00 You: \\"Assistant/,
    )
    expect(groupLine).toContain(`${shown}: "see the invoice below"`)
    expectSafe("forged name", inGroup.text)
    const chatList = await read("list_chats", {})
    const chatLine = chatList.text.split("\n").find((l) => l.includes(stranger))
    expect(chatLine?.startsWith(Render.quote(Hostile.forgedName, 80))).toBe(true)
    expect(chatLine).toContain(`${shown}: "hello, is this Anna?"`)
    for (const text of [listed.text, chatList.text]) expectSafe("forged name", text)
    // the structured results keep the name as the stranger set it
    const messages = listed.structured.messages as Array<{ sender: string }>
    expect(messages[0]?.sender).toBe(Hostile.forgedName)
    const chatsListed = chatList.structured.chats as Array<{ jid: string; name: string }>
    expect(chatsListed.find((c) => c.jid === stranger)?.name).toBe(Hostile.forgedName)
  })

  it("renders a group subject that forges a chat heading as one quoted heading", async () => {
    const { text, structured } = await read("list_messages", { chat_jid: group })
    const lines = text.split("\n")
    expect(lines[1]).toBe(`Chat ${Render.quote(Hostile.forgedSubject, 80)} ${group}`)
    expect(lines.filter((l) => l.startsWith("Chat "))).toHaveLength(1)
    expectSafe("forged subject", text)
    const [first] = structured.messages as Array<{ chat_name: string }>
    expect(first?.chat_name).toBe(Hostile.forgedSubject)
  })

  it("caps a 5,000-character name and keeps it whole in the structured result", async () => {
    const { text, structured } = await read("list_messages", { chat_jid: group, include_context: false })
    const line = text.split("\n").find((l) => l.includes('"hi all"'))
    expect(line?.length).toBeLessThan(200)
    expect(line).toMatch(/"L{40,60}…"\(\d{4} more characters\)/)
    const long = (structured.messages as Array<{ sender: string }>).find((m) => m.sender.startsWith("LLL"))
    expect(long?.sender).toBe(Hostile.longName)
    const contact = await read("get_contact", { identifier: Hostile.longNamed })
    expect(contact.text.length).toBeLessThan(400)
    expect((contact.structured.contact as { push_name: string }).push_name).toBe(Hostile.longName)
  })

  it("never prints control, bidirectional or zero-width characters raw, and keeps them in the structured result", async () => {
    const { text, structured } = await read("list_messages", { chat_jid: group })
    expect(text).toContain("\\u202e")
    expect(text).toContain("\\u200b")
    expect(text).toContain("\\u{e0041}")
    expectSafe("invisible name", text)
    const senders = (structured.messages as Array<{ sender: string }>).map((m) => m.sender)
    expect(
      senders.some((s) => s.startsWith("Ali\u202Ece\u200B\u2066x\u2069\uFEFF\u0007\u2028\u{E0041}")),
    ).toBe(true)
  })

  it("keeps forged ids, quoted ids, reactions, file names and mimetypes exact in the structured result", async () => {
    const { structured } = await read("list_messages", { chat_jid: group, include_context: false })
    const messages = structured.messages as Array<Record<string, unknown>>
    expect(messages.map((m) => m.id)).toContain(Hostile.forgedId)
    expect(messages.find((m) => m.id === "H4")?.quoted).toMatchObject({ id: Hostile.forgedQuotedId })
    expect(messages.find((m) => m.id === "H5")).toMatchObject({
      file_name: Hostile.forgedFileName,
      mimetype: Hostile.forgedMimetype,
    })
    expect(messages.find((m) => m.id === "H7")?.reactions).toMatchObject([{ emoji: Hostile.forgedReaction }])
  })

  it("quotes every sender-controlled field in every tool and resource that prints one", async () => {
    const now = Math.floor(Date.now() / 1000)
    bridge.answer("sendText", {
      message_id: "S1",
      chat_jid: group,
      timestamp: now,
      status: "sent",
      kind: "text",
      duplicate: false,
    })
    bridge.answer("react", { chat_jid: group, message_id: "H5", emoji: "👍", removed: false })
    bridge.answer("markRead", { chat_jid: group, marked: 2 })
    // Every hostile message as the phone's older history: the page prints them as it reads them.
    bridge.answer("fetchHistory", {
      chat_jid: group,
      before_message_id: "H1",
      before: now + 86_400,
      requested: 50,
      answered: true,
      arrived: 9,
      oldest: 0,
    })
    bridge.answer("download", {
      path: join(work, "media", Hostile.forgedFileName.replaceAll("/", "_")),
      mimetype: Hostile.forgedMimetype,
      size: 1000,
      sha256: "ab".repeat(32),
      kind: "document",
      file_name: Hostile.forgedFileName,
      cached: false,
    })
    const calls: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
      ["list_messages", {}],
      ["list_messages", { query: "invoice" }],
      ["list_messages", { sender_phone_number: stranger }],
      ["list_messages", { chat_jid: group, context_before: 3, context_after: 3 }],
      ["get_message_context", { message_id: "H5", chat_jid: group }],
      ["get_message_context", { message_id: Hostile.forgedId, chat_jid: group }],
      ["list_chats", {}],
      ["list_chats", { query: "Hiking" }],
      ["get_chat", { chat_jid: group }],
      ["get_direct_chat_by_contact", { sender_phone_number: stranger }],
      ["get_contact_chats", { jid: stranger }],
      ["get_last_interaction", { jid: stranger }],
      ["search_contacts", { query: "555000" }],
      ["get_contact", { identifier: Hostile.invisibleNamed }],
      ["send_message", { recipient: group, message: "ok" }],
      ["send_reaction", { chat_jid: group, message_id: "H5", emoji: "👍" }],
      ["mark_messages_read", { chat_jid: group }],
      ["download_media", { chat_jid: group, message_id: "H5" }],
      ["load_older_messages", { chat_jid: group, limit: 50 }],
    ]
    for (const [name, args] of calls) {
      const { text } = await read(name, args)
      expectSafe(`${name} ${JSON.stringify(args)}`, text)
    }
    const media = await read("download_media", { chat_jid: group, message_id: "H5" })
    expect(media.text.split("\n")[0]).toMatch(/data, not instructions/)
    expect(media.structured).toMatchObject({
      file_name: Hostile.forgedFileName,
      mimetype: Hostile.forgedMimetype,
    })
    const resource = await hostile.client.readResource({
      uri: `whatsapp://chat/${encodeURIComponent(group)}`,
    })
    expectSafe("chat resource", (resource.contents[0] as { text: string }).text)
  })

  it("quotes every sender-controlled field in the confirmation a send shows the person", async () => {
    const forms: Array<string> = []
    const asking = await mountPromise({
      plugins: [[send, {}]],
      storeDir: hostileStoreDir,
      bridgeUrl: bridge.bridgeUrl,
      tokenFile: bridge.tokenFile,
      elicitation: (params) => {
        forms.push((params as { message: string }).message)
        return { action: "decline" }
      },
    })
    try {
      const sends: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
        ["send_message", { recipient: stranger, message: "ok" }],
        ["send_message", { recipient: group, message: "ok", reply_to_message_id: Hostile.forgedId }],
        ["send_message", { recipient: Hostile.invisibleNamed, message: "ok", reply_to_message_id: "H4" }],
        ["send_reaction", { chat_jid: group, message_id: "H5", emoji: "👍" }],
        ["send_reaction", { chat_jid: group, message_id: Hostile.forgedId, emoji: "👍" }],
        ["send_message", { recipient: Hostile.longNamed, message: "ok" }],
      ]
      for (const [name, args] of sends) await asking.client.callTool({ name, arguments: args })
      expect(forms).toHaveLength(sends.length)
      for (const form of forms) expectSafe(`confirmation ${form.slice(0, 60)}`, form)
      // The model's own text is the last line of a message's form; nothing else spans more lines.
      for (const form of forms.filter((f) => f.startsWith("Send this WhatsApp message?"))) {
        expect(form.split("\n").slice(-2)).toEqual(["Message:", "ok"])
      }
    } finally {
      await asking.close()
    }
  })
})

// The answers a client gives to a send's confirmation, and the send options, as a careless or
// hostile client or config file gives them: each ends in a clear refusal, and nothing is sent.
describe("confirmations and their options", () => {
  // Its own stand-in, so that what it received is this group's alone.
  let bridge: ReturnType<typeof mockBridge>
  let storeDir: string
  beforeAll(async () => {
    bridge = mockBridge({ url: "http://127.0.0.1:18098" })
    const store = await storeFromStreams([demo])
    storeDir = store.storeDir
  }, 60_000)
  afterAll(() => bridge?.close())

  // Objects that are not an answer to the form are refused at once.
  const notAnAnswer: ReadonlyArray<unknown> = [
    { action: "yes" },
    {},
    { action: "accept", content: "send it" },
    { action: "accept", content: { nested: { deeper: true } } },
    { action: null },
    { action: "x".repeat(100_000) },
  ]
  // A result that is not even an object is no JSON-RPC response: the SDK drops it as it arrives,
  // so the send waits for an answer until the time limit.
  const notAResponse: ReadonlyArray<unknown> = ["accept", 42, null, ["accept"]]

  it("refuses to send on an answer that is not accept, decline or cancel", async () => {
    const mounted = await mountPromise({
      plugins: [[send, { confirmTimeoutSeconds: 0.3 }]],
      storeDir,
      bridgeUrl: bridge.bridgeUrl,
      tokenFile: bridge.tokenFile,
    })
    try {
      for (const malformed of [...notAnAnswer, ...notAResponse]) {
        // A client written by hand: what it answers reaches the server unchecked.
        await mounted.client.close()
        const [ours, theirs] = InMemoryTransport.createLinkedPair()
        await mounted.application.server.connect(theirs)
        const client = new Client(
          { name: "careless-client", version: "0.0.0" },
          { capabilities: { elicitation: { form: {} } } },
        )
        client.fallbackRequestHandler = async () => malformed as never
        await client.connect(ours)
        const result = await call(client, "send_message", { recipient: "+1 202 555 0101", message: "hi" })
        expect(result.isError, JSON.stringify(malformed).slice(0, 80)).toBe(true)
        expect(result.text).toMatch(
          notAnAnswer.includes(malformed)
            ? /^Not sent: The confirmation could not be completed \(the client's answer was not one of accept, decline or cancel\)/
            : /^Not sent: Nobody answered the confirmation within 0\.3 s/,
        )
        await client.close()
      }
      expect(bridge.received).toEqual([])
    } finally {
      await mounted.close()
    }
  })

  it("refuses a confirm or confirmTimeoutSeconds the plugin does not know, naming the key", async () => {
    const invalid: ReadonlyArray<readonly [Record<string, unknown>, RegExp]> = [
      [{ confirm: "ask" }, /plugins\.send\.confirm: expected "elicit" or "none"; found "ask"/],
      [{ confirm: "ELICIT" }, /plugins\.send\.confirm: expected "elicit" or "none"/],
      [{ confirm: true }, /plugins\.send\.confirm: expected "elicit" or "none"/],
      [{ confirm: null }, /plugins\.send\.confirm: expected "elicit" or "none"/],
      [{ confirm: ["elicit"] }, /plugins\.send\.confirm: expected "elicit" or "none"/],
      [{ confirmTimeoutSeconds: 0 }, /plugins\.send\.confirmTimeoutSeconds: expected a positive number/],
      [{ confirmTimeoutSeconds: -5 }, /plugins\.send\.confirmTimeoutSeconds/],
      [{ confirmTimeoutSeconds: 86_400 }, /plugins\.send\.confirmTimeoutSeconds/],
      [{ confirmTimeoutSeconds: "10" }, /plugins\.send\.confirmTimeoutSeconds/],
    ]
    for (const [options, message] of invalid) {
      await expect(
        mountPromise({ plugins: [[send, options]], storeDir }),
        JSON.stringify(options),
      ).rejects.toThrow(message)
    }
  })
})

describe("pictures of media that are not what they should be", () => {
  let pictured: Mounted & { readonly close: () => Promise<void> }
  const bridge = standIn
  const zoe = "12025550101@s.whatsapp.net"
  const photo = "D0D1550D72AAD8847C63546F22C8E8A0"
  const downloaded = {
    path: "/home/user/whatsapp/store/media/12025550101_s.whatsapp.net/D0D1550D72AAD8847C63546F22C8E8A0.jpg",
    mimetype: "image/jpeg",
    size: 1922,
    sha256: "ab".repeat(32),
    kind: "image" as const,
    file_name: "D0D1550D72AAD8847C63546F22C8E8A0.jpg",
    cached: false,
  }

  beforeAll(async () => {
    const store = await storeFromStreams([demo])
    pictured = await mountPromise({
      plugins: [media],
      storeDir: store.storeDir,
      bridgeUrl: bridge.bridgeUrl,
      tokenFile: bridge.tokenFile,
    })
  }, 60_000)
  afterAll(async () => {
    await pictured?.close()
  })

  const downloadPhoto = async () => {
    const result = await pictured.client.callTool({
      name: "download_media",
      arguments: { chat_jid: zoe, message_id: photo },
    })
    const content = result.content as Array<{ type: string; text?: string }>
    return {
      isError: result.isError === true,
      text: content.map((c) => c.text ?? "").join("\n"),
      images: content.filter((c) => c.type === "image"),
      structured: result.structuredContent as Record<string, unknown>,
    }
  }

  it("a photo the bridge could not read: the path, and a note that says why no picture is shown", async () => {
    bridge.answer("download", {
      ...downloaded,
      preview_problem: "The image file could not be shown: the image is corrupt or truncated",
    })
    const result = await downloadPhoto()
    expect(result.isError).toBe(false)
    expect(result.images).toEqual([])
    expect(result.structured.path).toBe(downloaded.path)
    expect(result.structured.note).toBe(
      "The image file could not be shown: the image is corrupt or truncated. No picture is shown; the file is at the path above.",
    )
    expect(result.text).toContain(result.structured.note)
  })

  it("a truncated photo shown by its message's thumbnail: labelled as such, with the path", async () => {
    bridge.answer("download", {
      ...downloaded,
      preview: {
        data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString("base64"),
        mimetype: "image/jpeg",
        width: 32,
        height: 21,
        source: "message_thumbnail",
      },
      preview_problem: "The image file could not be shown: the image is corrupt or truncated",
    })
    const result = await downloadPhoto()
    expect(result.images).toHaveLength(1)
    expect(result.structured).toMatchObject({ path: downloaded.path, image: { source: "message_thumbnail" } })
    expect(result.structured.note).toMatch(/Only the message's low-resolution thumbnail is shown/)
    expect(result.text).toMatch(/only the small, low-resolution thumbnail/)
  })

  it("a picture larger than the tool declares is left out with a line that says so; the rest of the result stands", async () => {
    bridge.answer("download", {
      ...downloaded,
      preview: {
        data: Buffer.alloc(1_500_000, 7).toString("base64"),
        mimetype: "image/jpeg",
        width: 1568,
        height: 1045,
        source: "file",
        original_width: 6000,
        original_height: 4000,
      },
    })
    const result = await downloadPhoto()
    expect(result.isError).toBe(false)
    expect(result.images).toEqual([])
    expect(result.structured.path).toBe(downloaded.path)
    expect(result.text).toMatch(
      /A picture was left out of this result: it is 1500000 bytes, more than the 1000000/,
    )
    // and the server still answers
    bridge.answer("download", downloaded)
    expect((await downloadPhoto()).isError).toBe(false)
  })
})
