// The configuration file: where it is found, what it defaults to, and how mistakes are named.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { BridgeClient } from "@whatsapp-mcp/runtime"
import { Effect, Either } from "effect"
import { BridgeClientLive, Config } from "../../src/host/index.js"

const dir = () => mkdtempSync(join(tmpdir(), "wa-config-"))
const write = (content: unknown, name = Config.defaultFileName) => {
  const base = dir()
  const file = join(base, name)
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content))
  return { base, file }
}
const load = (sources: Partial<Config.Sources>) => Config.load({ env: {}, cwd: dir(), ...sources })
const message = (result: Either.Either<Config.Config, Config.ConfigError>) =>
  Either.isLeft(result) ? result.left.message : "(no error)"

describe("Config.load", () => {
  it("uses defaults everywhere when there is no file", () => {
    const cwd = dir()
    const config = Either.getOrThrow(Config.load({ env: {}, cwd }))
    expect(config).toMatchObject({
      file: undefined,
      storeDir: join(cwd, "store"),
      bridgeUrl: "http://127.0.0.1:8080",
      tokenFile: join(cwd, "store", "bridge-token"),
      readOnly: false,
      plugins: [],
      excludeTools: [],
    })
  })

  it("finds whatsapp-mcp.config.json in the working directory", () => {
    const { base, file } = write({ timezone: "Europe/Berlin" })
    const config = Either.getOrThrow(Config.load({ env: {}, cwd: base }))
    expect(config.file).toBe(file)
    expect(config.timezone).toBe("Europe/Berlin")
  })

  it("takes --config over WHATSAPP_MCP_CONFIG over the working directory", () => {
    const flag = write({ timezone: "Asia/Tokyo" }, "a.json")
    const env = write({ timezone: "America/New_York" }, "b.json")
    const cwd = write({ timezone: "Europe/Paris" })
    const both = load({ configFlag: flag.file, env: { WHATSAPP_MCP_CONFIG: env.file }, cwd: cwd.base })
    expect(Either.getOrThrow(both).timezone).toBe("Asia/Tokyo")
    const envOnly = load({ env: { WHATSAPP_MCP_CONFIG: env.file }, cwd: cwd.base })
    expect(Either.getOrThrow(envOnly).timezone).toBe("America/New_York")
  })

  it("resolves relative paths against the config file's directory, and --store against the working directory", () => {
    const { base, file } = write({ store: "./data", bridge: { tokenFile: "secrets/token" } })
    const config = Either.getOrThrow(load({ configFlag: file }))
    expect(config.storeDir).toBe(join(base, "data"))
    expect(config.tokenFile).toBe(join(base, "secrets", "token"))
    const cwd = dir()
    const flagged = Either.getOrThrow(load({ configFlag: file, storeFlag: "elsewhere", cwd }))
    expect(flagged.storeDir).toBe(join(cwd, "elsewhere"))
  })

  it("turns read-only mode on from the file or from WHATSAPP_MCP_READ_ONLY", () => {
    expect(Either.getOrThrow(load({ configFlag: write({ readOnly: true }).file })).readOnly).toBe(true)
    expect(Either.getOrThrow(load({ env: { WHATSAPP_MCP_READ_ONLY: "1" } })).readOnly).toBe(true)
    expect(Either.getOrThrow(load({ env: { WHATSAPP_MCP_READ_ONLY: "0" } })).readOnly).toBe(false)
  })

  it("takes the time zone from WHATSAPP_MCP_TIMEZONE, and an empty one as unset (the system's zone)", () => {
    expect(Either.getOrThrow(load({ env: { WHATSAPP_MCP_TIMEZONE: "Asia/Tokyo" } })).timezone).toBe(
      "Asia/Tokyo",
    )
    expect(Either.getOrThrow(load({ env: { WHATSAPP_MCP_TIMEZONE: "" } })).timezone).toBeUndefined()
    expect(Either.getOrThrow(load({ env: { WHATSAPP_MCP_TIMEZONE: " " } })).timezone).toBeUndefined()
    expect(message(load({ env: { WHATSAPP_MCP_TIMEZONE: "Mars/Olympus" } }))).toBe(
      'WHATSAPP_MCP_TIMEZONE: "Mars/Olympus" is not a time zone name.',
    )
  })

  it("keeps plugin settings in file order and the tool exclusions", () => {
    const { file } = write({
      plugins: { media: false, send: { allowedRecipients: ["+15550100"] }, "./my-plugin": true },
      tools: { exclude: ["send_audio_message"] },
    })
    const config = Either.getOrThrow(load({ configFlag: file }))
    expect(config.plugins).toEqual([
      ["media", false],
      ["send", { allowedRecipients: ["+15550100"] }],
      ["./my-plugin", true],
    ])
    expect(config.excludeTools).toEqual(["send_audio_message"])
  })

  it("names a missing config file", () => {
    expect(message(load({ configFlag: "/nonexistent/whatsapp.json" }))).toMatch(
      /Cannot read the config file \/nonexistent\/whatsapp.json: it does not exist/,
    )
  })

  it("names the file and the position of invalid JSON", () => {
    const { file } = write('{ "store": "./s", }')
    expect(message(load({ configFlag: file }))).toMatch(new RegExp(`${file} is not valid JSON: .*position`))
  })

  it("names every key that holds a wrong value", () => {
    const { file } = write({
      timezone: "Mars/Olympus",
      readOnly: "yes",
      bridge: { url: "not a url" },
      plugins: { send: 3 },
      tools: { exclude: "send_message" },
      colour: "blue",
    })
    const text = message(load({ configFlag: file }))
    expect(text).toMatch(/^timezone: .*"Mars\/Olympus" is not a time zone name/m)
    expect(text).toMatch(/^readOnly: /m)
    expect(text).toMatch(/^bridge\.url: .*not a URL/m)
    expect(text).toMatch(/^plugins\.send: /m)
    expect(text).toMatch(/^tools\.exclude: /m)
    expect(text).toMatch(/^colour: /m)
  })
})

describe("what a config mistake says", () => {
  it("names the key, what it expects in words and what it found", () => {
    const text = message(
      load({
        configFlag: write({ readOnly: "yes", tools: { exclude: "send_message" }, plugins: { send: 3 } }).file,
      }),
    )
    expect(text).toMatch(/^readOnly: expected true or false; found "yes" \(a string\)$/m)
    expect(text).toMatch(
      /^tools\.exclude: expected a list of tool names; found "send_message" \(a string\)$/m,
    )
    expect(text).toMatch(
      /^plugins\.send: expected true, false or an object of the plugin's options; found 3 \(a number\)$/m,
    )
    expect(text).not.toMatch(/Expected|actual|undefined/)
  })

  it("suggests the key that was probably meant", () => {
    const text = message(load({ configFlag: write({ readonly: true, bridge: { urll: "x" } }).file }))
    expect(text).toMatch(
      /^readonly: unknown key "readonly" \(did you mean "readOnly"\?\); known keys: .*readOnly/m,
    )
    expect(text).toMatch(/^bridge\.urll: unknown key "urll" \(did you mean "url"\?\)/m)
  })
})

describe("a bridge on another machine", () => {
  const listeners: Array<Server> = []
  afterEach(() => {
    for (const server of listeners.splice(0)) server.close()
  })
  /** A local listener that records the Authorization header of every request it gets. */
  const listener = async () => {
    const authorizations: Array<string | undefined> = []
    const server = createServer((request, response) => {
      authorizations.push(request.headers.authorization)
      response.writeHead(404).end()
    })
    listeners.push(server)
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done))
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, authorizations }
  }
  const tokenFile = () => {
    const file = join(dir(), "bridge-token")
    writeFileSync(file, "secret-token", { mode: 0o600 })
    return file
  }
  const callHealth = (config: Config.Config) =>
    Effect.runPromise(
      Effect.flatMap(BridgeClient.BridgeClient, (bridge) => bridge.health).pipe(
        Effect.provide(BridgeClientLive.layerFetch({ url: config.bridgeUrl, tokenFile: config.tokenFile })),
        Effect.either,
      ),
    )
  // The listener stands in for another machine: nothing counts as this machine.
  const elsewhere = () => false

  it("accepts this machine's addresses only", () => {
    for (const url of [
      "http://127.0.0.1:8080",
      "http://localhost:9",
      "http://127.1.2.3",
      "http://[::1]:8080",
    ]) {
      expect(Either.isRight(load({ configFlag: write({ bridge: { url } }).file })), url).toBe(true)
    }
    for (const url of [
      "http://192.0.2.10:8080",
      "https://bridge.example.com",
      "http://127.0.0.1.example.com",
    ]) {
      expect(message(load({ configFlag: write({ bridge: { url } }).file })), url).toMatch(
        /^bridge\.url: ".*" is not on this machine, and the bridge's token .* add "allowRemote": true/,
      )
    }
    expect(message(load({ env: { WHATSAPP_MCP_BRIDGE_URL: "http://192.0.2.10:8080" } }))).toMatch(
      /^WHATSAPP_MCP_BRIDGE_URL: "http:\/\/192\.0\.2\.10:8080" is not on this machine/,
    )
  })

  it("refuses to start, so the token never reaches it, unless the config allows it explicitly", async () => {
    const { url, authorizations } = await listener()
    const token = tokenFile()
    const refused = load({
      configFlag: write({ bridge: { url, tokenFile: token } }).file,
      isLocalHost: elsewhere,
    })
    expect(message(refused)).toMatch(/^bridge\.url: .* is not on this machine/)
    expect(authorizations).toEqual([])

    // The same host, allowed on purpose: the token goes there, which is what the refusal prevents.
    const allowed = Either.getOrThrow(
      load({
        configFlag: write({ bridge: { url, tokenFile: token, allowRemote: true } }).file,
        isLocalHost: elsewhere,
      }),
    )
    await callHealth(allowed)
    expect(authorizations).toEqual(["Bearer secret-token"])
  })
})

describe("the config file's JSON Schema", () => {
  it("is checked in and matches the Schema the server decodes with", () => {
    const checkedIn = JSON.parse(
      readFileSync(join(__dirname, "../../../../whatsapp-mcp.config.schema.json"), "utf8"),
    )
    expect(checkedIn).toEqual(Config.jsonSchema())
  })
})
