// `whatsapp-mcp --print-client-config` prints what fits how the command was installed, in the
// layouts npm makes: run through npx (the package in npm's `_npx` cache) → `npx -y
// whatsapp-mcp@<version>`; installed globally or in a folder → the installed command's absolute
// path, run by an absolute node, so that a client without the shell's PATH starts it. Each layout
// is built here as npm lays it out, around this checkout's packages; `pnpm test:outside` does the
// same with real npm installs from a local registry. `whatsapp-mcp doctor`, installed, names the
// installed commands in its fixes and finds everything it loads through the installed packages.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { builtinToolNames, info } from "../../server/src/index.js"
import { freePort } from "../../server/test/support/FreePort.js"
import { startReplayBridge } from "../../server/test/support/ReplayBridge.js"

const root = resolve(__dirname, "../../..")
const product = join(root, "packages/whatsapp-mcp")
const { version } = JSON.parse(readFileSync(join(product, "package.json"), "utf8")) as { version: string }
const work = mkdtempSync(join(tmpdir(), "wa-install-layouts-"))
const children: Array<ChildProcess> = []
afterAll(() => {
  for (const child of children) child.kill("SIGINT")
  rmSync(work, { recursive: true, force: true })
})

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
  mkdirSync(join(dependencies, "@modelcontextprotocol"), { recursive: true })
  symlinkSync(
    join(product, "node_modules/@modelcontextprotocol/sdk"),
    join(dependencies, "@modelcontextprotocol/sdk"),
  )
  mkdirSync(binDir, { recursive: true })
  const link = (bin: string) => {
    symlinkSync(join(packageDir, "bin", `${bin}.mjs`), join(binDir, bin))
    return join(binDir, bin)
  }
  return { mcp: link("whatsapp-mcp"), bridge: link("whatsapp-bridge") }
}

/**
 * A user's shell: none of this test's settings, and no NODE_PATH (pnpm sets one for what it runs,
 * through which a module missing from an install would still be found).
 */
const userEnv = {
  ...process.env,
  WHATSAPP_MCP_CONFIG: undefined,
  WHATSAPP_MCP_STORE: undefined,
  NODE_PATH: undefined,
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
])("whatsapp-mcp %s", (_, packageDir, dependencies, binDir) => {
  const bins = lay(join(work, packageDir), join(work, dependencies), join(work, binDir))

  it("--print-client-config prints the installed command's absolute path, run by this node, and a client starts it as printed without a PATH", async () => {
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

  it("lists the demo and doctor subcommands in its --help", () => {
    const help = spawnSync(process.execPath, [bins.mcp, "--help"], { encoding: "utf8" })
    expect(help.status).toBe(0)
    const text = `${help.stdout}${help.stderr}`
    expect(text).toMatch(/^ +whatsapp-mcp doctor \[--config FILE\] \[--store DIR\]$/m)
    expect(text).toMatch(/^ +whatsapp-mcp demo \[--client CLIENT\] \[--port N\] \[--store DIR\]$/m)
    expect(text).toMatch(/^ +doctor +check the whole setup/m)
  })

  describe("whatsapp-mcp doctor", () => {
    const dir = mkdtempSync(join(work, "doctor-"))
    const doctor = async (...args: Array<string>) => {
      // Not spawnSync: a replay bridge started by this process answers from its event loop.
      const child = spawn(process.execPath, [bins.mcp, ...args], {
        env: userEnv,
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      })
      let out = ""
      let err = ""
      child.stdout.on("data", (chunk) => {
        out += chunk
      })
      child.stderr.on("data", (chunk) => {
        err += chunk
      })
      const status = await new Promise<number | null>((done) => child.on("close", done))
      return { status, out, err }
    }
    const configFor = (name: string, port: number) => {
      const file = join(dir, name)
      writeFileSync(file, JSON.stringify({ store: "./store", bridge: { url: `http://127.0.0.1:${port}` } }))
      return file
    }

    it("names the installed commands in its fixes, never the repository's", async () => {
      const { status, out } = await doctor("doctor", "--config", configFor("dead.json", await freePort()))
      const store = join(dir, "store")
      expect(out).toMatch(/^✓ Install: whatsapp-mcp in .*, better-sqlite3 loads$/m)
      expect(out).not.toMatch(/Build/)
      expect(out).toMatch(new RegExp(`^✓ Plugins: serves ${builtinToolNames.length} tools \\(`, "m"))
      expect(out).toContain(`fix: start the bridge once (\`whatsapp-bridge --store ${store}\`) to create it`)
      expect(out).toContain(`fix: start it: \`whatsapp-bridge --store ${store}\` (or \`whatsapp-mcp demo\``)
      expect(out).not.toMatch(/pnpm/)
      expect(status).toBe(1)
    })

    it("passes every check against the installed bridge replaying the demo it ships, also as `checkup`", async () => {
      const port = await freePort()
      const config = configFor("replay.json", port)
      await startReplayBridge(
        [
          bins.bridge,
          "--replay",
          join(product, "dist/demo/demo.jsonl"),
          "--store",
          join(dir, "store"),
          "--port",
          String(port),
        ],
        children,
      )
      for (const name of ["doctor", "checkup"]) {
        const { status, out } = await doctor(name, "--config", config)
        expect(out).not.toMatch(/✗/)
        expect(out).toMatch(/^✓ WhatsApp: connected/m)
        expect(out).toMatch(/All checks passed/)
        expect(status).toBe(0)
      }
    }, 90_000)

    it("prints its own usage on --help, and names a bad flag with exit status 2", async () => {
      const help = await doctor("doctor", "--help")
      expect(help.out).toMatch(/^Usage: whatsapp-mcp doctor \[--config FILE\] \[--store DIR\]/)
      expect(help.out).not.toMatch(/build/)
      expect(help.status).toBe(0)
      const bad = await doctor("doctor", "--stor", "x")
      expect(bad.err).toMatch(/^whatsapp-mcp doctor: Unknown option '--stor'/)
      expect(bad.status).toBe(2)
    })
  })
})

describe("whatsapp-mcp doctor in a broken install", () => {
  // npm install -g, with the bridge package gone (an interrupted install, a hand-deleted folder)
  const packageDir = join(work, "broken/lib/node_modules/whatsapp-mcp")
  const bins = lay(packageDir, join(packageDir, "node_modules"), join(work, "broken/bin"))
  rmSync(join(packageDir, "node_modules/@whatsapp-mcp/bridge"))

  it("fails the Install check with the module it cannot load and how to reinstall, and checks the rest", () => {
    const run = spawnSync(process.execPath, [bins.mcp, "doctor", "--store", join(work, "broken/store")], {
      encoding: "utf8",
      env: userEnv,
    })
    expect(run.stdout).toMatch(/^✗ Install: cannot load @whatsapp-mcp\/bridge\/bin \(/m)
    expect(run.stdout).toMatch(/fix: reinstall: `npm install -g whatsapp-mcp`/)
    expect(run.stdout).toMatch(/^✓ Config: /m)
    expect(run.stdout).toMatch(/^✗ ffmpeg: not installed \(the bridge package is missing\)/m)
    expect(run.stdout).toMatch(/check\(s\) failed/)
    expect(run.stderr).toBe("")
    expect(run.status).toBe(1)
  })
})
