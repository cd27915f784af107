// Faults under the store: the bridge killed in the middle of a history sync and started again, a
// disk that fills up, and another process holding the write lock. Each ends with every message of
// the stream in the store exactly once, `PRAGMA integrity_check` ok, and the store usable again.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect } from "effect"
import { syntheticHistory } from "../../../../fixtures/src/SyntheticHistory.js"
import { encodeRecordingEntry } from "../../src/recording/index.js"
import {
  bob,
  message,
  openTestStore,
  temporaryDirectory,
  testStore,
  upsert,
} from "../ingest/IngestTestKit.js"

const bridge = path.resolve(import.meta.dirname, "../../src/bin/bridge.ts")
const faults = { injected: 0, lost: 0, duplicated: 0 }

const count = (file: string) => {
  if (!existsSync(file)) return 0
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return (db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n
  } catch {
    return 0 // the schema is not there yet
  } finally {
    db.close()
  }
}

const integrity = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return db.pragma("integrity_check", { simple: true })
  } finally {
    db.close()
  }
}

/** `bridge ingest` as a process; `killWhen` SIGKILLs it as soon as the store holds that many messages. */
const ingest = (file: string, store: string, killWhen?: number) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", bridge, "ingest", file, "--store", store], {
      stdio: ["ignore", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    let watcher: NodeJS.Timeout | undefined
    if (killWhen !== undefined) {
      watcher = setInterval(() => {
        if (count(path.join(store, "messages.db")) >= killWhen) {
          clearInterval(watcher)
          child.kill("SIGKILL")
        }
      }, 5)
    }
    child.on("exit", (code, signal) => {
      clearInterval(watcher)
      resolve({ code, signal, stderr })
    })
  })

describe("bridge killed in the middle of a history sync", () => {
  it("loses no message and stores none twice when ingestion starts again", async () => {
    const work = mkdtempSync(path.join(tmpdir(), "wa-kill-sync-"))
    const stream = path.join(work, "history.jsonl")
    const entries = [...syntheticHistory({ messages: 8_000, seed: 91, chunkSize: 300 })]
    writeFileSync(stream, entries.map((e) => `${encodeRecordingEntry(e)}\n`).join(""))
    // What the stream holds, as an uninterrupted ingest stores it (edits, revokes and reactions
    // arrive as messages of their own and are folded into the message they change).
    const reference = path.join(work, "reference")
    assert.strictEqual((await ingest(stream, reference)).code, 0)
    const rowsOf = (dir: string) => {
      const reader = new Database(path.join(dir, "messages.db"), { readonly: true })
      try {
        return reader
          .prepare(
            "SELECT chat_jid, id, kind, text, edited_at, deleted_at FROM messages ORDER BY chat_jid, id",
          )
          .all() as Array<{ chat_jid: string; id: string }>
      } finally {
        reader.close()
      }
    }
    const expectedRows = rowsOf(reference)
    const expected = new Set(expectedRows.map((r) => r.id))
    assert.isAbove(expected.size, 7_500)
    const store = path.join(work, "store")
    const db = path.join(store, "messages.db")

    // Killed three times at growing depths, then left to finish.
    for (const depth of [300, 1_500, 3_000]) {
      const killed = await ingest(stream, store, depth)
      faults.injected++
      assert.strictEqual(
        killed.signal,
        "SIGKILL",
        `the ingest finished before it could be killed: ${killed.stderr}`,
      )
      const partial = count(db)
      assert.isAtLeast(partial, depth)
      assert.isAtMost(partial, expected.size)
      assert.strictEqual(integrity(db), "ok")
    }
    const finished = await ingest(stream, store)
    assert.strictEqual(finished.code, 0, finished.stderr)

    const rows = rowsOf(store)
    const ids = rows.map((r) => r.id)
    const stored = new Set(ids)
    faults.duplicated = ids.length - stored.size
    faults.lost = [...expected].filter((id) => !stored.has(id)).length
    assert.strictEqual(faults.duplicated, 0, "no message stored twice")
    assert.strictEqual(faults.lost, 0, "no message of the stream missing")
    // Not only the same ids: the same chats, kinds, texts, edits and deletions as the clean run.
    assert.deepStrictEqual(rows, expectedRows)
    assert.strictEqual(integrity(db), "ok")
    process.stderr.write(
      `kill mid-sync: ${faults.injected} kills, ${expected.size} messages in the stream, ${faults.lost} lost, ${faults.duplicated} duplicated\n`,
    )
  }, 120_000)
})

const text = (id: string, body: string, at: number) =>
  upsert(
    "notify",
    message({
      key: { remoteJid: bob, fromMe: false, id },
      messageTimestamp: at,
      message: { conversation: body },
    }),
  )

describe("a full disk", () => {
  it.scoped(
    "refuses the batch with a clear error, keeps what was stored, and recovers when space returns",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore(text("BEFORE", "stored before the disk filled", 1_717_000_000))
        // SQLITE_FULL without a real disk: the database may not grow past its current size.
        const pages = store.db.pragma("page_count", { simple: true }) as number
        store.db.pragma(`max_page_count = ${pages}`)
        const big = Array.from({ length: 200 }, (_, i) =>
          text(`FULL${i}`, "z".repeat(4000), 1_717_000_100 + i),
        )
        const failed = yield* Effect.either(store.ingest(...big))
        assert.isTrue(failed._tag === "Left", "a batch that does not fit fails")
        assert.match(String((failed as { left: unknown }).left), /full|disk|space/i)
        const rows = store.db.prepare("SELECT id FROM messages ORDER BY id").all() as Array<{ id: string }>
        assert.deepStrictEqual(
          rows.map((r) => r.id),
          ["BEFORE"],
          "no half batch",
        )
        assert.strictEqual(store.db.pragma("integrity_check", { simple: true }), "ok")
        // Space returns: the same batch goes in whole.
        store.db.pragma("max_page_count = 1073741823")
        yield* store.ingest(...big)
        assert.strictEqual(
          (store.db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n,
          201,
        )
        faults.injected++
      }),
  )
})

describe("a read-only store", () => {
  it.scoped("refuses writes with a clear error, changes nothing, and writes again once it is writable", () =>
    Effect.gen(function* () {
      const store = yield* testStore(text("KEPT", "stored while writable", 1_717_000_000))
      // SQLITE_READONLY without a mount (root ignores file modes): the connection may only read.
      store.db.pragma("query_only = 1")
      faults.injected++
      const failed = yield* Effect.either(
        store.ingest(text("REFUSED", "arrived while read-only", 1_717_000_001)),
      )
      assert.isTrue(failed._tag === "Left")
      assert.match(String((failed as { left: unknown }).left), /SQLITE_READONLY.*make it writable/)
      store.db.pragma("query_only = 0")
      assert.strictEqual(store.db.pragma("integrity_check", { simple: true }), "ok")
      yield* store.ingest(text("REFUSED", "arrived while read-only", 1_717_000_001))
      const ids = (
        store.db.prepare("SELECT id FROM messages ORDER BY id").all() as Array<{ id: string }>
      ).map((r) => r.id)
      assert.deepStrictEqual(ids, ["KEPT", "REFUSED"])
    }),
  )
})

describe("a store locked by another process", () => {
  it.scoped("waits for the other writer instead of failing, then stores the batch", () =>
    Effect.gen(function* () {
      const dir = yield* temporaryDirectory
      const store = yield* openTestStore(dir)
      // Another process holds the write lock for a moment (a child, so that the busy wait is real).
      const holder = spawn(
        process.execPath,
        [
          "-e",
          `const D=require(${JSON.stringify(require.resolve("better-sqlite3"))});const db=new D(${JSON.stringify(path.join(dir, "messages.db"))});db.exec("BEGIN IMMEDIATE");process.stdout.write("locked\\n");setTimeout(()=>{db.exec("COMMIT");db.close()},700)`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      )
      yield* Effect.promise(
        () => new Promise<void>((resolve) => holder.stdout?.once("data", () => resolve())),
      )
      faults.injected++
      const outcome = yield* store.ingest(
        text("WHILELOCKED", "written while another held the lock", 1_717_000_000),
      )
      assert.isDefined(outcome)
      const row = store.db.prepare("SELECT text FROM messages WHERE id = 'WHILELOCKED'").get() as {
        text: string
      }
      assert.strictEqual(row.text, "written while another held the lock")
      assert.strictEqual(store.db.pragma("integrity_check", { simple: true }), "ok")
    }),
  )
})
