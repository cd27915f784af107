// list_messages' unread_only through a real MCP client, on a store the bridge built from the demo
// stream: exactly the messages WhatsApp counts as unread, older ones included, never the user's own.

import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { callTool, type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import plugin from "../src/index.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
const family = "120363100000000001@g.us"
const football = "120363100000000002@g.us"
const zoe = "12025550101@s.whatsapp.net"
const yuki = "12025550106@s.whatsapp.net"
const noah = "12025550109@s.whatsapp.net"
const reminder = "Rappel : déjeuner chez mamie dimanche à midi 🥰"

interface Listed {
  readonly id: string
  readonly chat_jid: string
  readonly from_me: boolean
  readonly text: string | null
  readonly deleted: boolean
}
interface Page {
  readonly messages: ReadonlyArray<Listed>
  readonly has_more: boolean
}

let mounted: Mounted & { readonly close: () => Promise<void> }
beforeAll(async () => {
  const store = await storeFromStreams([demo])
  expect(store.problems).toEqual([])
  mounted = await mountPromise({ plugins: [plugin], storeDir: store.storeDir })
}, 60_000)
afterAll(async () => {
  await mounted?.close()
})

const list = async (args: Record<string, unknown>) => {
  const { isError, text, structured } = await callTool<Page>(mounted.client, "list_messages", args)
  expect(isError, text).not.toBe(true)
  return { page: structured, text }
}

describe("list_messages unread_only", () => {
  it("gives the family group's 3 unread messages, the reminder a page of its latest 3 leaves out among them", async () => {
    const latest = await list({ chat_jid: family, limit: 3, include_context: false })
    expect(latest.page.messages.map((m) => m.text)).not.toContain(reminder)
    expect(latest.page.messages.some((m) => m.from_me)).toBe(true)

    const unread = await list({ chat_jid: family, unread_only: true, include_context: false })
    expect(unread.page.messages).toHaveLength(3)
    expect(unread.page.messages.every((m) => !m.from_me && m.chat_jid === family)).toBe(true)
    expect(unread.page.messages.map((m) => m.text)).toEqual([
      null, // deleted by its sender after it arrived: still unread, shown as deleted
      "J'ai réservé un gâteau à la boulangerie.",
      reminder,
    ])
    expect(unread.page.messages[0]?.deleted).toBe(true)
    expect(unread.page.has_more).toBe(false)
    expect(unread.text).toContain(reminder)
  })

  it("without a chat, gives every chat's unread messages (as many as its unread count), newest first", async () => {
    const { page } = await list({ unread_only: true, limit: 50, include_context: false })
    const perChat = new Map<string, number>()
    for (const m of page.messages) perChat.set(m.chat_jid, (perChat.get(m.chat_jid) ?? 0) + 1)
    expect(Object.fromEntries(perChat)).toEqual({
      [family]: 3,
      [football]: 3,
      [yuki]: 2,
      [zoe]: 2,
      [noah]: 1,
    })
    expect(page.messages.some((m) => m.from_me)).toBe(false)
    expect(page.has_more).toBe(false)
  })

  it("takes the person's chat in any JID form, pages, and combines with the other filters", async () => {
    const byLid = await list({ chat_jid: "100000000110417@lid", unread_only: true, include_context: false })
    expect(byLid.page.messages.map((m) => m.text)).toEqual([
      expect.stringMatching(/^Climbing again Thursday\?/),
    ])
    const first = await list({ chat_jid: family, unread_only: true, limit: 2, include_context: false })
    const second = await list({
      chat_jid: family,
      unread_only: true,
      limit: 2,
      page: 1,
      include_context: false,
    })
    expect(first.page.has_more).toBe(true)
    expect(second.page.has_more).toBe(false)
    expect([...first.page.messages, ...second.page.messages].map((m) => m.text)).toContain(reminder)
    // the words of a read message ("la tarte de mamie", in Inès' chat) are not unread
    const searched = await list({ query: "mamie", unread_only: true, include_context: false })
    expect(searched.page.messages.map((m) => m.text)).toEqual([reminder])
    const sunday = await list({ query: "dimanche", unread_only: true, include_context: false })
    expect(new Set(sunday.page.messages.map((m) => m.chat_jid))).toEqual(new Set([family, zoe]))
    const images = await list({ media_type: "image", unread_only: true, include_context: false })
    expect(images.page.messages.map((m) => m.chat_jid)).toEqual([yuki])
  })

  it("finds nothing in a chat with nothing unread, and in none once the filters exclude all", async () => {
    const read = await list({ chat_jid: "+1 202 555 0103", unread_only: true })
    expect(read.page.messages).toEqual([])
    const before = await list({ unread_only: true, before: "2026-01-01T00:00:00Z" })
    expect(before.page.messages).toEqual([])
  })
})
