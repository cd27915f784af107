// The README's newcomer walk-through stays true: every `pnpm` command it shows exists, every
// bridge/checkup/mcp option it uses is accepted, and the service examples run what the README says.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

const root = resolve(__dirname, "../../..")
const readme = readFileSync(join(root, "README.md"), "utf8")
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts,
)

/** Every `pnpm …` command line in the README's shell blocks and inline code. */
const commands = [
  ...[...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => (block[1] ?? "").split("\n")),
  ...[...readme.matchAll(/`(pnpm [^`]+)`/g)].map((match) => match[1] ?? ""),
]
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter((line) => /^(npx -y pnpm@[\d.]+|pnpm) /.test(line))

const run = (script: string, ...args: Array<string>) =>
  spawnSync(process.execPath, [join(root, script), ...args], { encoding: "utf8", cwd: root })

describe("the README's newcomer commands", () => {
  it("only name root scripts that exist", () => {
    expect(commands.length).toBeGreaterThan(10)
    for (const command of commands) {
      const script = command.replace(/^npx -y pnpm@[\d.]+ |^pnpm /, "").split(/\s+/)[0] ?? ""
      if (["install", "build", "rebuild", "test", "format", "lint", "typecheck", "exec"].includes(script))
        continue
      expect(scripts, command).toContain(script)
    }
  })

  it("use only options `pnpm bridge --help` documents", () => {
    const help = run("packages/bridge/dist/bundle/bridge.mjs", "--help")
    expect(help.status).toBe(0)
    const used = new Set(
      commands.filter((c) => /^pnpm bridge\b/.test(c)).flatMap((c) => c.match(/--[a-z-]+/g) ?? []),
    )
    for (const option of ["--record", "--anonymize", "--log-file", "--log-level", "--pair-phone"])
      expect(used).toContain(option)
    for (const option of used) expect(help.stderr).toContain(option)
  })

  it("show installed commands with only options their own --help documents", () => {
    const installed = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((block) => (block[1] ?? "").split("\n"))
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter((line) => /^(npx -y )?whatsapp-(mcp|bridge)\b/.test(line))
    const product = "packages/whatsapp-mcp/bin"
    const helpOf = {
      "whatsapp-bridge": run(`${product}/whatsapp-bridge.mjs`, "--help"),
      "whatsapp-mcp": run(`${product}/whatsapp-mcp.mjs`, "--help"),
      "whatsapp-mcp demo": run(`${product}/whatsapp-mcp.mjs`, "demo", "--help"),
      "whatsapp-mcp doctor": run(`${product}/whatsapp-mcp.mjs`, "doctor", "--help"),
    }
    for (const help of Object.values(helpOf)) expect(help.status).toBe(0)
    expect(installed.length).toBeGreaterThanOrEqual(4)
    for (const line of installed) {
      const command = line.replace(/^npx -y /, "")
      const help = command.startsWith("whatsapp-bridge")
        ? helpOf["whatsapp-bridge"]
        : command.startsWith("whatsapp-mcp demo")
          ? helpOf["whatsapp-mcp demo"]
          : command.startsWith("whatsapp-mcp doctor")
            ? helpOf["whatsapp-mcp doctor"]
            : helpOf["whatsapp-mcp"]
      for (const option of line.match(/--[a-z-]+/g) ?? [])
        expect(`${help.stdout}${help.stderr}`, line).toContain(option)
    }
  })

  it("print a client configuration for each client the README names", () => {
    for (const client of ["claude-desktop", "claude-code", "cursor"]) {
      expect(readme).toContain(client)
      const printed = run(
        "packages/server/dist/bundle/whatsapp-mcp.mjs",
        "--print-client-config",
        client,
        "--store",
        "./store",
      )
      expect(printed.status).toBe(0)
      expect(printed.stdout).toContain(join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs"))
      expect(printed.stdout).toContain(join(root, "store"))
    }
  })

  it("run the bridge from the service examples the way the README installs them", () => {
    const unit = readFileSync(join(root, "examples/systemd/whatsapp-bridge.service"), "utf8")
    expect(unit).toMatch(/^ExecStart=.* packages\/bridge\/dist\/bundle\/bridge\.mjs --store /m)
    expect(readme).toContain("cp examples/systemd/whatsapp-bridge.service ~/.config/systemd/user/")
    const plist = readFileSync(join(root, "examples/launchd/com.whatsapp-mcp.bridge.plist"), "utf8")
    expect(plist).toContain("<string>/Users/YOU/whatsapp-mcp/packages/bridge/dist/bundle/bridge.mjs</string>")
    expect(plist).toContain("<string>--log-file</string>")
    expect(readme).toContain("examples/launchd/com.whatsapp-mcp.bridge.plist")
  })

  it("troubleshoot with the very lines `pnpm checkup` prints", () => {
    const checkup = readFileSync(join(root, "packages/whatsapp-mcp/src/Doctor.mjs"), "utf8")
    const rows = [...readme.matchAll(/^\| `✗ (\w[\w ]*?): /gm)].map((match) => match[1] ?? "")
    expect(rows.length).toBeGreaterThanOrEqual(6)
    for (const check of rows) expect(checkup).toContain(`"${check}"`)
  })
})

describe("the README's configuration example", () => {
  it("starts the server as written and serves what it asks for", async () => {
    const section = readme.slice(readme.indexOf("## Configuration"))
    const example = section.match(/```json\n([\s\S]*?)```/)?.[1] ?? ""
    const config = JSON.parse(example) as { plugins: Record<string, unknown> }
    expect(Object.keys(config.plugins)).toContain("./examples/plugin-digest")
    // Written where the README puts it, beside the repository's examples and schema.
    const dir = mkdtempSync(join(tmpdir(), "wa-readme-config-"))
    symlinkSync(join(root, "examples"), join(dir, "examples"))
    symlinkSync(join(root, "whatsapp-mcp.config.schema.json"), join(dir, "whatsapp-mcp.config.schema.json"))
    writeFileSync(join(dir, "whatsapp-mcp.config.json"), example)
    const client = new Client({ name: "readme", version: "1.0.0" })
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs"),
          "--config",
          join(dir, "whatsapp-mcp.config.json"),
        ],
        env: getDefaultEnvironment(),
        cwd: dir,
        stderr: "pipe",
      }),
    )
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name)
      expect(names).toContain("unread_digest")
      expect(names).toContain("send_message")
      expect(names).not.toContain("send_audio_message")
      expect(names).not.toContain("download_media")
    } finally {
      await client.close()
    }
  })
})

describe("the instructions sent at initialize", () => {
  it("tell a model where every built-in tool fits, in a few short lines", async () => {
    const { builtinToolNames, instructions } = await import("../src/index.js")
    for (const tool of builtinToolNames) expect(instructions).toMatch(new RegExp(`\\b${tool}\\b`))
    expect(instructions.length).toBeLessThan(2000)
  })
})
