// server.json, what the MCP Registry lists: valid against the registry's published schema (vendored
// in support/, from modelcontextprotocol/registry docs/reference/server-json/server.schema.json,
// whose $id is its published URL), naming this package at its version, and describing a command
// line and environment the server really has.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { demoStore } from "@whatsapp-mcp/testkit"
import { Ajv } from "ajv"
import formats from "ajv-formats"
import { Either } from "effect"
import { Config } from "../src/host/index.js"

const root = resolve(__dirname, "../../..")
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"))
const schema = readJson(resolve(__dirname, "support/mcp-registry.server.schema.json")) as { $id: string }
const bin = resolve(__dirname, "../dist/bundle/whatsapp-mcp.mjs")

interface Input {
  readonly name: string
  readonly format?: "string" | "number" | "boolean" | "filepath"
  readonly placeholder?: string
  readonly isRequired?: boolean
}
interface ServerJson {
  readonly $schema: string
  readonly name: string
  readonly version: string
  readonly packages: ReadonlyArray<{
    readonly registryType: string
    readonly identifier: string
    readonly version: string
    readonly transport: { readonly type: string }
    readonly packageArguments: ReadonlyArray<Input & { readonly type: "named" | "positional" }>
    readonly environmentVariables: ReadonlyArray<Input>
  }>
}
const serverJson = readJson(join(root, "server.json")) as ServerJson
// The package users install, which runs this server: the registry lists it.
const packageJson = readJson(join(root, "packages/whatsapp-mcp/package.json")) as {
  name: string
  version: string
  mcpName?: string
}
const npmPackage = serverJson.packages.find((entry) => entry.registryType === "npm")

/** A value the server accepts for an input, as a user would fill it in. */
const sampleValue = (input: Input): string => {
  if (input.format === "boolean") return "true"
  if (input.format === "filepath") {
    if (input.name === "--store") return demoStore()
    const file = join(mkdtempSync(join(tmpdir(), "wa-server-json-")), "whatsapp-mcp.config.json")
    writeFileSync(file, "{}")
    return file
  }
  if (input.placeholder === undefined) throw new Error(`${input.name} has no placeholder to try`)
  return input.placeholder
}

const registryValidator = () => {
  const ajv = new Ajv({ allErrors: true })
  // The registry's schema carries OpenAPI's "example" annotation, which draft-07 does not define.
  ajv.addKeyword("example")
  formats.default(ajv)
  return ajv.compile(schema)
}

const clients: Array<Client> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

describe("server.json", () => {
  it("is valid against the MCP Registry's schema, and names that schema", () => {
    const validate = registryValidator()
    const valid = validate(serverJson)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
    expect(serverJson.$schema).toBe(schema.$id)
  })

  it('would be refused by the same check with a name outside a namespace or a package at "latest"', () => {
    const validate = registryValidator()
    expect(validate({ ...serverJson, name: "whatsapp-mcp" })).toBe(false)
    const [npm, ...rest] = serverJson.packages
    expect(validate({ ...serverJson, packages: [{ ...npm, version: "latest" }, ...rest] })).toBe(false)
  })

  it("is the npm package at its version, and the package claims the registry name", () => {
    expect(npmPackage).toBeDefined()
    expect(npmPackage?.identifier).toBe(packageJson.name)
    expect(npmPackage?.version).toBe(packageJson.version)
    expect(serverJson.version).toBe(packageJson.version)
    expect(npmPackage?.transport).toEqual({ type: "stdio" })
    // The registry checks this field of the published package to accept server.json.
    expect(packageJson.mcpName).toBe(serverJson.name)
  })

  it("names only flags that `whatsapp-mcp --help` lists", () => {
    const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" })
    expect(help.status).toBe(0)
    const flags = npmPackage?.packageArguments.filter((argument) => argument.type === "named") ?? []
    expect(flags.length).toBeGreaterThan(0)
    for (const flag of flags) expect(help.stderr).toMatch(new RegExp(`^\\s+${flag.name}\\b`, "m"))
  })

  it("names only environment variables the server reads", () => {
    for (const variable of npmPackage?.environmentVariables ?? []) {
      const cwd = mkdtempSync(join(tmpdir(), "wa-cwd-"))
      const without = Either.getOrThrow(Config.load({ env: {}, cwd }))
      const loaded = Config.load({ env: { [variable.name]: sampleValue(variable) }, cwd })
      expect(Either.isRight(loaded), variable.name).toBe(true)
      expect(Either.getOrThrow(loaded), variable.name).not.toEqual(without)
    }
  })

  it("describes a command line the server starts with and serves its tools on", async () => {
    const args = (npmPackage?.packageArguments ?? []).flatMap((argument) =>
      argument.type === "named" ? [argument.name, sampleValue(argument)] : [sampleValue(argument)],
    )
    const env = Object.fromEntries(
      (npmPackage?.environmentVariables ?? []).map((variable) => [variable.name, sampleValue(variable)]),
    )
    const client = new Client({ name: "server-json-test", version: "1.0.0" })
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, ...args],
        env: { ...getDefaultEnvironment(), ...env },
        stderr: "pipe",
      }),
    )
    clients.push(client)
    const tools = (await client.listTools()).tools.map((tool) => tool.name)
    expect(tools).toContain("list_chats")
    const chats = await client.callTool({ name: "list_chats", arguments: { limit: 1 } })
    expect(chats.isError).toBeFalsy()
  })
})
