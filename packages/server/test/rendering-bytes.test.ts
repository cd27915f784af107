// A model pays for every byte a tool returns: list_messages' text on the demo recording costs no
// more than the original project's one line per message for the same rows, and still carries what
// makes each message actionable (its id, who, when). The figures are `bench/rendering-bytes.mjs`'s.
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import chats from "@whatsapp-mcp/plugin-chats"
import contacts from "@whatsapp-mcp/plugin-contacts"
import messages from "@whatsapp-mcp/plugin-messages"
import { callTool, type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import { bytes, originalRendering, shownOf, typicalCalls } from "../../../bench/RenderingComparison.js"

const root = resolve(__dirname, "../../..")
type Listed = { readonly chats: Parameters<typeof typicalCalls>[0] }
type Page = { readonly messages: Parameters<typeof shownOf>[0] }
let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  const store = await storeFromStreams([join(root, "fixtures/demo/demo.jsonl")])
  expect(store.problems).toEqual([])
  mounted = await mountPromise({
    plugins: [contacts, chats, messages],
    storeDir: store.storeDir,
    timezone: "UTC",
  })
})
afterAll(async () => {
  await mounted?.close()
})

const call = async <Structured>(name: string, args: Record<string, unknown>) => {
  const { isError, text, structured } = await callTool<Structured>(mounted.client, name, args)
  expect(isError, text).toBeFalsy()
  return { text, structured }
}

describe("what a model reads", () => {
  it("costs no more bytes than the original's rendering of the same rows over the demo's typical calls, every message with its id", async () => {
    const listed = (await call<Listed>("list_chats", { limit: 50 })).structured.chats
    let ours = 0
    let original = 0
    for (const [label, args] of typicalCalls(listed)) {
      const { text, structured } = await call<Page>("list_messages", args)
      const shown = shownOf(structured.messages)
      expect(shown.length, label).toBeGreaterThan(0)
      // each message on its own line, with its id to reply, react or download
      const lines = text.split("\n")
      for (const m of shown)
        expect(
          lines.filter((line) => line.endsWith(` #${m.id}`)),
          `${label} ${m.id}`,
        ).toHaveLength(1)
      ours += bytes(text)
      original += bytes(originalRendering(structured.messages))
    }
    expect(ours).toBeLessThanOrEqual(original)
  })
})
