// The example plugin's contract tests, written with the test kit against its demo store (the
// bundled demo recording, ready-made), exactly as a third-party author would write them.
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  checkParameterDescriptions,
  checkToolsnaps,
  demoStore,
  type Mounted,
  mountPromise,
} from "@whatsapp-mcp/testkit"
import plugin from "../src/index.js"

let mounted: Mounted & { close: () => Promise<void> }

beforeAll(async () => {
  mounted = await mountPromise({ plugins: [plugin], storeDir: demoStore(), timezone: "Europe/Paris" })
})
afterAll(() => mounted.close())

type Digest = {
  chats: Array<{
    chat_name: string
    unread_count: number
    last_active: string
    latest: Array<{ sender: string; content: string; time: string }>
  }>
}

describe("unread_digest", () => {
  it("lists unread chats, most recently active first, with names instead of numbers", async () => {
    const result = await mounted.client.callTool({ name: "unread_digest", arguments: {} })
    expect(result.isError).toBeFalsy()
    const { chats } = result.structuredContent as Digest
    expect(chats.length).toBeGreaterThan(0)
    expect(chats.every((chat) => chat.unread_count > 0)).toBe(true)
    const times = chats.map((chat) => Date.parse(chat.last_active))
    expect([...times].sort((a, b) => b - a)).toEqual(times)
    expect(chats.map((chat) => chat.chat_name)).toContain("Sunday football ⚽")
    for (const chat of chats) {
      expect(chat.last_active).toMatch(/\+0[12]:00$/)
      expect(chat.latest.length).toBeGreaterThan(0)
      expect(chat.latest.length).toBeLessThanOrEqual(3)
      for (const message of chat.latest) {
        expect(message.sender).not.toBe("You")
        expect(message.sender).not.toMatch(/@/)
      }
    }
  })

  it("keeps to the chats and messages per chat asked for", async () => {
    const result = await mounted.client.callTool({
      name: "unread_digest",
      arguments: { chats: 2, per_chat: 1 },
    })
    const { chats } = result.structuredContent as Digest
    expect(chats).toHaveLength(2)
    expect(chats.every((chat) => chat.latest.length === 1)).toBe(true)
  })

  it("leaves out chats quiet since the given time", async () => {
    const all = (await mounted.client.callTool({ name: "unread_digest", arguments: {} }))
      .structuredContent as Digest
    const newest = all.chats[0]!.last_active
    const recent = await mounted.client.callTool({ name: "unread_digest", arguments: { since: newest } })
    const { chats } = recent.structuredContent as Digest
    expect(chats.map((c) => c.chat_name)).toEqual([all.chats[0]!.chat_name])
    const future = await mounted.client.callTool({
      name: "unread_digest",
      arguments: { since: "2099-01-01" },
    })
    expect((future.structuredContent as Digest).chats).toEqual([])
    expect(JSON.stringify(future.content)).toMatch(/Nothing unread/)
  })

  it("names the argument when since is not a date", async () => {
    const result = await mounted.client.callTool({
      name: "unread_digest",
      arguments: { since: "last tuesday" },
    })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toMatch(/Invalid argument \\"since\\".*ISO-8601/)
  })

  it("renders message contents quoted, as data", async () => {
    const result = await mounted.client.callTool({ name: "unread_digest", arguments: { per_chat: 1 } })
    const text = (result.content as Array<{ text: string }>)[0]!.text
    expect(text.split("\n").filter((line) => line.startsWith("  "))[0]).toMatch(
      /^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}\+\d{2}:\d{2} ".*": ".*" #\w+$/,
    )
  })
})

describe("catch_up", () => {
  it("expands to a request that uses the digest and sends nothing", async () => {
    const prompt = await mounted.client.getPrompt({ name: "catch_up", arguments: { since: "2026-03-15" } })
    const text = (prompt.messages[0]!.content as { text: string }).text
    expect(text).toMatch(/unread_digest with since="2026-03-15"/)
    expect(text).toMatch(/Do not send anything/)
  })
})

describe("toolsnaps", () => {
  it("match the published definition of every tool", async () => {
    await expect(checkToolsnaps(mounted.client, join(__dirname, "__toolsnaps__"))).resolves.toBeUndefined()
  })

  it("describe every parameter for a model, with no filter names as titles", async () => {
    await expect(checkParameterDescriptions(mounted.client)).resolves.toBeUndefined()
  })
})
