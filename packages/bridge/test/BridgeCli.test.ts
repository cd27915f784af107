// `pnpm bridge --replay` and `pnpm bridge logout` as a user runs them: a real process, a real port,
// Ctrl-C to stop. (The live `pnpm bridge` needs WhatsApp; its programs are tested with simulated sockets.)
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"

const bridge = path.resolve(import.meta.dirname, "../src/bin/bridge.ts")
const demo = path.resolve(import.meta.dirname, "../../../fixtures/demo/demo.jsonl")
const children: Array<ChildProcess> = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
})

const start = (...args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", bridge, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  children.push(child)
  let stderr = ""
  child.stderr?.on("data", (chunk) => {
    stderr += chunk
  })
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]
      if (url !== undefined) resolve(url)
    })
    child.on("exit", (code) => reject(new Error(`bridge exited ${code}: ${stderr}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, listening, exited, stderr: () => stderr }
}

describe("pnpm bridge --replay", () => {
  it("ingests the recording, serves the API on loopback behind the token, and stops cleanly on Ctrl-C", async () => {
    const store = path.join(mkdtempSync(path.join(tmpdir(), "wa-cli-")), "store")
    const run = start("--replay", demo, "--store", store, "--port", "0")
    const url = await run.listening
    const token = readFileSync(path.join(store, "bridge-token"), "utf8").trim()
    const health = await fetch(`${url}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ connection: "open" })
    const refused = await fetch(`${url}/v1/health`)
    expect(refused.status).toBe(401)
    expect(existsSync(path.join(store, "bridge.pid"))).toBe(true)

    run.child.kill("SIGINT")
    expect(await run.exited).toBe(0)
    expect(existsSync(path.join(store, "bridge.pid"))).toBe(false)
  }, 90_000)

  it("refuses a second bridge on the same store with one clear line", async () => {
    const store = path.join(mkdtempSync(path.join(tmpdir(), "wa-cli-")), "store")
    const first = start("--replay", demo, "--store", store, "--port", "0")
    await first.listening
    const second = spawnSync(
      process.execPath,
      ["--import", "tsx", bridge, "--replay", demo, "--store", store],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    )
    expect(second.status).toBe(1)
    expect(second.stderr).toMatch(/^bridge: .*already/m)
    expect(second.stderr).not.toMatch(/ {4}at /)
  }, 90_000)
})

describe("pnpm bridge logout", () => {
  it("says there is nothing to unlink on a store that was never linked", () => {
    const store = path.join(mkdtempSync(path.join(tmpdir(), "wa-cli-")), "store")
    const result = spawnSync(process.execPath, ["--import", "tsx", bridge, "logout", "--store", store], {
      encoding: "utf8",
      timeout: 60_000,
    })
    expect(result.status).toBe(0)
    expect(result.stderr).toMatch(/not linked to WhatsApp: nothing to unlink/)
  }, 90_000)
})

describe("bad command lines", () => {
  it.each([
    [["--port", "http"], /--port "http" is not a port number/],
    [["--replay", demo, "--pair-phone", "15550100"], /--pair-phone makes no sense with --replay/],
    [["--colour"], /Unknown option '--colour'/],
    [["--max-media-mb", "lots"], /--max-media-mb "lots" is not a size in MiB/],
    [["--max-media-mb", "0"], /--max-media-mb "0" is not a size in MiB/],
    [["--max-media-mb", "5000"], /--max-media-mb "5000" is not a size in MiB/],
  ])(
    "%j is refused with exit status 2 and says why",
    (args, pattern) => {
      const result = spawnSync(process.execPath, ["--import", "tsx", bridge, ...args], {
        encoding: "utf8",
        timeout: 60_000,
      })
      expect(result.status).toBe(2)
      expect(result.stderr).toMatch(pattern)
    },
    60_000,
  )
})
