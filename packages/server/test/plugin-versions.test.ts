// The bundled server, started as an MCP client starts it, meeting third-party plugins installed with
// their own copy of effect: it knows which effect it was built with, refuses another major version
// at start-up, and serves a plugin with its own copy of the same line of effect over a clean stdout.
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { makeStoreDir } from "../../testkit/test/support/Stores.js"
import { pluginPackage, removePluginPackages } from "./support/PluginPackages.js"

const bin = resolve(__dirname, "../dist/bundle/whatsapp-mcp.mjs")
// What the bundle was built with: the effect installed beside the server's sources.
const { version: builtWith } = createRequire(import.meta.url)("effect/package.json") as { version: string }
const [major, minor] = builtWith.split(".") as [string, string]

afterAll(removePluginPackages)

const configFor = (plugin: string) => {
  const dir = mkdtempSync(join(tmpdir(), "wa-versions-"))
  const file = join(dir, "whatsapp-mcp.config.json")
  writeFileSync(file, JSON.stringify({ store: makeStoreDir(0), plugins: { [plugin]: true } }))
  return file
}

interface Run {
  readonly status: number | null
  readonly stdout: ReadonlyArray<string>
  readonly stderr: string
}

/** Starts the bundle, writes `requests` as JSON-RPC lines, and closes stdin once every one with an id is answered. */
const run = (config: string, requests: ReadonlyArray<Record<string, unknown>>): Promise<Run> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, "--config", config], {
      env: { PATH: process.env.PATH ?? "" },
    })
    const awaited = new Set(
      requests.flatMap((request) => (typeof request.id === "number" ? [request.id] : [])),
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      for (const line of stdout.split("\n").slice(0, -1)) {
        try {
          awaited.delete((JSON.parse(line) as { id?: number }).id ?? -1)
        } catch {
          // not JSON: the assertions below report it
        }
      }
      if (awaited.size === 0) child.stdin.end()
    })
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", fail)
    child.on("close", (status) =>
      done({ status, stdout: stdout.split("\n").filter((l) => l !== ""), stderr }),
    )
    for (const request of requests) child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...request })}\n`)
  })

const initialize = {
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "versions-test", version: "1" },
  },
}
const initialized = { method: "notifications/initialized" }

describe("whatsapp-mcp and the effect a plugin brings", () => {
  it("stops at start-up on a plugin whose effect is another major version, naming both versions and the fix", async () => {
    const dir = pluginPackage({ name: "next", effect: { stub: true, version: "4.0.1" } })
    const result = await run(configFor(dir), [initialize])
    expect(result.status).toBe(1)
    expect(result.stdout).toEqual([])
    expect(result.stderr).toContain(
      `whatsapp-mcp: plugins.${dir}: the plugin uses effect 4.0.1 (${join(dir, "node_modules", "effect")}), but this server runs effect ${builtWith}, and code made with one major version of effect does not run on another. Install effect ${major}.${minor} in the plugin (\`npm install effect@~${builtWith}\` in ${dir}), rebuild it, and start whatsapp-mcp again.`,
    )
  })

  it("serves a plugin with its own copy of the same line of effect, with nothing but the protocol on stdout", async () => {
    const dir = pluginPackage({
      name: "twin",
      effect: { copyOf: "installed", version: `${major}.${minor}.99` },
    })
    const result = await run(configFor(dir), [
      initialize,
      initialized,
      { id: 2, method: "tools/call", params: { name: "twin_ping", arguments: {} } },
    ])
    const messages = result.stdout.map((line) => JSON.parse(line) as { id?: number; result?: unknown })
    expect(messages.every((message) => (message as { jsonrpc?: string }).jsonrpc === "2.0")).toBe(true)
    const answer = messages.find((message) => message.id === 2)?.result as {
      isError?: boolean
      structuredContent?: unknown
    }
    expect(answer.isError).toBeUndefined()
    expect(answer.structuredContent).toEqual({ answer: "pong" })
    expect(result.stderr).not.toMatch(/versioned|warning/i)
    expect(result.stderr).toMatch(/serving 17 tools from 6 plugins/)
  })

  it("serves a plugin made with an older minor version of effect, and says so once on stderr", async () => {
    const older = `${major}.${Number(minor) - 1}.3`
    const dir = pluginPackage({ name: "older", effect: { copyOf: "installed", version: older } })
    const result = await run(configFor(dir), [
      initialize,
      initialized,
      { id: 2, method: "tools/call", params: { name: "older_ping", arguments: {} } },
    ])
    expect(result.stdout.map((line) => (JSON.parse(line) as { id?: number }).id)).toEqual([1, 2])
    const warnings = result.stderr.split("\n").filter((line) => line.includes("warning"))
    expect(warnings).toEqual([
      `whatsapp-mcp: plugins.${dir}: warning: the plugin "older" uses effect ${older} (${join(dir, "node_modules", "effect")}) and this server runs effect ${builtWith}; it is loaded, but plugins are tested with the server's line of effect. Install effect ${major}.${minor} in the plugin (\`npm install effect@~${builtWith}\` in ${dir}) and rebuild it.`,
    ])
  })
})
