// A mention is written into a message's text as `@` and digits (a LID's in LID-addressed groups);
// the phone shows the person's name there, and so does list_messages where the store knows it.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import plugin from "../src/index.js"

const group = "120363000000000077@g.us"
const anaLid = "90000000000044@lid"
const line = (id: string, at: number, participant: string, text: string, extra: object = {}) =>
  JSON.stringify({
    event: "messages.upsert",
    data: {
      type: "notify",
      messages: [
        {
          key: { remoteJid: group, fromMe: false, id, participant },
          messageTimestamp: at,
          message: { extendedTextMessage: { text, contextInfo: { mentionedJid: [anaLid] } } },
          ...extra,
        },
      ],
    },
  })

let mounted: Mounted & { readonly close: () => Promise<void> }
beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "mentions-")), "stream.jsonl")
  writeFileSync(
    file,
    [
      line("M1", 1_754_000_000, anaLid, "hello all", { pushName: "Ana" }),
      line(
        "M2",
        1_754_000_060,
        "90000000000055@lid",
        "@90000000000044 can you bring the cake? @90000000000099 too",
      ),
    ].join("\n"),
  )
  const store = await storeFromStreams([file])
  expect(store.problems).toEqual([])
  mounted = await mountPromise({ plugins: [plugin], storeDir: store.storeDir })
})
afterAll(async () => mounted?.close())

describe("mentions", () => {
  it("show the mentioned person's name where it is known, and the digits as written where not", async () => {
    const result = await mounted.client.callTool({
      name: "list_messages",
      arguments: { chat_jid: group, include_context: false },
    })
    const messages = (result.structuredContent as { messages: ReadonlyArray<{ id: string; text: string }> })
      .messages
    expect(messages.find((m) => m.id === "M2")?.text).toBe("@Ana can you bring the cake? @90000000000099 too")
    expect(messages.find((m) => m.id === "M1")?.text).toBe("hello all")
  })
})
