// The example plugin as a user loads it: by path from a config file, through the bundled
// whatsapp-mcp server over stdio, next to the built-in plugins.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { demoStore } from "@whatsapp-mcp/testkit"

const root = resolve(__dirname, "../../..")
let client: Client

beforeAll(async () => {
  const storeDir = demoStore()
  const dir = mkdtempSync(join(tmpdir(), "wa-digest-e2e-"))
  const config = join(dir, "whatsapp-mcp.config.json")
  writeFileSync(
    config,
    JSON.stringify({
      store: storeDir,
      timezone: "UTC",
      plugins: { [join(root, "examples/plugin-digest")]: true },
    }),
  )
  client = new Client({ name: "digest-e2e", version: "1.0.0" })
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs"), "--config", config],
      stderr: "pipe",
    }),
  )
})
afterAll(() => client.close())

describe("the digest plugin loaded by path", () => {
  it("is served beside the built-in tools and answers from the store", async () => {
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["unread_digest", "list_messages"]))
    const result = await client.callTool({ name: "unread_digest", arguments: { chats: 1, per_chat: 1 } })
    expect(result.isError).toBeFalsy()
    const { chats } = result.structuredContent as { chats: Array<{ chat_name: string; latest: unknown[] }> }
    expect(chats).toHaveLength(1)
    expect(chats[0]!.latest).toHaveLength(1)
    const { prompts } = await client.listPrompts()
    expect(prompts.map((p) => p.name)).toContain("catch_up")
  })
})
