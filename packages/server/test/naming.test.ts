// One way to name a chat, whichever tool shows it and whichever form of JID was given or stored:
// the five built-in plugins through a real MCP client, on a store the bridge built from the demo
// stream, against a stand-in bridge answering with exchanges recorded from the real one.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import chats from "@whatsapp-mcp/plugin-chats"
import contacts from "@whatsapp-mcp/plugin-contacts"
import media from "@whatsapp-mcp/plugin-media"
import messages from "@whatsapp-mcp/plugin-messages"
import send from "@whatsapp-mcp/plugin-send"
import { type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import { recordedBridge } from "../../../fixtures/src/RecordedBridgeApi.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
const bridgeUrl = "http://127.0.0.1:18081"
const bridge = recordedBridge(bridgeUrl)

// Noah first wrote by LID only; his phone number became known later. The demo's account is Sam's.
const noah = "12025550109@s.whatsapp.net"
const noahLid = "100000000110417@lid"
const noahMessage = "3A3941E097475F50203F"
const self = "12025550100@s.whatsapp.net"
const selfLid = "100000000101300@lid"

let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  const store = await storeFromStreams([demo])
  expect(store.problems).toEqual([])
  const work = mkdtempSync(join(tmpdir(), "naming-"))
  const tokenFile = join(work, "bridge-token")
  writeFileSync(tokenFile, "recorded-token\n")
  mounted = await mountPromise({
    plugins: [contacts, chats, messages, send, media],
    storeDir: store.storeDir,
    tokenFile,
    bridgeUrl,
    timezone: "Europe/Paris",
  })
}, 60_000)
// Read tools ask the bridge for its health (the stale-store line): it answers, connected, as a
// running bridge would, so no request goes unanswered.
beforeEach(() => bridge.answer("health"))
afterEach(() => bridge.reset())
afterAll(async () => {
  await mounted?.close()
  bridge.close()
})

const call = async <A>(name: string, args: Record<string, unknown>) => {
  const result = await mounted.client.callTool({ name, arguments: args })
  const text = (result.content as Array<{ readonly text?: string }>).map((c) => c.text ?? "").join("\n")
  expect(result.isError, text).not.toBe(true)
  return { text, structured: result.structuredContent as A }
}

const chatOf = async (chatJid: string) =>
  (await call<{ chat: { jid: string; name: string } }>("get_chat", { chat_jid: chatJid })).structured.chat

describe("a direct chat WhatsApp addresses by LID", () => {
  it("is named after the person by send_reaction, as get_chat names it, though the bridge answers with the LID", async () => {
    bridge.answer("react-lid-chat")
    const reacted = await call<{ chat_jid: string; chat_name: string }>("send_reaction", {
      chat_jid: noahLid,
      message_id: noahMessage,
      emoji: "👍",
    })
    expect(bridge.received[0]?.body).toMatchObject({ chat_jid: noah })
    const chat = await chatOf(noahLid)
    expect(chat).toMatchObject({ jid: noah, name: "Noah" })
    expect(reacted.structured).toMatchObject({ chat_jid: chat.jid, chat_name: chat.name })
    expect(reacted.text).toContain(`in "Noah" (${noah})`)
    expect(reacted.text).not.toContain(noahLid)
  })

  it("is named after the person by mark_messages_read and list_messages, whichever JID form is given", async () => {
    bridge.answer("mark-read-ids")
    const chat = await chatOf(noah)
    for (const given of [noahLid, noah, "+1 202 555 0109", "12025550109:3@s.whatsapp.net"]) {
      const marked = await call<{ chat_jid: string; chat_name: string }>("mark_messages_read", {
        chat_jid: given,
        message_ids: [noahMessage],
      })
      expect(marked.structured, given).toMatchObject({ chat_jid: chat.jid, chat_name: chat.name })
      const listed = await call<{ messages: Array<{ chat_jid: string; chat_name: string }> }>(
        "list_messages",
        { chat_jid: given, limit: 1, include_context: false },
      )
      expect(listed.structured.messages[0], given).toMatchObject({ chat_jid: chat.jid, chat_name: chat.name })
    }
  })
})

describe("the chat with oneself", () => {
  it("is named \"<your name> (You)\", as in WhatsApp's chat list, by every tool and for either of the account's JIDs", async () => {
    const byPhone = await chatOf("+1 202 555 0100")
    expect(byPhone).toMatchObject({ jid: self, name: "Sam (You)" })
    expect(await chatOf(selfLid)).toMatchObject({ jid: self, name: "Sam (You)" })
    const listed = await call<{ chats: Array<{ jid: string; name: string }> }>("list_chats", { limit: 100 })
    expect(listed.structured.chats.find((c) => c.jid === self)?.name).toBe("Sam (You)")
    // a model looking for the user's notes by "you" finds them
    const found = await call<{ chats: Array<{ jid: string }> }>("list_chats", { query: "you" })
    expect(found.structured.chats.map((c) => c.jid)).toContain(self)
    const notes = await call<{ messages: Array<{ chat_name: string; text: string | null }> }>(
      "list_messages",
      { chat_jid: selfLid, include_context: false },
    )
    expect(notes.structured.messages.map((m) => m.chat_name)).toEqual(
      notes.structured.messages.map(() => "Sam (You)"),
    )
    expect(notes.structured.messages.map((m) => m.text)).toContain(
      "Passport renewal: appointment on 2 April, 9:30.",
    )
    const contact = await call<{ contact: { jid: string; name: string } }>("get_contact", {
      identifier: selfLid,
    })
    expect(contact.structured.contact).toMatchObject({ jid: self, name: "Sam (You)" })
    bridge.answer("mark-read-ids")
    const marked = await call<{ chat_name: string }>("mark_messages_read", { chat_jid: selfLid })
    expect(marked.structured.chat_name).toBe("Sam (You)")
  })
})
