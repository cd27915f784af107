// Resources and prompts as a client sees them.
import { afterEach, describe, expect, it } from "@effect/vitest"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import { Resource } from "@whatsapp-mcp/runtime"
import { mountPromise } from "@whatsapp-mcp/testkit"
import { makeStoreDir } from "../../../testkit/test/support/Stores.js"
import { libraryPlugin } from "../../../testkit/test/support/TestPlugins.js"

const open: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})
const mount = async () => {
  const mounted = await mountPromise({ plugins: [libraryPlugin], storeDir: makeStoreDir(0) })
  open.push(mounted)
  return mounted.client
}

describe("Resource.match", () => {
  it("extracts and decodes placeholders, one path segment each", () => {
    expect(Resource.match("whatsapp://chat/{jid}", "whatsapp://chat/123%40g.us")).toEqual({ jid: "123@g.us" })
    expect(Resource.match("whatsapp://chat/{jid}", "whatsapp://chat/a/b")).toBeUndefined()
    expect(Resource.match("whatsapp://chat/{jid}", "whatsapp://contact/1")).toBeUndefined()
    expect(Resource.match("whatsapp://chat/{jid}", "whatsapp://chat/%E0%A4%A")).toBeUndefined()
  })

  it("expands a template so that match gives the values back", () => {
    const uri = Resource.expand("whatsapp://chat/{jid}", { jid: "33 6/12@s.whatsapp.net" })
    expect(Resource.match("whatsapp://chat/{jid}", uri)).toEqual({ jid: "33 6/12@s.whatsapp.net" })
  })
})

describe("resources", () => {
  it("lists templates and concrete resources, and reads one", async () => {
    const client = await mount()
    const { resourceTemplates } = await client.listResourceTemplates()
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: "test://item/{id}", mimeType: "text/markdown" }),
    ])
    const { resources } = await client.listResources()
    // The plugin's resources, then the connection status every server offers.
    expect(resources.map((r) => r.name)).toEqual(["First", "Café", "status"])
    const read = await client.readResource({ uri: "test://item/caf%C3%A9" })
    expect(read.contents).toEqual([
      { uri: "test://item/caf%C3%A9", mimeType: "text/markdown", text: "# Item café" },
    ])
  })

  it("answers an unknown URI or a typed failure with an error that says what to do", async () => {
    const client = await mount()
    await expect(client.readResource({ uri: "test://nothing/1" })).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof McpError &&
        e.code === -32002 &&
        /no resource matches test:\/\/nothing\/1/.test(e.message),
    )
    await expect(client.readResource({ uri: "test://item/missing" })).rejects.toThrow(
      /list the resources first/,
    )
  })
})

describe("prompts", () => {
  it("lists prompts with their arguments and expands one", async () => {
    const client = await mount()
    const { prompts } = await client.listPrompts()
    expect(prompts).toEqual([
      expect.objectContaining({
        name: "summarise",
        arguments: [
          { name: "topic", required: true, description: "What to summarise." },
          { name: "style", required: false, description: "How." },
        ],
      }),
    ])
    const prompt = await client.getPrompt({
      name: "summarise",
      arguments: { topic: "Sunday", style: "short" },
    })
    expect(prompt.messages).toEqual([
      { role: "user", content: { type: "text", text: "Summarise Sunday in a short style." } },
    ])
  })

  it("names a missing argument and an unknown prompt", async () => {
    const client = await mount()
    await expect(client.getPrompt({ name: "summarise", arguments: {} })).rejects.toThrow(/topic/)
    await expect(client.getPrompt({ name: "nope" })).rejects.toThrow(/Unknown prompt "nope"/)
  })
})
