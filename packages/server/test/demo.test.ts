// A newcomer's first run: `pnpm demo` starts the replay bridge on the bundled recording and prints
// the client configuration; an MCP client started with exactly that configuration answers questions.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

const root = resolve(__dirname, "../../..")
const children: Array<ChildProcess> = []
const clients: Array<Client> = []
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  for (const child of children) child.kill("SIGINT")
})

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

describe("pnpm demo", () => {
  it("prints a client configuration that works as printed", async () => {
    const port = await freePort()
    const store = join(mkdtempSync(join(tmpdir(), "wa-demo-")), "store")
    const demo = spawn(
      process.execPath,
      [join(root, "scripts/demo.mjs"), "--port", String(port), "--store", store],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    children.push(demo)
    let stdout = ""
    demo.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    await expect.poll(() => stdout, { timeout: 60_000, interval: 200 }).toMatch(/Then ask, for example/)

    const json = stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1)
    const server = JSON.parse(json).mcpServers.whatsapp as { command: string; args: Array<string> }
    expect(server.command).toBe(process.execPath)
    expect(server.args[0]).toBe(join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs"))

    const client = new Client({ name: "newcomer", version: "1.0.0" })
    clients.push(client)
    await client.connect(
      new StdioClientTransport({ command: server.command, args: server.args, stderr: "pipe" }),
    )
    const found = await client.callTool({
      name: "list_messages",
      arguments: { query: "dimanche", include_context: false },
    })
    expect(found.isError).toBeFalsy()
    expect(JSON.stringify(found.structuredContent)).toMatch(/Zoé Lefèvre/)

    // The README's next step: `pnpm checkup` with the same configuration finds nothing to fix.
    const configFile = server.args[server.args.indexOf("--config") + 1] ?? ""
    const checkup = spawnSync(process.execPath, [join(root, "scripts/checkup.mjs"), "--config", configFile], {
      encoding: "utf8",
    })
    expect(checkup.stdout).toMatch(/^✓ WhatsApp: connected/m)
    expect(checkup.stdout).toMatch(/^✓ History sync: idle, 16 chats/m)
    expect(checkup.stdout).toMatch(/All checks passed/)
    expect(checkup.status).toBe(0)
  }, 120_000)
})
