// load_older_messages through a real MCP client, on a store the bridge built from the demo and the
// older history its phone answers with (so the answer is stored, as after a real request), against a
// stand-in bridge derived from the bridge's contract.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  callTool,
  checkParameterDescriptions,
  type MockBridge,
  type Mounted,
  mockBridge,
  mountPromise,
  storeFromStreams,
} from "@whatsapp-mcp/testkit"
import plugin from "../src/index.js"
import type { Message } from "../src/MessageSchemas.js"

const demo = join(__dirname, "../../../fixtures/demo")
const priya = "12025550105@s.whatsapp.net"
const priyaLid = "100000000106365@lid"
const empty = "12025550177@s.whatsapp.net"
/** The demo's "now", 2026-03-15T18:00:00Z, and a time between the synced history and the older one. */
const now = 1_773_597_600
const before = now - 100 * 86_400

interface Loaded {
  readonly chat_jid: string
  readonly requested: number
  readonly before: string
  readonly answered: boolean
  readonly arrived: number
  readonly oldest: string | null
  readonly messages: ReadonlyArray<Message>
  readonly has_more: boolean
}

/** What the bridge answers a request for older history with (its contract's `fetchHistory`). */
interface HistoryAnswer {
  readonly chat_jid: string
  readonly before_message_id: string
  readonly before: number
  readonly requested: number
  readonly answered: boolean
  readonly arrived: number
  readonly oldest: number | null
}

let bridge: MockBridge
let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  // A chat the store knows with no message in it.
  const emptyChat = join(mkdtempSync(join(tmpdir(), "older-empty-")), "empty-chat.jsonl")
  writeFileSync(
    emptyChat,
    `${JSON.stringify({ event: "chats.upsert", data: [{ id: empty, name: "Quiet" }] })}\n`,
  )
  const store = await storeFromStreams([join(demo, "demo.jsonl"), join(demo, "demo-older.jsonl"), emptyChat])
  expect(store.problems).toEqual([])
  bridge = mockBridge({ url: "http://127.0.0.1:18093" })
  mounted = await mountPromise({
    plugins: [plugin],
    storeDir: store.storeDir,
    bridgeUrl: bridge.bridgeUrl,
    tokenFile: bridge.tokenFile,
  })
})
afterEach(() => bridge.reset())
afterAll(async () => {
  await mounted.close()
  bridge.close()
})

const answer = (result: Partial<HistoryAnswer>) =>
  bridge.answer("fetchHistory", {
    chat_jid: priya,
    before_message_id: "3A0DEMOOLDEST",
    before,
    requested: 50,
    answered: true,
    arrived: 7,
    oldest: now - 400 * 86_400,
    ...result,
  })

const load = async (args: Record<string, unknown>) => {
  const result = await callTool<Loaded>(mounted.client, "load_older_messages", args)
  return result
}

describe("load_older_messages", () => {
  it("asks the bridge for the chat given by phone number, and returns the older messages that arrived", async () => {
    answer({})
    const result = await load({ chat_jid: "+1 202 555 0105", limit: 5 })
    expect(result.isError, result.text).toBe(false)
    expect(bridge.received.map((r) => r.body)).toEqual([{ chat_jid: priya, count: 50, wait_seconds: 20 }])
    const loaded = result.structured
    expect(loaded).toMatchObject({
      chat_jid: priya,
      requested: 50,
      before: "2025-12-05T18:00:00+00:00",
      answered: true,
      arrived: 7,
      oldest: "2025-02-08T18:00:00+00:00",
      has_more: true,
    })
    // The newest five of the messages from before `before`, newest first, from the store.
    expect(loaded.messages).toHaveLength(5)
    const times = loaded.messages.map((m) => Date.parse(m.time))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(times.every((t) => t < before * 1000)).toBe(true)
    expect(loaded.messages[0]?.text).toBe("Deal. Porto next time, though 🍷")
    expect(loaded.messages[0]?.from_me).toBe(true)
    // The model reads them oldest first, as a conversation, and how to read on.
    expect(result.text).toContain(
      "7 message(s) from before 2025-12-05 18:00+00:00 are stored now, back to 2025-02-08 18:00+00:00",
    )
    expect(result.text.indexOf("fado")).toBeLessThan(result.text.indexOf("Porto next time"))
    expect(result.text).toContain("call list_messages with chat_jid 12025550105@s.whatsapp.net")
  })

  it("takes the person's LID or phone JID for the same chat", async () => {
    answer({})
    for (const chat_jid of [priyaLid, priya]) {
      const result = await load({ chat_jid, count: 10, wait_seconds: 5 })
      expect(result.isError, result.text).toBe(false)
    }
    expect(bridge.received.map((r) => r.body)).toEqual([
      { chat_jid: priya, count: 10, wait_seconds: 5 },
      { chat_jid: priya, count: 10, wait_seconds: 5 },
    ])
  })

  it("says the request was made, and how to see the answer, when the phone has not answered in time", async () => {
    answer({ answered: false, arrived: 0, oldest: null })
    const result = await load({ chat_jid: priya, wait_seconds: 0 })
    expect(result.isError).toBe(false)
    expect(result.structured).toMatchObject({ answered: false, arrived: 0, oldest: null, messages: [] })
    expect(result.text).toContain("has not answered yet")
    expect(result.text).toContain("phone must be online")
    expect(result.text).toContain("call list_messages with chat_jid 12025550105@s.whatsapp.net and before")
  })

  it("says the chat starts there when the phone has nothing older", async () => {
    answer({ arrived: 0, oldest: null })
    const result = await load({ chat_jid: priya })
    expect(result.isError).toBe(false)
    expect(result.structured.messages).toEqual([])
    expect(result.text).toContain("The phone has no messages of this chat before 2025-12-05 18:00+00:00")
  })

  it("refuses an unknown chat and a chat with nothing stored without asking the bridge", async () => {
    answer({})
    const unknown = await load({ chat_jid: "+1 202 555 0199" })
    expect(unknown.isError).toBe(true)
    expect(unknown.text).toContain("chat_jid")
    expect(unknown.text).toContain("list_chats")
    const nothing = await load({ chat_jid: empty })
    expect(nothing.isError).toBe(true)
    expect(nothing.text).toContain(`No message of ${empty} is stored`)
    expect(bridge.received).toEqual([])
  })

  it("refuses a count or a wait out of range, naming the argument", async () => {
    answer({})
    for (const [args, argument] of [
      [{ count: 0 }, "count"],
      [{ count: 51 }, "count"],
      [{ count: 2.5 }, "count"],
      [{ wait_seconds: -1 }, "wait_seconds"],
      [{ wait_seconds: 61 }, "wait_seconds"],
      [{ limit: 51 }, "limit"],
    ] as const) {
      const result = await load({ chat_jid: priya, ...args })
      expect(result.isError, JSON.stringify(args)).toBe(true)
      expect(result.text).toContain(argument)
    }
    expect(bridge.received).toEqual([])
  })

  it("tells the model when the bridge is down, WhatsApp is not connected, or a request is already waiting", async () => {
    bridge.down()
    const down = await load({ chat_jid: priya })
    expect(down.isError).toBe(true)
    expect(down.text).toContain("Older messages come from the phone through the bridge")
    expect(down.text).toContain("not running")
    bridge.reset()

    bridge.fail("fetchHistory", "whatsapp_not_connected", "WhatsApp is reconnecting; try again in a minute.")
    const offline = await load({ chat_jid: priya })
    expect(offline.isError).toBe(true)
    expect(offline.text).toContain("only be asked for while WhatsApp is connected")
    expect(offline.text).toContain("reconnecting")

    bridge.fail(
      "fetchHistory",
      "history_request_pending",
      "Older messages of 12025550105@s.whatsapp.net were already asked for 5 s ago and the phone has not answered yet.",
    )
    const pending = await load({ chat_jid: priya })
    expect(pending.isError).toBe(true)
    expect(pending.text).toContain("already asked for")
  })

  it("describes every parameter for a model", async () => {
    await expect(checkParameterDescriptions(mounted.client)).resolves.toBeUndefined()
  })
})
