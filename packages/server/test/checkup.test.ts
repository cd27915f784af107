// `pnpm checkup` (installed: `whatsapp-mcp doctor`) tells a newcomer what is wrong and how to fix
// it: one line per check, a fix under each failure, exit status 1 on any failure, and all green
// against a running replay bridge. Run as the root script runs it: the product's bin, `checkup`.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer as createHttpServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { describeDisconnect } from "@whatsapp-mcp/bridge/disconnect-policy"
import { Health } from "@whatsapp-mcp/core/api"
import { Schema } from "effect"
import { builtinToolNames } from "../src/index.js"
import { connectingHealth } from "./support/BridgeHealth.js"
import { freePort } from "./support/FreePort.js"
import { startReplayBridge } from "./support/ReplayBridge.js"

const root = resolve(__dirname, "../../..")
const productBin = join(root, "packages/whatsapp-mcp/bin/whatsapp-mcp.mjs")
const children: Array<ChildProcess> = []
afterAll(() => {
  for (const child of children) child.kill("SIGINT")
})

const checkup = (...args: Array<string>) => {
  const run = spawnSync(process.execPath, [productBin, "checkup", ...args], {
    encoding: "utf8",
    env: { ...process.env, WHATSAPP_MCP_CONFIG: undefined, WHATSAPP_MCP_STORE: undefined },
    cwd: tmpdir(),
  })
  return { status: run.status, out: run.stdout }
}

const writeConfig = (dir: string, port: number, extra: Record<string, unknown> = {}) => {
  const file = join(dir, "whatsapp-mcp.config.json")
  writeFileSync(
    file,
    JSON.stringify({ store: "./store", bridge: { url: `http://127.0.0.1:${port}` }, ...extra }),
  )
  return file
}

const startReplay = (store: string, port: number) =>
  startReplayBridge(
    [
      join(root, "packages/bridge/dist/bundle/bridge.mjs"),
      "--replay",
      join(root, "fixtures/demo/demo.jsonl"),
      "--store",
      store,
      "--port",
      String(port),
    ],
    children,
  )

describe("pnpm checkup", () => {
  let dir = ""
  let port = 0
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wa-checkup-"))
    port = await freePort()
    await startReplay(join(dir, "store"), port)
  }, 90_000)

  it("is all green against a running replay bridge on the demo stream", () => {
    const { status, out } = checkup("--config", writeConfig(dir, port))
    expect(out).not.toMatch(/✗/)
    for (const check of [
      "Node",
      "Install",
      "Build",
      "Config",
      "Plugins",
      "Store",
      "Token",
      "Bridge",
      "WhatsApp",
      "ffmpeg",
    ])
      expect(out).toMatch(new RegExp(`^✓ ${check}: `, "m"))
    expect(out).toMatch(
      new RegExp(`^✓ Plugins: serves ${builtinToolNames.length} tools \\(.*\\blist_messages\\b`, "m"),
    )
    expect(out).toMatch(/History sync: idle, 16 chats, \d+ messages stored/)
    expect(out).toMatch(/All checks passed/)
    expect(status).toBe(0)
  })

  it("says how to start the bridge when nothing answers", async () => {
    const deadPort = await freePort()
    const { status, out } = checkup("--config", writeConfig(dir, deadPort))
    expect(out).toMatch(new RegExp(`✗ Bridge: nothing answers at http://127.0.0.1:${deadPort}`))
    expect(out).toMatch(/fix: start it: `pnpm bridge --store .*store`/)
    expect(out).toMatch(/^✓ Store: /m)
    expect(status).toBe(1)
  })

  it("says how to get a token when the store has none", () => {
    const other = mkdtempSync(join(tmpdir(), "wa-checkup-notoken-"))
    const ingest = spawnSync(
      process.execPath,
      [
        join(root, "packages/bridge/dist/bundle/bridge.mjs"),
        "ingest",
        join(root, "fixtures/demo/demo.jsonl"),
        "--store",
        join(other, "store"),
      ],
      { encoding: "utf8" },
    )
    expect(ingest.status).toBe(0)
    rmSync(join(other, "store", "bridge-token"), { force: true })
    const { status, out } = checkup("--config", writeConfig(other, port))
    expect(out).toMatch(/✗ Token: .*bridge-token does not exist/)
    expect(out).toMatch(/fix: start the bridge with the same store .*it creates the token/)
    expect(status).toBe(1)
  })

  it("says how to create the store when there is none", () => {
    const empty = mkdtempSync(join(tmpdir(), "wa-checkup-nostore-"))
    const { status, out } = checkup("--store", join(empty, "store"))
    expect(out).toMatch(/✗ Store: no store at .*messages\.db/)
    expect(out).toMatch(/fix: start the bridge once \(`pnpm bridge --store .*`\) to create it/)
    expect(status).toBe(1)
  })

  it("reports the server's own error when a configured plugin does not load, and how to fix it", () => {
    const other = mkdtempSync(join(tmpdir(), "wa-checkup-badplugin-"))
    const config = writeConfig(other, port, {
      store: join(dir, "store"),
      plugins: { "./no-such-plugin": true },
    })
    const { status, out } = checkup("--config", config)
    expect(out).toMatch(
      /^✗ Plugins: whatsapp-mcp: plugins\.\.\/no-such-plugin: the plugin could not be loaded: .*no-such-plugin does not exist$/m,
    )
    expect(out).toMatch(/fix: fix or disable the named plugin in the config/)
    // The other checks still run: the store and the bridge are fine.
    expect(out).toMatch(/^✓ Store: /m)
    expect(out).toMatch(/^✓ Bridge: /m)
    expect(status).toBe(1)
  })

  it("names the bad key in the config and still checks the rest", () => {
    const bad = mkdtempSync(join(tmpdir(), "wa-checkup-badconfig-"))
    const file = join(bad, "whatsapp-mcp.config.json")
    writeFileSync(file, JSON.stringify({ readOnly: "sometimes" }))
    const { status, out } = checkup("--config", file, "--store", join(dir, "store"))
    expect(out).toMatch(/✗ Config: The config file .* has invalid values:\n\s+readOnly: /)
    expect(out).toMatch(/fix: correct the named key/)
    expect(out).toMatch(/^✓ Store: /m)
    expect(status).toBe(1)
  })
})

/** A stand-in bridge on 127.0.0.1 that reports the given health, checked against the bridge's contract. */
const healthServer = async (health: typeof Health.Encoded) => {
  const body = JSON.stringify(Schema.encodeSync(Health)(Schema.decodeUnknownSync(Health)(health)))
  const server: Server = createHttpServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" })
    response.end(body)
  })
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening))
  const address = server.address()
  return { server, port: typeof address === "object" && address !== null ? address.port : 0 }
}

describe("pnpm checkup's advice on the WhatsApp connection", () => {
  const servers: Array<Server> = []
  afterAll(() => {
    for (const server of servers) server.close()
  })
  const runWith = async (health: Partial<typeof Health.Encoded>) => {
    const { server, port } = await healthServer({ ...connectingHealth, ...health })
    servers.push(server)
    const dir = mkdtempSync(join(tmpdir(), "wa-checkup-state-"))
    // Not spawnSync: the stand-in bridge answers from this process's event loop.
    const { status, out } = await new Promise<{ status: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, [productBin, "checkup", "--config", writeConfig(dir, port)], {
        env: { ...process.env, WHATSAPP_MCP_CONFIG: undefined, WHATSAPP_MCP_STORE: undefined },
        cwd: tmpdir(),
        stdio: ["ignore", "pipe", "inherit"],
      })
      let out = ""
      child.stdout.on("data", (chunk) => {
        out += chunk
      })
      child.on("close", (status) => done({ status, out }))
    })
    return { status, out }
  }
  const checkWith = async (health: Partial<typeof Health.Encoded>) => {
    const { status, out } = await runWith(health)
    expect(status).toBe(1)
    const line = out.split("\n").findIndex((l) => l.startsWith("✗ WhatsApp: "))
    expect(line, out).toBeGreaterThanOrEqual(0)
    return out
      .split("\n")
      .slice(line, line + 2)
      .join("\n")
  }

  it("says to check the network, not to scan a QR code, when WhatsApp cannot be reached", async () => {
    const reason = "WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)"
    const advice = await checkWith({
      connection: "reconnecting",
      detail: `${describeDisconnect(408, reason)}; reconnecting in 16 s.`,
      last_disconnect: { code: 408, reason, at: 1_780_000_000 },
      reconnects: 5,
    })
    expect(advice).toMatch(/✗ WhatsApp: cannot reach WhatsApp \(408: .*ENOTFOUND web\.whatsapp\.com\)/)
    expect(advice).toMatch(/fix: check this machine's network connection/)
    expect(advice).not.toMatch(/QR/)
  })

  it("says to scan the QR code when one is waiting", async () => {
    const advice = await checkWith({ pairing: "awaiting_qr" })
    expect(advice).toMatch(/✗ WhatsApp: not linked yet: a QR code is waiting to be scanned/)
    expect(advice).toMatch(
      /fix: scan the QR code in the bridge's terminal \(also saved as .*pairing-qr\.png\)/,
    )
  })

  it("says to pair again when the phone logged this device out", async () => {
    const advice = await checkWith({
      connection: "logged_out",
      detail: "This device was unlinked from WhatsApp (code 401); the session was wiped.",
      last_disconnect: { code: 401, reason: "Connection Failure", at: 1_780_000_000 },
    })
    expect(advice).toMatch(/✗ WhatsApp: not linked \(logged_out\)/)
    expect(advice).toMatch(/fix: pair again: `pnpm bridge logout --store .*`, then `pnpm bridge --store .*`/)
  })

  it("says to update the project when WhatsApp refuses its client version as outdated (405)", async () => {
    const detail =
      "WhatsApp refuses this bridge's WhatsApp Web version 2.3000.1043857760 as outdated (code 405), also after looking up the current one. Update whatsapp-mcp to its newest release (or its Baileys dependency), then restart the bridge."
    const advice = await checkWith({
      connection: "outdated",
      detail,
      last_disconnect: { code: 405, reason: "Connection Failure", at: 1_780_000_000 },
      wa_web_version: { version: "2.3000.1043857760", source: "baileys" },
    })
    expect(advice).toMatch(/✗ WhatsApp: outdated: WhatsApp refuses .* \(code 405\)/)
    expect(advice).toMatch(/fix: update whatsapp-mcp to its newest release/)
  })

  it("names the WhatsApp Web version in use and where it came from", async () => {
    const looked = await runWith({
      connection: "open",
      pairing: "paired",
      own_jid: "15550001111@s.whatsapp.net",
      wa_web_version: { version: "2.3000.1099999999", source: "whatsapp" },
    })
    expect(looked.out).toMatch(
      /✓ WhatsApp Web version: 2\.3000\.1099999999 \(as WhatsApp named it at start\)/,
    )
    const stored = await runWith({ wa_web_version: { version: "2.3000.1011111111", source: "stored" } })
    expect(stored.out).toMatch(/• WhatsApp Web version: 2\.3000\.1011111111 \(the last one that worked/)
  })

  it("warns that the link may expire when nothing came from WhatsApp for days", async () => {
    const { status, out } = await runWith({
      connection: "open",
      pairing: "paired",
      own_jid: "15550001111@s.whatsapp.net",
      link_warning: "nothing from WhatsApp for 9 days while connected: the phone may be offline",
    })
    expect(status).toBe(1)
    expect(out).toMatch(/✓ WhatsApp: connected/)
    expect(out).toMatch(/✗ WhatsApp link: may expire soon: nothing from WhatsApp for 9 days/)
    expect(out).toMatch(/fix: open WhatsApp on the phone with a network connection/)
  })

  it("says to wait while a first connection is still being made", async () => {
    const advice = await checkWith({})
    expect(advice).toMatch(/✗ WhatsApp: connecting, not linked yet/)
    expect(advice).toMatch(/fix: wait a few seconds .* then run `pnpm checkup` again/)
  })
})

describe("pnpm checkup --help", () => {
  it("prints its usage and exits 0; an unknown option names itself and exits 2", () => {
    const help = checkup("--help")
    expect(help.out).toMatch(/^Usage: pnpm checkup \[--config FILE\] \[--store DIR\]/)
    expect(help.status).toBe(0)
    const run = spawnSync(process.execPath, [productBin, "checkup", "--stor", "x"], { encoding: "utf8" })
    expect(run.stderr).toMatch(/^pnpm checkup: Unknown option '--stor'/)
    expect(run.status).toBe(2)
  })
})
