// The server as an MCP client starts it: a subprocess speaking MCP on stdio, configured by a file.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { ElicitRequestSchema, type ElicitResult, McpError } from "@modelcontextprotocol/sdk/types.js"
import { checkParameterDescriptions, demoStore } from "@whatsapp-mcp/testkit"
import { builtinToolNames } from "../src/index.js"

// What users run: the bundled server.
const bin = resolve(__dirname, "../dist/bundle/whatsapp-mcp.mjs")
const clients: Array<Client> = []
const children: Array<ChildProcessWithoutNullStreams> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  for (const child of children.splice(0)) child.kill()
})

const configFile = (content: unknown) => {
  const dir = mkdtempSync(join(tmpdir(), "wa-server-"))
  const file = join(dir, "whatsapp-mcp.config.json")
  writeFileSync(file, JSON.stringify(content))
  return file
}

const connect = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, ...args],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  })
  const client = new Client({ name: "stdio-test", version: "1.0.0" })
  await client.connect(transport)
  clients.push(client)
  return client
}

type JsonRpcError = { code: number; message: string; data?: unknown }

/** The server as a hand-written client sees it: JSON-RPC lines on its stdin and stdout, no SDK. */
const rawStdio = async (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "" } })
  children.push(child)
  const answers = new Map<number, (answer: { result?: unknown; error?: JsonRpcError }) => void>()
  let pending = ""
  child.stdout.setEncoding("utf8")
  child.stdout.on("data", (chunk: string) => {
    pending += chunk
    const lines = pending.split("\n")
    pending = lines.pop() ?? ""
    for (const line of lines) {
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: JsonRpcError }
      if (typeof message.id === "number") answers.get(message.id)?.(message)
    }
  })
  let next = 1
  const request = (method: string, params?: unknown) =>
    new Promise<{ result?: unknown; error?: JsonRpcError }>((resolve) => {
      const id = next++
      answers.set(id, resolve)
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })}\n`,
      )
    })
  const initialized = await request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw-stdio-test", version: "1.0.0" },
  })
  expect(initialized.error).toBeUndefined()
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)
  return request
}

const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort()

describe("whatsapp-mcp over stdio", () => {
  it("lists the 16 built-in tools with object schemas and annotations when there is no config file", async () => {
    const client = await connect(["--store", mkdtempSync(join(tmpdir(), "wa-nostore-"))])
    expect(client.getServerVersion()?.name).toBe("whatsapp-mcp")
    expect(client.getInstructions()).toMatch(/search_contacts/)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual([...builtinToolNames].sort())
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe("object")
      expect(tool.outputSchema?.type).toBe("object")
      expect(typeof tool.annotations?.readOnlyHint).toBe("boolean")
      expect(typeof tool.annotations?.destructiveHint).toBe("boolean")
      expect(typeof tool.annotations?.idempotentHint).toBe("boolean")
      expect(typeof tool.annotations?.openWorldHint).toBe("boolean")
    }
  })

  it("describes every parameter of every tool, the example plugin's included, for a model", async () => {
    const file = configFile({
      plugins: { [resolve(__dirname, "../../../examples/plugin-digest")]: true },
    })
    const client = await connect(["--config", file, "--store", mkdtempSync(join(tmpdir(), "wa-nostore-"))])
    expect(await names(client)).toEqual([...builtinToolNames, "unread_digest"].sort())
    await expect(checkParameterDescriptions(client)).resolves.toBeUndefined()
  })

  it("serves only the enabled plugins' tools, minus exclusions", async () => {
    const file = configFile({
      plugins: { send: false, media: false },
      tools: { exclude: ["get_last_interaction"] },
    })
    const tools = await names(await connect(["--config", file]))
    expect(tools).not.toContain("send_message")
    expect(tools).not.toContain("download_media")
    expect(tools).not.toContain("get_last_interaction")
    expect(tools).toContain("list_messages")
    expect(tools).toHaveLength(16 - 5 - 1 - 1)
  })

  it("drops every tool that changes something in read-only mode (file, flag or environment)", async () => {
    const viaFile = await names(await connect(["--config", configFile({ readOnly: true })]))
    const viaEnv = await names(await connect([], { WHATSAPP_MCP_READ_ONLY: "1" }))
    const viaFlag = await names(await connect(["--read-only"]))
    for (const tools of [viaFile, viaEnv, viaFlag]) {
      expect(tools).not.toContain("send_message")
      expect(tools).not.toContain("mark_messages_read")
      expect(tools).toContain("list_messages")
      expect(tools).toContain("download_media")
    }
  })

  it("loads a third-party plugin by path from the config file", async () => {
    const file = configFile({
      plugins: { [resolve(__dirname, "../../testkit/test/support/path-plugin.mjs")]: true },
    })
    const client = await connect(["--config", file])
    expect(await names(client)).toContain("note_ping")
  })

  it("answers a tool call with a clear error while the store does not exist", async () => {
    const client = await connect(["--store", mkdtempSync(join(tmpdir(), "wa-nostore-"))])
    const result = await client.callTool({ name: "list_chats", arguments: {} })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toMatch(/does not exist yet.*pnpm bridge/)
  })
})

describe("sends confirmed by the person over stdio", () => {
  /** A client that can ask its user, who answers the confirmation with `answer`. */
  const askingClient = async (answer: (message: string) => Promise<ElicitResult> | ElicitResult) => {
    const client = new Client(
      { name: "stdio-test", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } } },
    )
    client.setRequestHandler(ElicitRequestSchema, (request) =>
      answer((request.params as { message: string }).message),
    )
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        // No bridge is at this address: a send that got past the confirmation would say so.
        args: [
          bin,
          "--store",
          demoStore(),
          "--config",
          configFile({ bridge: { url: "http://127.0.0.1:9" } }),
        ],
        env: { PATH: process.env.PATH ?? "" },
        stderr: "pipe",
      }),
    )
    clients.push(client)
    return client
  }
  const onMyWay = { recipient: "+1 202 555 0101", message: "On my way!" }

  it("asks a client that can before a send, and sends nothing when the person dismisses it", async () => {
    const asked: Array<string> = []
    const client = await askingClient((message) => {
      asked.push(message)
      return { action: "cancel" }
    })
    const result = await client.callTool({ name: "send_message", arguments: onMyWay })
    expect(result.isError).toBe(true)
    expect((result.content as Array<{ text: string }>)[0]?.text).toMatch(/^Not sent: the user dismissed/)
    expect(asked).toEqual([
      'Send this WhatsApp message?\nTo: "Zoé Lefèvre" (+12025550101)\nMessage:\nOn my way!',
    ])
  })

  it("tells a client that asked for progress, every 10 s, that the send waits for the person", async () => {
    // The person accepts once the client has heard that the call still waits.
    let heard: (() => void) | undefined
    const reported = new Promise<void>((resolve) => {
      heard = resolve
    })
    const client = await askingClient(() => reported.then(() => ({ action: "accept" as const })))
    const progress: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = []
    const result = await client.callTool({ name: "send_message", arguments: onMyWay }, undefined, {
      onprogress: (p) => {
        progress.push(p)
        heard?.()
      },
    })
    expect((result.content as Array<{ text: string }>)[0]?.text).toMatch(/^The WhatsApp bridge /)
    expect(progress[0]?.total).toBe(120)
    expect(progress[0]?.message).toMatch(
      /^Waiting for the user to confirm at the client: 1 min \d+ s left before the request is withdrawn and nothing is done\.$/,
    )
  }, 30_000)
})

describe("protocol errors over stdio", () => {
  it("answers malformed params with -32602 naming the param, an unknown resource with -32002, a foreign cursor with -32602", async () => {
    const request = await rawStdio(["--store", mkdtempSync(join(tmpdir(), "wa-nostore-"))])
    const level = await request("logging/setLevel", { level: "loud" })
    expect(level.error?.code).toBe(-32602)
    expect(level.error?.message).toMatch(
      /^Invalid params for logging\/setLevel: `level` must be one of "debug", .*, not "loud"\.$/,
    )
    const name = await request("tools/call", { name: 7 })
    expect(name.error).toEqual({
      code: -32602,
      message: "Invalid params for tools/call: `name` must be a string, not 7.",
    })
    const uri = await request("resources/read", {})
    expect(uri.error).toEqual({
      code: -32602,
      message: "Invalid params for resources/read: `uri` is required: a string.",
    })
    const unknown = await request("resources/read", { uri: "whatsapp://contact/1" })
    expect(unknown.error?.code).toBe(-32002)
    expect(unknown.error?.message).toMatch(
      /^Resource not found: no resource matches whatsapp:\/\/contact\/1\./,
    )
    expect(unknown.error?.data).toEqual({ uri: "whatsapp://contact/1" })
    for (const method of ["tools/list", "resources/list", "resources/templates/list"]) {
      const listed = await request(method, { cursor: "eyJwYWdlIjoyfQ" })
      expect(listed.error?.code, method).toBe(-32602)
      expect(listed.error?.message, method).toMatch(/`cursor` was not issued by this server/)
    }
    // The server is still serving after all of them.
    const tools = await request("tools/list", {})
    expect((tools.result as { tools: Array<unknown> }).tools).toHaveLength(builtinToolNames.length)
  })

  it("gives a TypeScript client an unknown tool's error with its code said once", async () => {
    const client = await connect(["--store", mkdtempSync(join(tmpdir(), "wa-nostore-"))])
    const error = await client.callTool({ name: "no_such_tool", arguments: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(McpError)
    expect((error as McpError).code).toBe(-32602)
    expect((error as McpError).message).toMatch(
      /^MCP error -32602: Unknown tool "no_such_tool"\. Available tools: /,
    )
    expect((error as McpError).message.match(/MCP error/g)).toHaveLength(1)
  })
})

describe("start-up errors", () => {
  const run = (args: ReadonlyArray<string>) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", input: "", timeout: 20_000 })

  it.each([
    [{ plugins: { contacs: true } }, /plugins\.contacs: unknown plugin "contacs"/],
    [{ tools: { exclude: ["send_mesage"] } }, /tools\.exclude: unknown tool "send_mesage"/],
    [{ timezone: "Moon/Base" }, /timezone: .*not a time zone name/],
    [{ plugins: { "./nowhere.js": true } }, /plugins\.\.\/nowhere\.js: the plugin could not be loaded/],
    [{ plugins: { medai: false } }, /plugins\.medai: unknown plugin "medai"\. Did you mean "media"\?/],
    [
      { plugins: { media: { foo: 1 } } },
      /plugins\.media\.foo: unknown option: the plugin "media" takes no options/,
    ],
    [
      { plugins: { send: { allowedFileRoots: "~/outbox" } } },
      /plugins\.send\.allowedFileRoots: expected a list of folders; found "~\/outbox" \(a string\)/,
    ],
    [
      { bridge: { url: "http://192.0.2.10:8080" } },
      /bridge\.url: "http:\/\/192\.0\.2\.10:8080" is not on this machine/,
    ],
  ])("refuses %j with a message naming the key and a non-zero exit", (content, pattern) => {
    const result = run(["--config", configFile(content)])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(pattern)
    expect(result.stdout).toBe("")
  })

  it("starts with a bridge on another machine only when the config allows it, warning that the token goes there", () => {
    // Nothing is sent: the server exits as soon as its (empty) stdin ends, before any tool call.
    const result = run([
      "--config",
      configFile({ bridge: { url: "http://192.0.2.10:8080", allowRemote: true } }),
      "--store",
      mkdtempSync(join(tmpdir(), "wa-nostore-")),
    ])
    expect(result.status).toBe(0)
    expect(result.stderr).toMatch(
      /warning: the bridge is on another machine \(192\.0\.2\.10:8080, allowed by "allowRemote"\): its token goes there with every request, in plain http/,
    )
    expect(result.stdout).toBe("")
  })

  it("refuses an unknown flag and prints the usage on stderr", () => {
    const result = run(["--colour"])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/unknown argument "--colour"[\s\S]*Usage: whatsapp-mcp/)
    expect(result.stdout).toBe("")
  })
})

describe("--print-client-config", () => {
  it.each(["claude-desktop", "cursor"])(
    "prints %s JSON that starts this server with absolute paths",
    (client) => {
      const store = mkdtempSync(join(tmpdir(), "wa-store-"))
      const result = spawnSync(process.execPath, [bin, "--print-client-config", client, "--store", store], {
        encoding: "utf8",
      })
      expect(result.status).toBe(0)
      const config = JSON.parse(result.stdout)
      expect(config.mcpServers.whatsapp).toEqual({ command: process.execPath, args: [bin, "--store", store] })
      expect(result.stderr).toMatch(/Merge this into/)
    },
  )

  it("prints the claude mcp add command line for Claude Code", () => {
    const file = configFile({ timezone: "Europe/Berlin" })
    const result = spawnSync(
      process.execPath,
      [bin, "--print-client-config", "claude-code", "--config", file],
      {
        encoding: "utf8",
      },
    )
    expect(result.status).toBe(0)
    expect(result.stdout.trim()).toBe(
      `claude mcp add whatsapp -- ${process.execPath} ${bin} --config ${file}`,
    )
  })
})
