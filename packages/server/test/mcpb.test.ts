// The Claude Desktop bundle (`pnpm bundle:mcpb`): built once, its manifest checked by mcpb's own
// validator, then unpacked outside the repository and started the way Claude Desktop starts it:
// the manifest's command line with `${__dirname}` and `${user_config.*}` filled in by mcpb's own
// substitution, so what runs is what a user's click runs.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join, resolve, sep } from "node:path"
import {
  getMcpConfigForManifest,
  hasRequiredConfigMissing,
  type McpbUserConfigValues,
  unpackExtension,
} from "@anthropic-ai/mcpb"
import { vAny } from "@anthropic-ai/mcpb/schemas"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { demoStore } from "@whatsapp-mcp/testkit"
import semver from "semver"

const root = resolve(__dirname, "../../..")
const repositoryServer = resolve(__dirname, "../dist/bundle/whatsapp-mcp.mjs")
const mcpbCli = join(root, "node_modules/@anthropic-ai/mcpb/dist/cli/cli.js")

let work: string
let unpacked: string
let manifest: ReturnType<typeof vAny.McpbManifestSchema.parse>

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "wa-mcpb-"))
  const bundle = join(work, "whatsapp-mcp.mcpb")
  const built = spawnSync(process.execPath, [join(root, "scripts/bundle-mcpb.mjs"), "--out", bundle], {
    encoding: "utf8",
  })
  expect(built.stderr).toBe("")
  expect(built.status).toBe(0)
  expect(built.stdout.trim().split("\n").at(-1)).toBe(bundle)
  unpacked = join(work, "unpacked")
  expect(await unpackExtension({ mcpbPath: bundle, outputDir: unpacked, silent: true })).toBe(true)
  manifest = vAny.McpbManifestSchema.parse(JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8")))
}, 120_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

const clients: Array<Client> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

/** What Claude Desktop runs for these settings, by mcpb's own substitution. */
const desktopCommand = async (userConfig: McpbUserConfigValues) => {
  const config = await getMcpConfigForManifest({
    manifest,
    extensionPath: unpacked,
    systemDirs: {
      HOME: homedir(),
      DESKTOP: join(homedir(), "Desktop"),
      DOCUMENTS: join(homedir(), "Documents"),
    },
    userConfig,
    pathSeparator: sep,
  })
  if (config === undefined) throw new Error("mcpb gave no command: a required setting is missing")
  // Claude Desktop starts "node" with a Node of its choosing; here, the one running the tests.
  expect(config.command).toBe("node")
  return {
    command: process.execPath,
    args: config.args ?? [],
    env: { ...getDefaultEnvironment(), ...config.env },
  }
}

const connect = async (transport: StdioClientTransport) => {
  const client = new Client({ name: "mcpb-test", version: "1.0.0" })
  await client.connect(transport)
  clients.push(client)
  return client
}
const startBundle = async (userConfig: McpbUserConfigValues) =>
  connect(new StdioClientTransport({ ...(await desktopCommand(userConfig)), cwd: unpacked, stderr: "pipe" }))
const startRepositoryServer = (args: ReadonlyArray<string>) =>
  connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [repositoryServer, ...args],
      env: getDefaultEnvironment(),
      stderr: "pipe",
    }),
  )

describe("pnpm bundle:mcpb", () => {
  it("refuses a command line it cannot act on, before it packs anything", () => {
    const wrongOut = spawnSync(
      process.execPath,
      [join(root, "scripts/bundle-mcpb.mjs"), "--out", join(work, "x.zip")],
      {
        encoding: "utf8",
      },
    )
    expect(wrongOut.status).toBe(2)
    expect(wrongOut.stderr).toMatch(/--out must name a \.mcpb file/)
    const unknown = spawnSync(process.execPath, [join(root, "scripts/bundle-mcpb.mjs"), "--sign"], {
      encoding: "utf8",
    })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/Unknown option '--sign'/)
    expect(unknown.stderr).toMatch(/Usage: pnpm bundle:mcpb/)
  })

  it("writes a manifest that `mcpb validate` passes", () => {
    const validated = spawnSync(process.execPath, [mcpbCli, "validate", join(unpacked, "manifest.json")], {
      encoding: "utf8",
    })
    expect(validated.stdout).toMatch(/Manifest schema validation passes/)
    expect(validated.status).toBe(0)
  })

  it("says honestly where it runs: this platform, and the Node major whose ABI its SQLite addon was built for", () => {
    expect(manifest.compatibility?.platforms).toEqual([process.platform])
    const range = manifest.compatibility?.runtimes?.node ?? ""
    expect(semver.satisfies(process.version, range)).toBe(true)
    expect(semver.satisfies(`${semver.major(process.version) + 1}.0.0`, range)).toBe(false)
    expect(manifest.version).toBe(
      JSON.parse(readFileSync(resolve(__dirname, "../package.json"), "utf8")).version,
    )
  })

  it("asks for the store folder, and Claude Desktop starts nothing until it is set", () => {
    expect(manifest.user_config?.store).toMatchObject({ type: "directory", required: true })
    expect(manifest.user_config?.read_only).toMatchObject({ type: "boolean", default: false })
    expect(manifest.user_config?.timezone).toMatchObject({ type: "string" })
    expect(hasRequiredConfigMissing({ manifest, userConfig: {} })).toBe(true)
    expect(hasRequiredConfigMissing({ manifest, userConfig: { store: demoStore() } })).toBe(false)
  })

  it("serves, from the unpacked bundle, the tools the repository's server serves, and reads the store", async () => {
    const store = demoStore()
    const bundled = await startBundle({ store })
    const repository = await startRepositoryServer(["--store", store])
    const tools = (await bundled.listTools()).tools
    expect(tools.length).toBeGreaterThan(0)
    expect(tools).toEqual((await repository.listTools()).tools)
    // what the install dialog shows
    expect(manifest.tools?.map((tool) => tool.name)).toEqual(tools.map((tool) => tool.name))

    const chats = await bundled.callTool({ name: "list_chats", arguments: { limit: 5 } })
    expect(chats.isError).toBeFalsy()
    expect((chats.structuredContent as { chats: Array<unknown> }).chats.length).toBeGreaterThan(0)
    expect(chats).toEqual(await repository.callTool({ name: "list_chats", arguments: { limit: 5 } }))
  })

  it("maps the read-only setting onto the server: only the tools that change nothing", async () => {
    const store = demoStore()
    const bundled = await startBundle({ store, read_only: true })
    const repository = await startRepositoryServer(["--store", store, "--read-only"])
    const names = (await bundled.listTools()).tools.map((tool) => tool.name).sort()
    expect(names).toEqual((await repository.listTools()).tools.map((tool) => tool.name).sort())
    expect(names).not.toContain("send_message")
    expect(names).toContain("list_messages")
  })

  it("prints times in the time zone set, and in the system's when it is left empty", async () => {
    const store = demoStore()
    const tokyo = await startBundle({ store, timezone: "Asia/Tokyo" })
    const inTokyo = await tokyo.callTool({ name: "list_messages", arguments: { limit: 1 } })
    expect(JSON.stringify(inTokyo.structuredContent)).toMatch(/T\d\d:\d\d:\d\d\+09:00/)
    const blank = await startBundle({ store, timezone: "" })
    const inSystemZone = await blank.callTool({ name: "list_messages", arguments: { limit: 1 } })
    expect(inSystemZone.isError).toBeFalsy()
  })

  it("answers a store folder that does not exist with the server's own advice, and keeps serving", async () => {
    const missing = join(work, "no-such-store")
    const bundled = await startBundle({ store: missing })
    expect((await bundled.listTools()).tools.length).toBeGreaterThan(0)
    const result = await bundled.callTool({ name: "list_chats", arguments: {} })
    expect(result.isError).toBe(true)
    const text = (result.content as Array<{ type: string; text?: string }>)
      .map((part) => part.text)
      .join("\n")
    expect(text).toContain(missing)
    expect(text).toMatch(/Start the bridge first/)
  })

  it("refuses a time zone that does not exist with one line naming it, not a stack trace", async () => {
    const { command, args, env } = await desktopCommand({ store: demoStore(), timezone: "Mars/Olympus" })
    const run = spawnSync(command, args, { env, input: "", encoding: "utf8", cwd: unpacked })
    expect(run.status).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr.trim()).toBe(
      'whatsapp-mcp: WHATSAPP_MCP_TIMEZONE: "Mars/Olympus" is not a time zone name.',
    )
  })
})
