// The MCP adapter as a client sees it: listing, argument errors, typed failures, defects,
// cancellation, progress, and the store opened on first use.
import { afterEach, describe, expect, it } from "@effect/vitest"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { type JSONRPCMessage, McpError } from "@modelcontextprotocol/sdk/types.js"
import { mountPromise } from "@whatsapp-mcp/testkit"
import { emptyDir, makeStoreDir } from "../../../testkit/test/support/Stores.js"
import {
  greeterPlugin,
  interrupted,
  libraryPlugin,
  testPlugin,
} from "../../../testkit/test/support/TestPlugins.js"

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

type JsonRpcError = { code: number; message: string; data?: unknown }

/**
 * The mounted server, talked to in raw JSON-RPC instead of through the SDK client (which checks
 * params itself), so that malformed requests reach the server as a hand-written client sends them.
 */
const rawSession = async (mounted: Mounted) => {
  await mounted.client.close()
  const [ours, theirs] = InMemoryTransport.createLinkedPair()
  const answers = new Map<number, (message: JSONRPCMessage) => void>()
  ours.onmessage = (message) => {
    if ("id" in message && typeof message.id === "number") answers.get(message.id)?.(message)
  }
  await mounted.application.server.connect(theirs)
  await ours.start()
  let next = 1
  return {
    /** Sends a request and resolves with its error (or undefined when it succeeded). */
    error: (method: string, params?: unknown) =>
      new Promise<JsonRpcError | undefined>((resolve) => {
        const id = next++
        answers.set(id, (message) => resolve((message as { error?: JsonRpcError }).error))
        void ours.send({
          jsonrpc: "2.0",
          id,
          method,
          ...(params === undefined ? {} : { params }),
        } as JSONRPCMessage)
      }),
  }
}

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
    const [rendering, notice] = (result.content as Array<{ text: string }>).map((c) => c.text)
    expect(rendering).toBe("echo: hi hi")
    // No bridge answers here: a tool that reads only the store says its answer may be stale.
    expect(notice).toMatch(/^WhatsApp is not connected \(the bridge is not running or not answering\)/)
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

  it("answers an unknown tool with a protocol error listing the tools, its code said once", async () => {
    const { client } = await mount({ plugins: [testPlugin] })
    const error = await client.callTool({ name: "no_such_tool", arguments: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(McpError)
    expect((error as McpError).code).toBe(-32602)
    expect((error as McpError).message).toMatch(
      /^MCP error -32602: Unknown tool "no_such_tool"\. Available tools: .*echo/,
    )
    expect((error as McpError).message.match(/MCP error/g)).toHaveLength(1)
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

describe("protocol errors", () => {
  it("answers params that break a method's schema with -32602 naming the param, not -32603", async () => {
    const session = await rawSession(await mount({ plugins: [testPlugin, libraryPlugin] }))

    const level = await session.error("logging/setLevel", { level: "verbose" })
    expect(level?.code).toBe(-32602)
    expect(level?.message).toMatch(
      /^Invalid params for logging\/setLevel: `level` must be one of "debug", "info", .*"emergency", not "verbose"\.$/,
    )

    const name = await session.error("tools/call", { name: 42, arguments: {} })
    expect(name?.code).toBe(-32602)
    expect(name?.message).toBe("Invalid params for tools/call: `name` must be a string, not 42.")

    const args = await session.error("tools/call", { name: "echo", arguments: "text=hi" })
    expect(args?.message).toBe('Invalid params for tools/call: `arguments` must be an object, not "text=hi".')

    const uri = await session.error("resources/read", {})
    expect(uri?.code).toBe(-32602)
    expect(uri?.message).toBe("Invalid params for resources/read: `uri` is required: a string.")

    const none = await session.error("prompts/get")
    expect(none?.code).toBe(-32602)
    expect(none?.message).toBe("Invalid params for prompts/get: `params` is required: an object.")

    // What passes the schema still reaches the server, and an unknown method stays -32601.
    expect(await session.error("logging/setLevel", { level: "warning" })).toBeUndefined()
    expect((await session.error("completion/complete", { nope: 1 }))?.code).toBe(-32601)
    for (const answer of [level, name, uri, none])
      expect(answer?.message).not.toMatch(/MCP error|\[\s*\{|"path"/)
  })

  it("answers an unknown resource URI with -32002 Resource not found, naming the URI", async () => {
    const { client } = await mount({ plugins: [libraryPlugin], storeDir: makeStoreDir(0) })
    const error = await client.readResource({ uri: "test://nothing/1" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(McpError)
    expect((error as McpError).code).toBe(-32002)
    expect((error as McpError).data).toEqual({ uri: "test://nothing/1" })
    expect((error as McpError).message).toMatch(
      /^MCP error -32002: Resource not found: no resource matches test:\/\/nothing\/1\. Resource templates: test:\/\/item\/\{id\}; the connection status is whatsapp:\/\/status\.$/,
    )
  })

  it("refuses a cursor it never issued on every list method with -32602", async () => {
    const { client } = await mount({ plugins: [testPlugin, libraryPlugin], storeDir: makeStoreDir(0) })
    const lists = [
      ["tools/list", () => client.listTools({ cursor: "page-2" })],
      ["resources/list", () => client.listResources({ cursor: "page-2" })],
      ["resources/templates/list", () => client.listResourceTemplates({ cursor: "page-2" })],
      ["prompts/list", () => client.listPrompts({ cursor: "page-2" })],
    ] as const
    for (const [method, list] of lists) {
      const error = await list().catch((e: unknown) => e)
      expect(error, method).toBeInstanceOf(McpError)
      expect((error as McpError).code, method).toBe(-32602)
      expect((error as McpError).message).toContain(
        `Invalid params for ${method}: \`cursor\` was not issued by this server`,
      )
    }
    // Without a cursor each lists everything in one page, with no next cursor.
    const tools = await client.listTools()
    expect(tools.tools.length).toBeGreaterThan(0)
    expect(tools.nextCursor).toBeUndefined()
  })
})
