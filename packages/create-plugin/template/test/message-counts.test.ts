// The plugin's contract tests: its tools served by a real whatsapp-mcp server to a real MCP client,
// reading the demo store the test kit ships (16 chats from January to March 2026, never shifted to
// the present, so the counts below stay true).
import { fileURLToPath } from "node:url"
import {
  checkParameterDescriptions,
  checkToolsnaps,
  demoStore,
  type Mounted,
  mountPromise,
} from "@whatsapp-mcp/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import plugin from "../src/index.js"

let mounted: (Mounted & { readonly close: () => Promise<void> }) | undefined

beforeAll(async () => {
  // Times are read and printed in UTC unless `timezone` says otherwise.
  mounted = await mountPromise({ plugins: [plugin], storeDir: demoStore() })
})
// `?.`: when beforeAll failed there is nothing to close, and its error is the one to read.
afterAll(() => mounted?.close())

const client = () => {
  if (mounted === undefined) throw new Error("the plugin is not mounted: see the error of beforeAll")
  return mounted.client
}

interface Counts {
  readonly chats: ReadonlyArray<{
    readonly chat_jid: string
    readonly chat_name: string
    readonly messages: number
    readonly sent_by_you: number
    readonly last_message_time: string
  }>
}

describe("message_counts", () => {
  it("counts each chat's messages in a week, busiest chat first, with names instead of numbers", async () => {
    const result = await client().callTool({
      name: "message_counts",
      arguments: { after: "2026-03-09", before: "2026-03-16", limit: 3 },
    })
    expect(result.isError).toBeFalsy()
    expect((result.structuredContent as unknown as Counts).chats).toEqual([
      {
        chat_jid: "120363100000000002@g.us",
        chat_name: "Sunday football ⚽",
        messages: 19,
        sent_by_you: 4,
        last_message_time: "2026-03-15T17:56:00+00:00",
      },
      {
        chat_jid: "12025550105@s.whatsapp.net",
        chat_name: "Priya Sharma",
        messages: 12,
        sent_by_you: 5,
        last_message_time: "2026-03-11T10:26:00+00:00",
      },
      {
        chat_jid: "12025550109@s.whatsapp.net",
        chat_name: "Noah",
        messages: 9,
        sent_by_you: 4,
        last_message_time: "2026-03-15T17:58:00+00:00",
      },
    ])
    // what the model reads: one line per chat, names quoted as data
    expect(JSON.stringify(result.content)).toContain(
      '\\"Sunday football ⚽\\" 120363100000000002@g.us: 19 messages',
    )
  })

  it("counts nothing outside the window", async () => {
    const result = await client().callTool({
      name: "message_counts",
      arguments: { after: "2026-02-10", before: "2026-03-01" },
    })
    expect(result.isError).toBeFalsy()
    expect((result.structuredContent as unknown as Counts).chats).toEqual([])
  })

  it("names the argument when a time cannot be read", async () => {
    const result = await client().callTool({ name: "message_counts", arguments: { after: "last Tuesday" } })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toMatch(/after/)
  })

  it("publishes the definition in its toolsnaps", async () => {
    await expect(
      checkToolsnaps(client(), fileURLToPath(new URL("__toolsnaps__", import.meta.url))),
    ).resolves.toBeUndefined()
  })

  it("describes every argument for the model", async () => {
    await expect(checkParameterDescriptions(client())).resolves.toBeUndefined()
  })
})
