// One time format in every text a model reads: tools, resources and prompts, built-in plugins and
// the example third-party one, in the configured zone with its offset.
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import chats from "@whatsapp-mcp/plugin-chats"
import contacts from "@whatsapp-mcp/plugin-contacts"
import messages from "@whatsapp-mcp/plugin-messages"
import { type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import digest from "../../../examples/plugin-digest/src/index.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  const store = await storeFromStreams([demo])
  mounted = await mountPromise({
    plugins: [contacts, chats, messages, digest],
    storeDir: store.storeDir,
    timezone: "Europe/Paris",
  })
}, 60_000)
afterAll(async () => {
  await mounted?.close()
})

/** Anything that looks like a date with a time, in any of the formats a rendering could use. */
const dateTime = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?/g
/** The format; a listing leaves the offset out of a line when the line above said the same one. */
const theFormat = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?:\+0[12]:00)?$/
const withOffset = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\+0[12]:00$/

const textOf = async (name: string, args: Record<string, unknown>) => {
  const result = await mounted.client.callTool({ name, arguments: args })
  expect(result.isError, name).not.toBe(true)
  return (result.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n")
}

describe("time in every rendering", () => {
  it("is printed one way by tools, resources and prompts: date, time to the minute, offset", async () => {
    const texts = [
      await textOf("list_messages", { limit: 50 }),
      await textOf("list_messages", { query: "dimanche" }),
      await textOf("get_message_context", { message_id: "3EB05E328F05E682C2C564" }),
      await textOf("list_chats", {}),
      await textOf("get_chat", { chat_jid: "120363100000000001@g.us" }),
      await textOf("get_contact_chats", { jid: "+12025550101" }),
      await textOf("get_last_interaction", { jid: "+12025550101" }),
      await textOf("unread_digest", {}),
    ]
    const { resources } = await mounted.client.listResources()
    const first = resources[0]
    expect(first).toBeDefined()
    const resource = await mounted.client.readResource({ uri: first?.uri ?? "" })
    texts.push((resource.contents[0] as { text: string }).text)
    const prompt = await mounted.client.getPrompt({ name: "catch_up", arguments: {} })
    texts.push(prompt.messages.map((m) => (m.content as { text?: string }).text ?? "").join("\n"))
    const printed = texts.map((text) => [...text.matchAll(dateTime)].map((m) => m[0]))
    expect(printed.flat().length).toBeGreaterThan(20)
    for (const times of printed) {
      // every text says the offset on its first time, in the configured zone
      if (times[0] !== undefined) expect(times[0]).toMatch(withOffset)
      for (const time of times) expect(time).toMatch(theFormat)
    }
  })
})
