// `pnpm bridge --replay` and `pnpm bridge logout` as a user runs them: a real process, a real port,
// Ctrl-C to stop. (The live `pnpm bridge` needs WhatsApp; its programs are tested with simulated
// sockets, and `logout` runs with WhatsApp replaced by the replay socket.)
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { SessionFileName } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { Effect } from "effect"
import * as SessionStore from "../src/session/SessionStore.js"

const bridge = path.resolve(import.meta.dirname, "../src/bin/bridge.ts")
const demo = path.resolve(import.meta.dirname, "../../../fixtures/demo/demo.jsonl")
const live = path.resolve(import.meta.dirname, "../../../fixtures/demo/live.jsonl")
const simulatedWhatsApp = path.resolve(import.meta.dirname, "support/simulated-whatsapp.mjs")
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

    // Without --media the recording's media is served from nowhere, and the bridge says so.
    expect(run.stderr()).toMatch(/The recording's media is not served \(no --media DIR\)/)
    const db = new Database(path.join(store, "messages.db"), { readonly: true })
    const photo = db
      .prepare("SELECT chat_jid, id FROM messages WHERE kind = 'image' AND media_key IS NOT NULL LIMIT 1")
      .get() as { chat_jid: string; id: string }
    db.close()
    const download = await fetch(`${url}/v1/media/download`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ chat_jid: photo.chat_jid, message_id: photo.id }),
    })
    expect(((await download.json()) as { error: { code: string } }).error.code).toBe("media_unavailable")
    expect(
      existsSync(path.join(store, "media"))
        ? readdirSync(path.join(store, "media"), { recursive: true })
        : [],
    ).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.jpe?g$/)]))

    run.child.kill("SIGINT")
    expect(await run.exited).toBe(0)
    expect(existsSync(path.join(store, "bridge.pid"))).toBe(false)
  }, 90_000)

  it("delivers --then's events after the replay, through ingestion, as if they had just arrived", async () => {
    const store = path.join(mkdtempSync(path.join(tmpdir(), "wa-cli-")), "store")
    const run = start("--replay", demo, "--store", store, "--port", "0", "--then", live, "--after", "0")
    await run.listening
    await new Promise<void>((delivered, failed) => {
      const check = () => {
        if (/Delivered 2 events of .*live\.jsonl \(--then\)/.test(run.stderr())) delivered()
      }
      run.child.stderr?.on("data", check)
      check()
      run.exited.then((code) => failed(new Error(`bridge exited ${code}: ${run.stderr()}`)))
    })
    const startedAt = Math.floor(Date.now() / 1000)
    const db = new Database(path.join(store, "messages.db"), { readonly: true })
    // Delivered means the socket emitted them; ingestion stores them from its queue a moment later.
    const find = () =>
      db.prepare("SELECT chat_jid, timestamp FROM messages WHERE text LIKE '¿Sigue en pie%'").get() as
        | { chat_jid: string; timestamp: number }
        | undefined
    let arrived = find()
    for (let waited = 0; arrived === undefined && waited < 15_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      arrived = find()
    }
    const chat = db.prepare("SELECT unread_count FROM chats WHERE jid = ?").get(arrived?.chat_jid) as
      | { unread_count: number }
      | undefined
    db.close()
    expect(arrived?.chat_jid).toBe("12025550103@s.whatsapp.net")
    // Recorded weeks ago, it arrives now: a client asking for today's messages finds it.
    expect(Math.abs((arrived?.timestamp ?? 0) - startedAt)).toBeLessThan(120)
    expect(chat?.unread_count).toBeGreaterThan(0)
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(0)
  }, 90_000)

  it("refuses a --then recording it cannot read or use at start, naming the file and line", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wa-cli-"))
    const broken = path.join(dir, "later.jsonl")
    writeFileSync(broken, '{"event":"messages.upsert","data":\n')
    for (const [file, pattern] of [
      [broken, /--then: .*later\.jsonl has lines the bridge cannot use:\n.*later\.jsonl:1: /],
      [path.join(dir, "missing.jsonl"), /--then: cannot read .*missing\.jsonl/],
    ] as const) {
      const result = spawnSync(
        process.execPath,
        ["--import", "tsx", bridge, "--replay", demo, "--store", path.join(dir, "store"), "--then", file],
        { encoding: "utf8", timeout: 60_000 },
      )
      expect(result.status).toBe(1)
      expect(result.stderr).toMatch(pattern)
      expect(result.stderr).not.toMatch(/ {4}at /)
    }
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

/** A store linked to an account, as pairing leaves it. */
const linkedStore = async () => {
  const store = path.join(mkdtempSync(path.join(tmpdir(), "wa-cli-")), "store")
  mkdirSync(store, { mode: 0o700 })
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const session = yield* SessionStore.make(store)
        const state = yield* session.authState
        state.creds.me = { id: "15550001111:1@s.whatsapp.net", name: "Sam" }
        state.creds.registered = true
        yield* session.saveCreds
      }),
    ),
  )
  return store
}

const sessionFile = (store: string) => path.join(store, SessionFileName)

const linkedAccounts = (store: string) => {
  const db = new Database(sessionFile(store), { readonly: true })
  try {
    return (db.prepare("SELECT count(*) AS n FROM creds").get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** `pnpm bridge logout` with WhatsApp simulated, taking or refusing the logout. */
const logoutWith = (store: string, whatsapp: "accept" | "refuse") =>
  spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", simulatedWhatsApp, bridge, "logout", "--store", store],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, SIMULATED_WHATSAPP_LOGOUT: whatsapp } },
  )

describe("pnpm bridge logout", () => {
  it("unlinks at WhatsApp, wipes the session and says it is done", async () => {
    const store = await linkedStore()
    const result = logoutWith(store, "accept")
    expect(result.stderr).toMatch(/Unlinked from WhatsApp; the session was wiped/)
    expect(result.status).toBe(0)
    expect(linkedAccounts(store)).toBe(0)
  }, 90_000)

  it("says the phone still lists the device, and exits 1, when WhatsApp does not take the logout", async () => {
    const store = await linkedStore()
    const result = logoutWith(store, "refuse")
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(
      /^bridge logout: WhatsApp did not take the logout \(Connection Closed\), so the phone still lists this device: .*Linked devices/m,
    )
    expect(result.stderr).toMatch(/The session was wiped: run `pnpm bridge` to link again/)
    expect(linkedAccounts(store)).toBe(0)
  }, 90_000)

  it("names the file to delete, and exits 1, when the session cannot be wiped", async () => {
    const store = await linkedStore()
    // The session file refuses to lose its account, as a full or read-only disk would.
    const db = new Database(sessionFile(store))
    db.exec(
      "CREATE TRIGGER keep_account BEFORE DELETE ON creds BEGIN SELECT RAISE(ABORT, 'the disk refused the write'); END",
    )
    db.close()
    const result = logoutWith(store, "accept")
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(
      /^bridge logout: Unlinked from WhatsApp: the phone no longer lists this device/m,
    )
    expect(result.stderr).toContain("The session was not wiped (")
    expect(result.stderr).toContain("the disk refused the write")
    expect(result.stderr).toContain(`delete ${sessionFile(store)}`)
    expect(result.stderr).not.toMatch(/session was wiped/)
    expect(linkedAccounts(store)).toBe(1)
  }, 90_000)

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
    [
      ["--replay", demo, "--media", "/no/such/media"],
      /--media: \/no\/such\/media is not an existing directory/,
    ],
    [["--media", tmpdir()], /--media .* applies to --replay only/],
    [["--then", live], /--then and --after .* apply to --replay only/],
    [["--replay", demo, "--after", "3"], /--after says when --then's events arrive: add --then FILE/],
    [["--replay", demo, "--then", live, "--after", "soon"], /--after "soon" is not a number of seconds/],
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
