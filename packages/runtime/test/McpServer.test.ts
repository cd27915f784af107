// The MCP adapter as a client sees it: listing, argument errors, typed failures, defects,
// cancellation, progress, and the store opened on first use.
import { afterEach, describe, expect, it } from "@effect/vitest"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import { mountPromise } from "../src/testing.js"
import { emptyDir, makeStoreDir } from "./support/Stores.js"
import { greeterPlugin, interrupted, testPlugin } from "./support/TestPlugins.js"

type Mounted = Awaited<ReturnType<typeof mountPromise>>
const open: Array<Mounted> = []
const mount = async (options: Parameters<typeof mountPromise>[0]) => {
  const mounted = await mountPromise(options)
  open.push(mounted)
  return mounted
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})

const text = (result: unknown) =>
  ((result as { content: Array<{ type: string; text: string }> }).content ?? []).map((c) => c.text).join("\n")

describe("tools/list", () => {
  it("lists every tool with object input and output schemas and all four annotations", async () => {
    const { client } = await mount({ plugins: [testPlugin] })
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toContain("echo")
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe("object")
      expect(tool.outputSchema?.type).toBe("object")
      expect(Object.keys(tool.annotations ?? {})).toEqual(
        expect.arrayContaining(["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]),
      )
    }
    const echo = tools.find((t) => t.name === "echo")!
    expect(echo.inputSchema.required).toEqual(["text"])
    expect(echo.inputSchema.properties?.times).toMatchObject({
      type: "integer",
      default: 1,
      minimum: 1,
      maximum: 5,
    })
  })
})

describe("tools/call", () => {
  it("returns structuredContent matching the output schema and the tool's text rendering", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const result = await client.callTool({ name: "echo", arguments: { text: "hi", times: 2 } })
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toEqual({ echoed: "hi hi" })
    expect(text(result)).toBe("echo: hi hi")
  })

  it("applies defaults for omitted arguments", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const result = await client.callTool({ name: "echo", arguments: { text: "once" } })
    expect(result.structuredContent).toEqual({ echoed: "once" })
  })

  it("answers bad arguments with a tool error that names each argument", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const result = await client.callTool({ name: "echo", arguments: { text: 42, times: 9, colour: "red" } })
    expect(result.isError).toBe(true)
    const message = text(result)
    expect(message).toMatch(/Invalid arguments for echo/)
    expect(message).toMatch(/^text: /m)
    expect(message).toMatch(/^times: /m)
    expect(message).toMatch(/^colour: /m)
  })

  it("says what a bounded argument accepts, once, without Schema's internal alternatives", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const message = text(await client.callTool({ name: "echo", arguments: { text: "hi", times: -1 } }))
    expect(message).toMatch(/^times: expected a number between 1 and 5; found -1 \(a number\)$/m)
    expect(message).not.toMatch(/undefined/)
  })

  it("answers an unknown tool with a protocol error listing the tools", async () => {
    const { client } = await mount({ plugins: [testPlugin] })
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof McpError && /Unknown tool "no_such_tool".*echo/.test(error.message),
    )
  })

  it("passes a typed failure's message to the model as it is", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const result = await client.callTool({ name: "fail_typed", arguments: {} })
    expect(result.isError).toBe(true)
    expect(text(result)).toBe("The chat 123@g.us does not exist: use list_chats.")
  })

  it("hides a defect's details from the model and logs them", async () => {
    const { client, logs } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const result = await client.callTool({ name: "crash", arguments: {} })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/internal error/)
    expect(text(result)).not.toMatch(/secret internal detail/)
    expect(logs.join("\n")).toMatch(/secret internal detail/)
  })

  it("treats a result that breaks its own output Schema as an internal error", async () => {
    const { client, logs } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const result = await client.callTool({ name: "bad_output", arguments: {} })
    expect(result.isError).toBe(true)
    expect(logs.join("\n")).toMatch(/bad_output returned a value that does not match its output Schema/)
  })

  it("interrupts the handler when the client cancels the call", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const before = interrupted.count
    const controller = new AbortController()
    const call = client.callTool({ name: "wait_forever", arguments: {} }, undefined, {
      signal: controller.signal,
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    controller.abort("user cancelled")
    await expect(call).rejects.toThrow()
    await expect.poll(() => interrupted.count).toBe(before + 1)
  })

  it("sends progress notifications when the client asks for them", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(0) })
    const seen: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = []
    const result = await client.callTool({ name: "count_to_three", arguments: {} }, undefined, {
      onprogress: (p) => seen.push(p),
    })
    expect(result.structuredContent).toEqual({ counted: 3 })
    await expect.poll(() => seen.length).toBe(3)
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3])
    expect(seen[2]).toMatchObject({ total: 3, message: "step 3" })
  })

  it("reads the store through the shared read-only connection", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(7) })
    const result = await client.callTool({ name: "count_rows", arguments: {} })
    expect(result.structuredContent).toEqual({ rows: 7 })
  })

  it("says how to create the store when it does not exist, and picks it up once it does", async () => {
    const dir = emptyDir()
    const { client } = await mount({ plugins: [testPlugin], storeDir: dir })
    const missing = await client.callTool({ name: "count_rows", arguments: {} })
    expect(missing.isError).toBe(true)
    expect(text(missing)).toMatch(/does not exist yet.*pnpm bridge/)

    const { cpSync } = await import("node:fs")
    cpSync(makeStoreDir(2), dir, { recursive: true })
    const found = await client.callTool({ name: "count_rows", arguments: {} })
    expect(found.structuredContent).toEqual({ rows: 2 })
  })

  it("asks for a bridge restart when the store predates this server's schema", async () => {
    const { client } = await mount({ plugins: [testPlugin], storeDir: makeStoreDir(2, 1) })
    const old = await client.callTool({ name: "count_rows", arguments: {} })
    expect(old.isError).toBe(true)
    expect(text(old)).toMatch(/older bridge \(store schema 1, this server reads \d+\)\. Restart the bridge/)
  })

  it("gives each plugin its decoded options through its own Layer", async () => {
    const store = makeStoreDir(0)
    const defaults = await mount({ plugins: [greeterPlugin], storeDir: store })
    const hello = await defaults.client.callTool({ name: "greet", arguments: { name: "Chloé" } })
    expect(hello.structuredContent).toEqual({ greeting: "Hello, Chloé!" })

    const configured = await mount({ plugins: [[greeterPlugin, { greeting: "Bonjour" }]], storeDir: store })
    const bonjour = await configured.client.callTool({ name: "greet", arguments: { name: "Chloé" } })
    expect(bonjour.structuredContent).toEqual({ greeting: "Bonjour, Chloé!" })
  })
})
