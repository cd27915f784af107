// `whatsapp-mcp --http` as a user starts it: the bundled command, a real listener on 127.0.0.1, the
// SDK's client, and the signals a terminal or a service manager sends.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { demoStore } from "@whatsapp-mcp/testkit"
import { freePort } from "./support/FreePort.js"

const bin = resolve(__dirname, "../dist/bundle/whatsapp-mcp.mjs")
const children: Array<ChildProcessWithoutNullStreams> = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill()
})

/** Starts the command and waits for the line that says where it listens. */
const start = async (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "" } })
  children.push(child)
  let stderr = ""
  child.stderr.setEncoding("utf8")
  await new Promise<void>((ready, failed) => {
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk
      if (stderr.includes("over HTTP at")) ready()
    })
    child.once("exit", (code) => failed(new Error(`exited with ${code}:\n${stderr}`)))
  })
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
  return { child, stderr: () => stderr, exited }
}

describe("whatsapp-mcp --http", () => {
  it("says where it listens and where the token is, serves the configured runtime, and stops cleanly on SIGTERM", async () => {
    const store = demoStore()
    const port = await freePort()
    const server = await start(["--http", "--port", String(port), "--store", store, "--read-only"])
    const tokenFile = join(store, "mcp-http-token")
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    const token = readFileSync(tokenFile, "utf8").trim()
    expect(server.stderr()).toContain(`http://127.0.0.1:${port}/mcp`)
    expect(server.stderr()).toContain(tokenFile)
    expect(server.stderr()).not.toContain(token)
    // Nothing of it on stdout: over HTTP, stdout is free but the server keeps to stderr all the same.
    let stdout = ""
    server.child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })

    const client = new Client({ name: "http-command-test", version: "1.0.0" })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    )
    const tools = (await client.listTools()).tools
    // --read-only holds over HTTP as over stdio.
    expect(tools.map((tool) => tool.name)).not.toContain("send_message")
    for (const tool of tools) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true)
    const chats = await client.callTool({ name: "list_chats", arguments: {} })
    expect(chats.isError).toBeFalsy()
    expect(JSON.stringify(chats.structuredContent)).toMatch(/Lucía/)

    server.child.kill("SIGTERM")
    expect(await server.exited).toBe(0)
    expect(stdout).toBe("")
  })

  it("keeps the token where --http-token-file says, and uses the same one on the next start", async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), "wa-http-tokens-")), "nested", "token")
    const port = await freePort()
    const command = ["--http", "--port", String(port), "--store", demoStore(), "--http-token-file", tokenFile]
    const first = await start(command)
    expect(first.stderr()).toContain(tokenFile)
    const token = readFileSync(tokenFile, "utf8")
    first.child.kill("SIGINT")
    expect(await first.exited).toBe(0)
    const second = await start(command)
    expect(readFileSync(tokenFile, "utf8")).toBe(token)
    second.child.kill("SIGTERM")
    expect(await second.exited).toBe(0)
  })

  it("refuses a non-loopback address without --allow-remote, and a port in use, with a message and no listener", async () => {
    const remote = spawnSync(process.execPath, [bin, "--http", "--host", "0.0.0.0", "--store", demoStore()], {
      encoding: "utf8",
    })
    expect(remote.status).toBe(2)
    expect(remote.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/)

    const stray = spawnSync(process.execPath, [bin, "--port", "3000", "--store", demoStore()], {
      encoding: "utf8",
    })
    expect(stray.status).toBe(2)
    expect(stray.stderr).toMatch(/go with --http/)

    const port = await freePort()
    const holder = await start(["--http", "--port", String(port), "--store", demoStore()])
    const clash = spawnSync(
      process.execPath,
      [bin, "--http", "--port", String(port), "--store", demoStore()],
      {
        encoding: "utf8",
      },
    )
    expect(clash.status).toBe(1)
    expect(clash.stderr).toMatch(new RegExp(`port ${port} is in use; choose another with --port`))
    holder.child.kill("SIGTERM")
    expect(await holder.exited).toBe(0)
  })
})
