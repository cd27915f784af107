// `pnpm bridge --replay demo.jsonl --record FILE --anonymize`: a recording a user can attach to a
// bug report. Ingested again it gives the same store shape, without a name, number or text of theirs.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { makeAnonymizer } from "../src/recording/RecordingAnonymizer.js"

const bridge = path.resolve(import.meta.dirname, "../src/bin/bridge.ts")
const demo = path.resolve(import.meta.dirname, "../../../fixtures/demo/demo.jsonl")
const children: Array<ChildProcess> = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
})

const runBridge = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, ["--import", "tsx", bridge, ...args], { encoding: "utf8" })

const startReplay = (...args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", bridge, "--replay", ...args, "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  children.push(child)
  let stderr = ""
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk) => {
      stderr += chunk
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]
      if (url !== undefined) resolve(url)
    })
    child.on("exit", (code) => reject(new Error(`bridge exited ${code}: ${stderr}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, listening, exited }
}

interface StoreFacts {
  readonly chats: Record<string, number>
  readonly messages: Record<string, number>
  readonly contacts: number
  readonly reactions: number
  readonly names: ReadonlyArray<string>
  readonly phones: ReadonlyArray<string>
  readonly texts: ReadonlyArray<string>
}

const facts = (storeDir: string): StoreFacts => {
  const db = new Database(path.join(storeDir, "messages.db"), { readonly: true })
  try {
    const grouped = (sql: string) =>
      Object.fromEntries(
        (db.prepare(sql).all() as Array<{ key: string; n: number }>).map((row) => [row.key, row.n]),
      )
    const column = (sql: string) =>
      (db.prepare(sql).pluck().all() as Array<string | null>).filter((v) => v !== null)
    return {
      chats: grouped("SELECT kind AS key, COUNT(*) AS n FROM chats GROUP BY kind"),
      messages: grouped("SELECT kind AS key, COUNT(*) AS n FROM messages GROUP BY kind"),
      contacts: db.prepare("SELECT COUNT(*) FROM contacts").pluck().get() as number,
      reactions: db.prepare("SELECT COUNT(*) FROM reactions").pluck().get() as number,
      names: [
        ...column("SELECT address_book_name FROM contacts"),
        ...column("SELECT push_name FROM contacts"),
        ...column("SELECT name FROM chats"),
      ],
      phones: column("SELECT phone FROM contacts"),
      texts: column("SELECT text FROM messages"),
    }
  } finally {
    db.close()
  }
}

describe("pnpm bridge --record --anonymize", () => {
  it("records a replay that ingests to the same chats, messages and kinds with none of the original names, numbers or texts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wa-record-"))
    const recording = path.join(dir, "bug-report.jsonl")
    const run = startReplay(demo, "--store", path.join(dir, "store"), "--record", recording, "--anonymize")
    const url = await run.listening
    // A send while recording: its echo reaches the recording like any event from WhatsApp.
    const token = readFileSync(path.join(dir, "store", "bridge-token"), "utf8").trim()
    const sent = await fetch(`${url}/v1/messages/text`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ recipient: "+1 202 555 0101", text: "Rendez-vous devant la boulangerie" }),
    })
    expect(sent.status).toBe(200)
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(0)

    const originalStore = path.join(dir, "original")
    expect(runBridge("ingest", demo, "--store", originalStore).status).toBe(0)
    const replayedStore = path.join(dir, "replayed")
    const ingested = runBridge("ingest", recording, "--store", replayedStore)
    expect(ingested.stderr).not.toMatch(/line \d+/)
    expect(ingested.status).toBe(0)

    const original = facts(originalStore)
    const replayed = facts(replayedStore)
    expect(replayed.chats).toEqual(original.chats)
    expect(replayed.contacts).toBe(original.contacts)
    expect(replayed.reactions).toBe(original.reactions)
    // The same messages, plus the one sent while recording.
    expect(replayed.messages).toEqual({ ...original.messages, text: (original.messages.text ?? 0) + 1 })

    const text = readFileSync(recording, "utf8")
    expect(original.names.length).toBeGreaterThan(10)
    for (const name of original.names) expect(text).not.toContain(name)
    expect(original.phones.length).toBeGreaterThan(5)
    for (const phone of original.phones) expect(text).not.toContain(phone)
    expect(text).not.toContain("boulangerie")
    const replayedTexts = new Set(replayed.texts)
    const wordy = original.texts.filter((t) => /\p{L}{3}/u.test(t))
    expect(wordy.length).toBeGreaterThan(100)
    for (const original of wordy) expect(replayedTexts.has(original)).toBe(false)
  }, 120_000)
})

describe("RecordingAnonymizer", () => {
  it("maps the same number, name and word to the same replacement everywhere, keeping servers, ids and times", () => {
    const anonymizer = makeAnonymizer(new Uint8Array(32))
    const line = (data: unknown) => JSON.parse(anonymizer.line(JSON.stringify({ event: "x", data }))).data
    const first = line({
      key: { remoteJid: "12025550101@s.whatsapp.net", id: "3EB0ABC", participant: "100000000102313@lid" },
      messageTimestamp: "1717000000",
      message: { conversation: "Zoé: call 12025550101 at 9" },
    })
    const second = line({ id: "12025550101:3@s.whatsapp.net", pn: "12025550101", name: "Zoé Lefèvre" })
    expect(first.key.id).toBe("3EB0ABC")
    expect(first.messageTimestamp).toBe("1717000000")
    expect(first.key.remoteJid).toMatch(/^\d{11}@s\.whatsapp\.net$/)
    expect(first.key.participant).toMatch(/^\d{15}@lid$/)
    const user = first.key.remoteJid.split("@")[0]
    expect(user).not.toBe("12025550101")
    expect(second.id).toBe(`${user}:3@s.whatsapp.net`)
    expect(second.pn).toBe(user)
    expect(first.message.conversation).toMatch(
      new RegExp(`^\\p{L}{3}: \\p{L}{4} ${user} \\p{L}{2} \\d$`, "u"),
    )
    expect(first.message.conversation.slice(0, 3)).toBe(second.name.slice(0, 3))
    expect(second.name).not.toContain("Zoé")
  })

  it("replaces media keys and hashes with bytes of the same length", () => {
    const anonymizer = makeAnonymizer(new Uint8Array(32))
    const mediaKey = Buffer.alloc(32, 7).toString("base64")
    const out = JSON.parse(
      anonymizer.line(
        JSON.stringify({ event: "x", data: { imageMessage: { mediaKey, fileSha256: mediaKey } } }),
      ),
    ).data.imageMessage
    expect(out.mediaKey).not.toBe(mediaKey)
    expect(Buffer.from(out.mediaKey, "base64")).toHaveLength(32)
    expect(out.fileSha256).toBe(out.mediaKey)
  })
})
