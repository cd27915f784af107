// The recorded fixture streams (built by Baileys' own receive pipeline) are stored without a single
// skipped event, replay to the very same store, and come out as a reader expects.
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeRecording, isMalformedLine, type RecordedEvent } from "../../src/recording/index.js"
import { all, checkSearchIndex, dump, one, type TestStore, testStore } from "./IngestTestKit.js"

const fixtures = path.resolve(import.meta.dirname, "../../../../fixtures")
const streams = [
  ...fs
    .readdirSync(path.join(fixtures, "streams"))
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => path.join(fixtures, "streams", name)),
  path.join(fixtures, "demo", "demo.jsonl"),
]

const events = (file: string) => {
  const lines = decodeRecording(fs.readFileSync(file, "utf8"), file)
  assert.deepStrictEqual(lines.filter(isMalformedLine), [], `${file} has malformed lines`)
  return lines.filter((line): line is RecordedEvent => !isMalformedLine(line)).map((line) => line.event)
}

/** Ingests a stream one line per batch, as a live socket would deliver it, and returns what was skipped. */
const ingestAll = (store: TestStore, file: string) =>
  Effect.gen(function* () {
    const skipped: Array<string> = []
    for (const event of events(file)) {
      const outcome = yield* store.ingest(event)
      skipped.push(...outcome.skipped.map((item) => `${item.event}: ${item.reason}`))
    }
    return skipped
  })

describe("recorded streams", () => {
  for (const file of streams) {
    it.scoped(`${path.basename(file)}: stored whole, and replaying it changes nothing`, () =>
      Effect.gen(function* () {
        const store = yield* testStore()
        assert.deepStrictEqual(yield* ingestAll(store, file), [])
        const first = dump(store.db)
        assert.isAbove(first.messages?.length ?? 0, 0)
        checkSearchIndex(store.db)
        yield* ingestAll(store, file)
        assert.deepStrictEqual(dump(store.db), first)
      }),
    )
  }

  it.scoped("identities.jsonl: no person or direct chat is stored twice once their numbers are known", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      yield* ingestAll(store, path.join(fixtures, "streams", "identities.jsonl"))
      const mappedLids = all(store.db, "SELECT lid FROM jid_aliases").map((row) => row.lid)
      for (const lid of mappedLids) {
        const left = one(
          store.db,
          `SELECT (SELECT count(*) FROM messages WHERE chat_jid = ?1 OR sender_jid = ?1)
            + (SELECT count(*) FROM chats WHERE jid = ?1) + (SELECT count(*) FROM contacts WHERE jid = ?1)
            + (SELECT count(*) FROM group_participants WHERE participant_jid = ?1) AS n`.replaceAll(
            "?1",
            "@lid",
          ),
          { lid },
        )
        assert.strictEqual(left?.n, 0, `${String(lid)} still keys rows`)
      }
      const directChats = all(store.db, "SELECT jid FROM chats WHERE kind = 'direct'").map((row) => row.jid)
      assert.strictEqual(new Set(directChats).size, directChats.length)
    }),
  )

  it.scoped("updates.jsonl: revoked and deleted messages show no content, edits show the new text", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      yield* ingestAll(store, path.join(fixtures, "streams", "updates.jsonl"))
      assert.deepStrictEqual(
        all(
          store.db,
          "SELECT id FROM messages WHERE deleted IS NOT NULL AND (text IS NOT NULL OR raw IS NOT NULL)",
        ),
        [],
      )
      assert.isAbove(
        Number(one(store.db, "SELECT count(*) AS n FROM messages WHERE deleted = 'revoked'")?.n),
        0,
      )
      assert.isAbove(
        Number(one(store.db, "SELECT count(*) AS n FROM messages WHERE deleted = 'for_me'")?.n),
        0,
      )
      assert.isAbove(
        Number(one(store.db, "SELECT count(*) AS n FROM messages WHERE edited_at IS NOT NULL")?.n),
        0,
      )
      assert.deepStrictEqual(all(store.db, "SELECT id FROM messages WHERE kind = 'ciphertext'"), [])
    }),
  )
})
