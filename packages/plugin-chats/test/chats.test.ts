// The chats tools through a real MCP client, on a store the bridge built from the recorded fixture
// streams (plus a few chat-state changes recorded the same way, so every flag has a chat to show).
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { callTool, checkToolsnaps, type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import { caseStreams } from "../../../fixtures/src/RecordedStreamFiles.js"
import plugin from "../src/index.js"

const streams = caseStreams

interface Chat {
  readonly jid: string
  readonly name: string
  readonly kind: string
  readonly phone_number: string | null
  readonly last_active: string | null
  readonly unread_count: number
  readonly marked_unread: boolean
  readonly archived: boolean
  readonly pinned: boolean
  readonly muted: boolean
  readonly participant_count: number | null
  readonly last_message: {
    readonly id: string
    readonly time: string
    readonly sender: string
    readonly from_me: boolean
    readonly preview: string
  } | null
}

let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  const states = join(mkdtempSync(join(tmpdir(), "wa-chat-states-")), "chat-states.jsonl")
  writeFileSync(
    states,
    [
      '{"event":"chats.update","data":[{"id":"12025550108@s.whatsapp.net","archived":true}]}',
      '{"event":"chats.update","data":[{"id":"120363100000000003@g.us","pinned":1772442000}]}',
      '{"event":"chats.update","data":[{"id":"12025550102@s.whatsapp.net","muteEndTime":-1}]}',
    ].join("\n"),
  )
  const store = await storeFromStreams([...streams, states])
  expect(store.problems).toEqual([])
  mounted = await mountPromise({ plugins: [plugin], storeDir: store.storeDir })
})
afterAll(() => mounted?.close())

const call = (name: string, args: Record<string, unknown>) => callTool(mounted.client, name, args)
const chatsOf = async (name: string, args: Record<string, unknown>) => {
  const result = await call(name, args)
  expect(result.isError, result.text).toBe(false)
  return {
    ...result,
    chats: result.structured.chats as ReadonlyArray<Chat>,
    hasMore: result.structured.has_more,
  }
}
const chatOf = async (name: string, args: Record<string, unknown>) => {
  const result = await call(name, args)
  expect(result.isError, result.text).toBe(false)
  return result.structured.chat as Chat
}

describe("list_chats", () => {
  it("lists chats most recently active first, each person's chat once", async () => {
    const { chats } = await chatsOf("list_chats", { limit: 100 })
    const active = chats.filter((c) => c.last_active !== null).map((c) => Date.parse(c.last_active ?? ""))
    expect(active).toEqual([...active].sort((a, b) => b - a))
    expect(new Set(chats.map((c) => c.jid)).size).toBe(chats.length)
    expect(chats.some((c) => c.jid.endsWith("@lid"))).toBe(false)
    expect(chats.filter((c) => c.name === "Noah")).toHaveLength(1)
  })

  it("shows each chat's last message with its sender's name, never a deleted message's content", async () => {
    const { chats } = await chatsOf("list_chats", { limit: 100 })
    const greek = chats.find((c) => c.jid === "12025550111@s.whatsapp.net")
    expect(greek?.last_message).toMatchObject({
      sender: "Δημήτρης",
      preview: "Τα λέμε αύριο!",
      from_me: false,
    })
    const family = chats.find((c) => c.jid === "120363100000000001@g.us")
    expect(family?.last_message).toMatchObject({ sender: "You", preview: "(message deleted)" })
    expect(JSON.stringify(chats)).not.toContain("envoyé par erreur")
  })

  it("shows unread counts, archived, pinned and muted chats, and groups' member counts", async () => {
    const { chats, text } = await chatsOf("list_chats", { limit: 100 })
    const byJid = new Map(chats.map((c) => [c.jid, c]))
    expect(byJid.get("12025550101@s.whatsapp.net")?.unread_count).toBe(11)
    expect(byJid.get("12025550108@s.whatsapp.net")?.archived).toBe(true)
    expect(byJid.get("120363100000000003@g.us")).toMatchObject({
      pinned: true,
      participant_count: 5,
      kind: "group",
    })
    expect(byJid.get("12025550102@s.whatsapp.net")?.muted).toBe(true)
    // Muted until 2026-03-09, then unmuted: not muted any more.
    expect(byJid.get("120363100000000002@g.us")?.muted).toBe(false)
    expect(byJid.get("12025550103@s.whatsapp.net")).toMatchObject({
      participant_count: null,
      phone_number: "+12025550103",
    })
    expect(text).toMatch(
      /^"Lisboa 2026 .*" 120363100000000003@g\.us \(group, 5 members, 2 unread, pinned\) last /m,
    )
  })

  it("lists only groups or only direct chats", async () => {
    const groups = await chatsOf("list_chats", { kind: "group", limit: 100 })
    expect(groups.chats.map((c) => c.jid).sort()).toEqual([
      "120363100000000001@g.us",
      "120363100000000002@g.us",
      "120363100000000003@g.us",
    ])
    const direct = await chatsOf("list_chats", { kind: "direct", limit: 100 })
    expect(direct.chats.every((c) => c.kind === "direct")).toBe(true)
  })

  it("sorts by name on request", async () => {
    const { chats } = await chatsOf("list_chats", { sort_by: "name", limit: 100 })
    const fold = (name: string) => Buffer.from(name.replace(/[A-Z]/g, (c) => c.toLowerCase()))
    const names = chats.map((c) => c.name)
    expect(names).toEqual([...names].sort((a, b) => Buffer.compare(fold(a), fold(b))))
  })

  it("finds chats by part of a name, ignoring accents, or by phone number", async () => {
    const { chats } = await chatsOf("list_chats", { query: "LEFEVRE" })
    expect(chats.map((c) => c.name).sort()).toEqual(["Famille Lefèvre ❤️", "Zoé Lefèvre"])
    const byPhone = await chatsOf("list_chats", { query: "(202) 555-0109" })
    expect(byPhone.chats.map((c) => c.name)).toEqual(["Noah"])
    const none = await chatsOf("list_chats", { query: "'; DROP TABLE chats; --" })
    expect(none.chats).toEqual([])
    expect(none.text).toBe("No chats match.")
  })

  it("leaves the last message out when asked, and pages", async () => {
    const { chats, hasMore } = await chatsOf("list_chats", { include_last_message: false, limit: 3 })
    expect(chats).toHaveLength(3)
    expect(hasMore).toBe(true)
    expect(chats.every((c) => c.last_message === null)).toBe(true)
    const next = await chatsOf("list_chats", { include_last_message: false, limit: 3, page: 1 })
    expect(next.chats.some((c) => chats.some((d) => d.jid === c.jid))).toBe(false)
  })

  it("rejects bad arguments, naming them", async () => {
    for (const [args, argument] of [
      [{ limit: 0 }, "limit"],
      [{ page: -2 }, "page"],
      [{ kind: "channel" }, "kind"],
      [{ sort_by: "unread" }, "sort_by"],
      [{ query: "q".repeat(1000) }, "query"],
    ] as const) {
      const result = await call("list_chats", args)
      expect(result.isError).toBe(true)
      expect(result.text).toContain(argument)
    }
  })
})

describe("get_chat", () => {
  it("finds the same chat by phone number, phone JID or LID, and a group by its JID", async () => {
    for (const chat_jid of ["+1 202 555 0109", "12025550109@s.whatsapp.net", "100000000110417@lid"]) {
      expect((await chatOf("get_chat", { chat_jid })).jid, chat_jid).toBe("12025550109@s.whatsapp.net")
    }
    const group = await chatOf("get_chat", { chat_jid: "120363100000000002@g.us" })
    expect(group).toMatchObject({ name: "Sunday football ⚽ (10am)", kind: "group", participant_count: 3 })
  })

  it("says how to find a chat it does not know", async () => {
    const result = await call("get_chat", { chat_jid: "120363999999999999@g.us" })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/"chat_jid".*120363999999999999@g\.us.*list_chats/)
    const malformed = await call("get_chat", { chat_jid: "abc@g.us" })
    expect(malformed.text).toMatch(/not a valid JID/)
  })
})

describe("get_direct_chat_by_contact", () => {
  it("finds the one-to-one chat whichever identifier is given", async () => {
    for (const sender_phone_number of [
      "100000000110417@lid",
      "+1-202-555-0109",
      "tel:+12025550109",
      "https://wa.me/12025550109?text=hi",
    ]) {
      const chat = await chatOf("get_direct_chat_by_contact", { sender_phone_number })
      expect(chat).toMatchObject({ jid: "12025550109@s.whatsapp.net", name: "Noah", kind: "direct" })
    }
  })

  it("refuses a group and explains an unknown person", async () => {
    const group = await call("get_direct_chat_by_contact", { sender_phone_number: "120363100000000001@g.us" })
    expect(group.text).toMatch(/"sender_phone_number".*not a person/)
    const unknown = await call("get_direct_chat_by_contact", { sender_phone_number: "+33 6 12 34 56 78" })
    expect(unknown.isError).toBe(true)
    expect(unknown.text).toMatch(/search_contacts/)
  })
})

describe("get_contact_chats", () => {
  it("lists the direct chat and the groups shared with a person, most recent first", async () => {
    const { chats } = await chatsOf("get_contact_chats", { jid: "100000000102313@lid" })
    const jids = chats.map((c) => c.jid)
    expect(jids).toContain("12025550101@s.whatsapp.net")
    expect(jids).toContain("120363100000000001@g.us")
    expect(jids).toContain("120363100000000003@g.us")
    expect(jids).not.toContain("12025550102@s.whatsapp.net")
    const active = chats.map((c) => Date.parse(c.last_active ?? "0"))
    expect(active).toEqual([...active].sort((a, b) => b - a))
  })
})

describe("get_last_interaction", () => {
  it("returns the newest message with a person, in whichever chat it was", async () => {
    const result = await call("get_last_interaction", { jid: "+1 202 555 0105" })
    expect(result.isError, result.text).toBe(false)
    const { message, chat } = result.structured as { message: Chat["last_message"]; chat: Chat }
    expect(chat.jid).toBe("120363100000000002@g.us")
    // Her address-book entry was removed, so she shows by the name she gave herself.
    expect(message).toMatchObject({ sender: "Priya" })
    expect(result.text).toMatch(/"Priya": ".*" #\w+\nin "Sunday football/)
  })

  it("says so when there has been no message with the person", async () => {
    const result = await call("get_last_interaction", { jid: "+44 20 7946 0958" })
    expect(result.structured).toEqual({ message: null, chat: null })
    expect(result.text).toBe("No messages with this person are in the store.")
  })
})

// A change to what a model reads about a tool shows up in review; a missing or stale snapshot fails.
describe("toolsnaps", () => {
  it("match the published definition of every tool", async () => {
    await expect(checkToolsnaps(mounted.client, join(__dirname, "__toolsnaps__"))).resolves.toBeUndefined()
  })
})
