// `whatsapp-mcp --print-client-config` prints what fits how the command was installed, in the
// layouts npm makes: run through npx (the package in npm's `_npx` cache) → `npx -y
// whatsapp-mcp@<version>`; installed globally or in a folder → the installed command's absolute
// path, run by an absolute node, so that a client without the shell's PATH starts it. Each layout
// is built here as npm lays it out, around this checkout's packages; `pnpm test:outside` does the
// same with real npm installs from a local registry.
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { info } from "../../server/src/index.js"

const root = resolve(__dirname, "../../..")
const product = join(root, "packages/whatsapp-mcp")
const { version } = JSON.parse(readFileSync(join(product, "package.json"), "utf8")) as { version: string }
const work = mkdtempSync(join(tmpdir(), "wa-install-layouts-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/**
 * The product package at `packageDir` as npm unpacks it, its dependencies in `dependencies` (a
 * node_modules folder), and its bins linked into `binDir`; returns the path of each bin's link.
 */
const lay = (packageDir: string, dependencies: string, binDir: string) => {
  mkdirSync(packageDir, { recursive: true })
  for (const part of ["bin", "src", "package.json"])
    cpSync(join(product, part), join(packageDir, part), { recursive: true })
  symlinkSync(join(product, "dist"), join(packageDir, "dist"))
  mkdirSync(join(dependencies, "@whatsapp-mcp"), { recursive: true })
  for (const name of ["server", "bridge"])
    symlinkSync(join(root, "packages", name), join(dependencies, "@whatsapp-mcp", name))
  mkdirSync(binDir, { recursive: true })
  const link = (bin: string) => {
    symlinkSync(join(packageDir, "bin", `${bin}.mjs`), join(binDir, bin))
    return join(binDir, bin)
  }
  return { mcp: link("whatsapp-mcp"), bridge: link("whatsapp-bridge") }
}

const store = join(work, "my store")
const printed = (command: string, client: string) => {
  const run = spawnSync(process.execPath, [command, "--print-client-config", client, "--store", store], {
    encoding: "utf8",
  })
  expect(run.stderr).not.toMatch(/whatsapp-mcp:/)
  expect(run.status).toBe(0)
  return run.stdout
}
const serverOf = (json: string) =>
  (
    JSON.parse(json) as {
      mcpServers: { whatsapp: { command: string; args: Array<string>; env?: Record<string, string> } }
    }
  ).mcpServers.whatsapp

describe("--print-client-config through npx", () => {
  // npm exec puts the package in <cache>/_npx/<hash>/node_modules and runs its bin from .bin there.
  const npxRoot = join(work, "home/.npm/_npx/6f2c1a9e0b7d4c3a/node_modules")
  const bins = lay(join(npxRoot, "whatsapp-mcp"), npxRoot, join(npxRoot, ".bin"))

  it("prints the npx form for the package's own version, with the npx and node of this machine", () => {
    const server = serverOf(printed(bins.mcp, "claude-desktop"))
    const nodeDir = dirname(process.execPath)
    expect(server.command).toBe(join(nodeDir, "npx"))
    expect(server.args).toEqual(["-y", `whatsapp-mcp@${version}`, "--store", store])
    // a client that starts servers without the shell's PATH still finds this node for npx
    expect(server.env?.PATH?.split(delimiter)[0]).toBe(nodeDir)
    expect(JSON.stringify(server)).not.toContain("_npx")
  })

  it("prints the npx command line for Claude Code, which runs it from the user's shell", () => {
    expect(printed(bins.mcp, "claude-code").trim()).toBe(
      `claude mcp add whatsapp -- npx -y whatsapp-mcp@${version} --store '${store}'`,
    )
  })

  it("asks npx for the version the server reports", () => {
    expect(info.version).toBe(version)
  })
})

describe.each([
  // npm install -g: the package under <prefix>/lib/node_modules, its dependencies inside it
  [
    "installed globally",
    "prefix/lib/node_modules/whatsapp-mcp",
    "prefix/lib/node_modules/whatsapp-mcp/node_modules",
    "prefix/bin",
  ],
  // npm install in a folder: dependencies beside it, bins in node_modules/.bin
  [
    "installed in a folder",
    "folder/node_modules/whatsapp-mcp",
    "folder/node_modules",
    "folder/node_modules/.bin",
  ],
])("--print-client-config %s", (_, packageDir, dependencies, binDir) => {
  const bins = lay(join(work, packageDir), join(work, dependencies), join(work, binDir))

  it("prints the installed command's absolute path, run by this node, and a client starts it as printed without a PATH", async () => {
    const server = serverOf(printed(bins.mcp, "cursor"))
    expect(server).toEqual({ command: process.execPath, args: [bins.mcp, "--store", store] })
    const client = new Client({ name: "install-layouts", version: "1.0.0" })
    // as a client started from a desktop might: a PATH where no node is found
    const env = { ...getDefaultEnvironment(), PATH: join(work, "no-such-dir") }
    await client.connect(
      new StdioClientTransport({ command: server.command, args: server.args, env, stderr: "pipe" }),
    )
    try {
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name)).toContain("list_messages")
    } finally {
      await client.close()
    }
  })

  it("gives the bridge's command beside it", () => {
    const help = spawnSync(process.execPath, [bins.bridge, "--help"], { encoding: "utf8" })
    expect(help.status).toBe(0)
    expect(help.stderr).toMatch(/--replay FILE/)
  })
})
