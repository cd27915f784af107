// `pnpm doctor` tells a newcomer what is wrong and how to fix it: one line per check, a fix under
// each failure, exit status 1 on any failure, and all green against a running replay bridge.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"

const root = resolve(__dirname, "../../..")
const children: Array<ChildProcess> = []
afterAll(() => {
  for (const child of children) child.kill("SIGINT")
})

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const doctor = (...args: Array<string>) => {
  const run = spawnSync(process.execPath, [join(root, "scripts/doctor.mjs"), ...args], {
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

const startReplay = async (store: string, port: number) => {
  const bridge = spawn(
    process.execPath,
    [
      join(root, "packages/bridge/dist/bundle/bridge.mjs"),
      "--replay",
      join(root, "fixtures/demo/demo.jsonl"),
      "--store",
      store,
      "--port",
      String(port),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  )
  children.push(bridge)
  await new Promise<void>((ready, failed) => {
    let log = ""
    bridge.stderr?.on("data", (chunk) => {
      log += chunk
      if (/listening on http/.test(log)) ready()
    })
    bridge.on("exit", (code) => failed(new Error(`replay bridge exited with ${code}:\n${log}`)))
  })
  return bridge
}

describe("pnpm doctor", () => {
  let dir = ""
  let port = 0
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wa-doctor-"))
    port = await freePort()
    await startReplay(join(dir, "store"), port)
  }, 90_000)

  it("is all green against a running replay bridge on the demo stream", () => {
    const { status, out } = doctor("--config", writeConfig(dir, port))
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
    expect(out).toMatch(/History sync: idle, 16 chats, \d+ messages stored/)
    expect(out).toMatch(/All checks passed/)
    expect(status).toBe(0)
  })

  it("says how to start the bridge when nothing answers", async () => {
    const deadPort = await freePort()
    const { status, out } = doctor("--config", writeConfig(dir, deadPort))
    expect(out).toMatch(new RegExp(`✗ Bridge: nothing answers at http://127.0.0.1:${deadPort}`))
    expect(out).toMatch(/fix: start it: `pnpm bridge --store .*store`/)
    expect(out).toMatch(/^✓ Store: /m)
    expect(status).toBe(1)
  })

  it("says how to get a token when the store has none", () => {
    const other = mkdtempSync(join(tmpdir(), "wa-doctor-notoken-"))
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
    const { status, out } = doctor("--config", writeConfig(other, port))
    expect(out).toMatch(/✗ Token: .*bridge-token does not exist/)
    expect(out).toMatch(/fix: start the bridge with the same store .*it creates the token/)
    expect(status).toBe(1)
  })

  it("says how to create the store when there is none", () => {
    const empty = mkdtempSync(join(tmpdir(), "wa-doctor-nostore-"))
    const { status, out } = doctor("--store", join(empty, "store"))
    expect(out).toMatch(/✗ Store: no store at .*messages\.db/)
    expect(out).toMatch(/fix: start the bridge once \(`pnpm bridge --store .*`\) to create it/)
    expect(status).toBe(1)
  })

  it("names the bad key in the config and still checks the rest", () => {
    const bad = mkdtempSync(join(tmpdir(), "wa-doctor-badconfig-"))
    const file = join(bad, "whatsapp-mcp.config.json")
    writeFileSync(file, JSON.stringify({ readOnly: "sometimes" }))
    const { status, out } = doctor("--config", file, "--store", join(dir, "store"))
    expect(out).toMatch(/✗ Config: The config file .* has invalid values:\n\s+readOnly: /)
    expect(out).toMatch(/fix: correct the named key/)
    expect(out).toMatch(/^✓ Store: /m)
    expect(status).toBe(1)
  })
})
