// Resource subscriptions as a client meets them: subscribe to a chat or to what needs attention, the
// bridge's ingestion stores a message, the client hears `notifications/resources/updated`.
import { copyFileSync, renameSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import chats from "@whatsapp-mcp/plugin-chats"
import messages from "@whatsapp-mcp/plugin-messages"
import { demoStore, mountPromise } from "@whatsapp-mcp/testkit"
import { libraryPlugin } from "../../testkit/test/support/TestPlugins.js"
import { deliver, deliverEvents, Heard, textOf } from "./support/Notifications.js"

const lucia = "whatsapp://chat/12025550103%40s.whatsapp.net"
const zoe = "whatsapp://chat/12025550101%40s.whatsapp.net"
const attention = "whatsapp://attention"

const open: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})

const mount = async (storeDir = demoStore()) => {
  const mounted = await mountPromise({ plugins: [chats, messages], storeDir })
  open.push(mounted)
  return { ...mounted, storeDir, heard: new Heard(mounted.client) }
}

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(McpError)
  return error as McpError
}

describe("subscribing to a chat", () => {
  it("advertises subscribe and listChanged, with the plugins whose resources follow the store", async () => {
    const { client } = await mount()
    expect(client.getServerCapabilities()?.resources).toEqual({ subscribe: true, listChanged: true })
    const other = await mountPromise({ plugins: [libraryPlugin], storeDir: demoStore() })
    open.push(other)
    // Its resources do not change with the store: nothing to subscribe to, nothing is promised.
    expect(other.client.getServerCapabilities()?.resources).toEqual({ listChanged: false })
  })

  it("tells a subscribed client when a message arrives in the chat, and only in that chat", async () => {
    const { client, storeDir, heard } = await mount()
    await client.subscribeResource({ uri: zoe })
    await client.subscribeResource({ uri: lucia })
    await deliver(storeDir, [{ chat: "12025550103@s.whatsapp.net", text: "Running late, save me a seat" }])
    await heard.until(`updated ${lucia}`)
    // Zoé's would have come in the same look, before Lucía's (subscribed first): there was none.
    expect(heard.events).not.toContain(`updated ${zoe}`)
    expect(textOf(await client.readResource({ uri: lucia }))).toContain("Running late, save me a seat")
  })

  it("tells when a message in the chat is edited or deleted for everyone, and not when only its ticks change", async () => {
    const { client, storeDir, heard } = await mount()
    const [key] = await deliver(storeDir, [{ chat: "12025550103@s.whatsapp.net", text: "See you at 8" }])
    await client.subscribeResource({ uri: lucia })
    const at = Math.floor(Date.now() / 1000)
    // As Baileys reports an edit, after processMessage: the new text in messages.update.
    await deliverEvents(storeDir, [
      {
        event: "messages.update",
        data: [
          {
            key,
            update: {
              message: { editedMessage: { message: { conversation: "See you at 9" } } },
              messageTimestamp: at,
            },
          },
        ],
      },
    ])
    await heard.until(`updated ${lucia}`)
    expect(textOf(await client.readResource({ uri: lucia }))).toContain("See you at 9")

    // A read receipt changes nothing the transcript shows: no news. Zoé's message after it is
    // heard only once the watcher has looked past the receipt.
    await client.subscribeResource({ uri: zoe })
    const afterEdit = heard.events.length
    await deliverEvents(storeDir, [{ event: "messages.update", data: [{ key, update: { status: 4 } }] }])
    await deliver(storeDir, [{ chat: "12025550101@s.whatsapp.net", text: "Bonne soirée" }])
    await heard.until(`updated ${zoe}`, afterEdit)
    // Deleted for everyone: the transcript no longer shows the text.
    await deliverEvents(storeDir, [
      { event: "messages.update", data: [{ key, update: { message: null, messageStubType: 1 } }] },
    ])
    await heard.until(`updated ${lucia}`, afterEdit)
    expect(heard.events.slice(afterEdit)).toEqual([`updated ${zoe}`, `updated ${lucia}`])
    expect(textOf(await client.readResource({ uri: lucia }))).not.toContain("See you at 9")
  })

  it("stops telling once unsubscribed", async () => {
    const { client, storeDir, heard } = await mount()
    await client.subscribeResource({ uri: lucia })
    await client.unsubscribeResource({ uri: lucia })
    await client.subscribeResource({ uri: zoe })
    await deliver(storeDir, [
      { chat: "12025550103@s.whatsapp.net", text: "Are you there?" },
      { chat: "12025550101@s.whatsapp.net", text: "Coucou !" },
    ])
    await heard.until(`updated ${zoe}`)
    expect(heard.events).not.toContain(`updated ${lucia}`)
  })

  it("follows a chat under any form of the person's JID: a LID, or a phone number", async () => {
    const { client, storeDir, heard } = await mount()
    // Noah's chat is stored under his phone JID; the demo learnt his LID too.
    const byLid = "whatsapp://chat/100000000110417%40lid"
    const byNumber = `whatsapp://chat/${encodeURIComponent("+1 202 555 0109")}`
    await client.subscribeResource({ uri: byLid })
    await client.subscribeResource({ uri: byNumber })
    await deliver(storeDir, [{ chat: "12025550109@s.whatsapp.net", text: "Thursday 7pm then" }])
    await heard.until(`updated ${byLid}`)
    await heard.until(`updated ${byNumber}`)
  })

  it("allows a chat that is not in the store yet, and tells when it appears, with list_changed", async () => {
    const { client, storeDir, heard } = await mount()
    const stranger = "whatsapp://chat/12025550177%40s.whatsapp.net"
    await expect(client.readResource({ uri: stranger })).rejects.toThrow(/no chat with/)
    await client.subscribeResource({ uri: stranger })
    const before = (await client.listResources()).resources.length
    await deliver(storeDir, [
      { chat: "12025550177@s.whatsapp.net", text: "Hi Sam, Marco from the gym", push: "Marco" },
    ])
    await heard.until(`updated ${stranger}`)
    await heard.until("list_changed")
    const after = await client.listResources()
    expect(after.resources.length).toBe(before + 1)
    expect(after.resources.map((r) => r.uri)).toContain(stranger)
    expect(textOf(await client.readResource({ uri: stranger }))).toContain("Marco from the gym")
  })
})

describe("what needs attention", () => {
  it("lists the unread chats with their unread messages, and tells when that changes", async () => {
    const { client, storeDir, heard } = await mount()
    const listed = (await client.listResources()).resources.find((r) => r.uri === attention)
    expect(listed?.description).toMatch(/^\d+ chats? unread$/)
    const before = textOf(await client.readResource({ uri: attention }))
    expect(before).toMatch(/^# Needs attention\n\n\d+ unread messages? in \d+ chats?\./)
    expect(before).not.toContain("Is the boat trip still on?")
    await client.subscribeResource({ uri: attention })
    await deliver(storeDir, [{ chat: "12025550103@s.whatsapp.net", text: "Is the boat trip still on?" }])
    await heard.until(`updated ${attention}`)
    const after = textOf(await client.readResource({ uri: attention }))
    expect(after).toContain("Is the boat trip still on?")
    expect(after).toContain("Lucía")
  })
})

describe("subscriptions that cannot be", () => {
  it("refuses a URI no resource has, and one that names no chat, saying what to do", async () => {
    const { client } = await mount()
    const unknown = await rejection(client.subscribeResource({ uri: "whatsapp://nothing/1" }))
    expect(unknown.code).toBe(-32002)
    expect(unknown.message).toMatch(/no resource matches whatsapp:\/\/nothing\/1.*whatsapp:\/\/chat\/\{jid\}/)
    const malformed = await rejection(client.subscribeResource({ uri: "whatsapp://chat/not%20a%20number" }))
    expect(malformed.code).toBe(-32602)
    expect(malformed.message).toMatch(/not a number|phone number/i)
    const status = await rejection(client.subscribeResource({ uri: "whatsapp://status" }))
    expect(status.message).toMatch(/cannot be subscribed to/)
  })

  it("caps one session's subscriptions, with an error that says how to make room", async () => {
    const { client, application } = await mount()
    for (let i = 0; i < 100; i++)
      await client.subscribeResource({ uri: `whatsapp://chat/${12025551000 + i}%40s.whatsapp.net` })
    // The same one again is no new subscription.
    await client.subscribeResource({ uri: "whatsapp://chat/12025551000%40s.whatsapp.net" })
    const refused = await rejection(client.subscribeResource({ uri: lucia }))
    expect(refused.code).toBe(-32602)
    expect(refused.message).toMatch(/already follows 100 resources.*Unsubscribe from some/)
    expect(application.watcher.subscriptions()).toBe(100)
    await client.unsubscribeResource({ uri: "whatsapp://chat/12025551000%40s.whatsapp.net" })
    await client.subscribeResource({ uri: lucia })
  })

  it("looks at the store only while someone is subscribed, and forgets a closed session's subscriptions", async () => {
    const { client, application } = await mount()
    expect(application.watcher.running()).toBe(false)
    await client.subscribeResource({ uri: lucia })
    await client.subscribeResource({ uri: attention })
    expect(application.watcher.running()).toBe(true)
    await client.unsubscribeResource({ uri: lucia })
    expect(application.watcher.running()).toBe(true)
    await client.close()
    // The in-memory transport closes both ends at once: the server's session is gone with it.
    expect(application.watcher.subscriptions()).toBe(0)
    expect(application.watcher.running()).toBe(false)
  })
})

describe("a store replaced under the server", () => {
  it("reads the new store and tells every subscriber that everything changed", async () => {
    const storeDir = demoStore()
    const { client, heard } = await mount(storeDir)
    await client.subscribeResource({ uri: lucia })
    // A fresh demo (or a new pairing) makes another file at the same path.
    const other = demoStore()
    await deliver(other, [{ chat: "12025550103@s.whatsapp.net", text: "Written to the new store" }])
    copyFileSync(join(other, "messages.db"), join(storeDir, "messages.db.next"))
    renameSync(join(storeDir, "messages.db.next"), join(storeDir, "messages.db"))
    await heard.until(`updated ${lucia}`)
    await heard.until("list_changed")
    expect(textOf(await client.readResource({ uri: lucia }))).toContain("Written to the new store")
  })
})
