// `bridge ingest` loads a long history in bulk: batches committed in groups, decoding in a second
// thread, and in a new store the search indexes built once at the end. The store it leaves must be
// the very store that storing the same events one batch at a time leaves, and no way of stopping
// (a failure, a crash) may leave a store without its indexes.
import * as path from "node:path"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { StoreFileName } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { Context, Effect, Either, Exit, Layer, Stream } from "effect"
import { ingestCommand } from "../../src/ingest/IngestCommand.js"
import { Ingestor } from "../../src/ingest/Ingestor.js"
import { readRecording } from "../../src/recording/index.js"
import { suspendMessageIndexes } from "../../src/store/MessageIndexes.js"
import { MessageStore, openMessageStore } from "../../src/store/MessageStore.js"
import {
  alice,
  all,
  checkSearchIndex,
  dump,
  one,
  openTestStore,
  search,
  temporaryDirectory,
  text,
  upsert,
} from "../ingest/IngestTestKit.js"

const fixtures = path.resolve(import.meta.dirname, "../../../../fixtures")
const recordings = [
  ...["history-sync", "message-kinds", "updates", "chats-contacts-groups", "identities"].map((name) =>
    path.join(fixtures, "streams", `${name}.jsonl`),
  ),
  path.join(fixtures, "demo", "demo.jsonl"),
]

const schemaNames = (db: Database.Database) =>
  all(db, "SELECT type, name FROM sqlite_schema WHERE type IN ('index', 'trigger') ORDER BY name")

/** A new store with its Ingestor, for the current scope. */
const openIngestor = Effect.gen(function* () {
  const directory = yield* temporaryDirectory
  const context = yield* Layer.build(
    Ingestor.Default.pipe(Layer.provideMerge(MessageStore.layer({ directory }))),
  )
  return { ingestor: Context.get(context, Ingestor), db: Context.get(context, MessageStore).db }
})

const quiet = { out: () => undefined, err: () => undefined }

describe("loading a store in bulk", () => {
  it.scoped(
    "leaves the same store, search index included, as storing the events batch by batch",
    () =>
      Effect.gen(function* () {
        const directory = yield* temporaryDirectory
        const bulk = path.join(directory, "bulk")
        const summary = yield* ingestCommand({
          files: recordings,
          storeDirectory: bulk,
          decodeInWorker: true,
          ...quiet,
        })
        assert.strictEqual(summary.exitCode, 0)

        const reference = yield* openTestStore(path.join(directory, "reference"))
        for (const file of recordings) {
          const lines = yield* readRecording(file).pipe(
            Stream.runCollect,
            Effect.provide(NodeFileSystem.layer),
          )
          for (const line of lines) if (line._tag === "RecordedEvent") yield* reference.ingest(line.event)
        }

        const loaded = new Database(path.join(bulk, StoreFileName))
        assert.deepStrictEqual(schemaNames(loaded), schemaNames(reference.db))
        // every table but the migrations' (which holds when each store was created)
        const { effect_sql_migrations: _loaded, ...loadedRows } = dump(loaded)
        const { effect_sql_migrations: _reference, ...referenceRows } = dump(reference.db)
        assert.deepStrictEqual(loadedRows, referenceRows)
        assert.isAbove(search(loaded, "boulangerie").length, 0)
        checkSearchIndex(loaded)
        loaded.close()
      }),
    // stores every recording twice, through two paths: on a shared, loaded machine that is longer
    // than the suite's per-test limit, which is sized for tests that store a few events
    120_000,
  )

  it.scoped("a load that died halfway leaves a store that opening repairs, search included", () =>
    Effect.gen(function* () {
      const directory = yield* temporaryDirectory
      const complete = yield* Effect.scoped(
        Effect.gen(function* () {
          const store = yield* openTestStore(directory)
          const names = schemaNames(store.db)
          // the load began on the new store, stored a row, and the process died: no finalizer ran
          assert.isTrue(suspendMessageIndexes(store.db))
          store.db
            .prepare(
              "INSERT INTO messages (chat_jid, id, from_me, timestamp, kind, text) VALUES (?, 'K1', 0, 1717000000, 'text', 'croissants au beurre')",
            )
            .run(alice)
          assert.isBelow(schemaNames(store.db).length, names.length)
          return names
        }),
      )
      const reopened = yield* openMessageStore({ directory })
      assert.deepStrictEqual(schemaNames(reopened.db), complete)
      assert.deepStrictEqual(search(reopened.db, "croissants"), ["K1"])
      checkSearchIndex(reopened.db)
    }),
  )

  it.scoped("a failed load keeps nothing of its last group and puts the indexes back", () =>
    Effect.gen(function* () {
      const { ingestor, db } = yield* openIngestor
      const complete = schemaNames(db)
      const exit = yield* Effect.exit(
        ingestor.bulkLoad(
          ingestor
            .ingest([upsert("notify", text("F1", "perdu", 1_717_000_000))])
            .pipe(Effect.zipRight(Effect.fail("the recording ended badly"))),
        ),
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.lengthOf(all(db, "SELECT id FROM messages"), 0)
      assert.deepStrictEqual(schemaNames(db), complete)
      assert.isFalse(db.inTransaction)
      // and the store takes events as before, searchable at once
      yield* ingestor.ingest([upsert("notify", text("F2", "retrouvé", 1_717_000_100))])
      assert.deepStrictEqual(search(db, "retrouve"), ["F2"])
    }),
  )

  it.scoped(
    "a batch the store cannot finish fails the load: nothing since the last commit is kept, nor any later batch",
    () =>
      Effect.gen(function* () {
        const { ingestor, db } = yield* openIngestor
        // a message already stored: the load keeps its indexes, which need no room to be put back
        yield* ingestor.ingest([upsert("notify", text("E1", "déjà là", 1_717_000_000))])
        const before = dump(db)
        const big = Array.from({ length: 2000 }, (_, i) =>
          text(`BIG${i}`, `message number ${i} with enough words to need new pages`, 1_717_001_000 + i),
        )
        const exit = yield* Effect.exit(
          ingestor.bulkLoad(
            Effect.gen(function* () {
              yield* ingestor.ingest([
                upsert("notify", text("B1", "stored before the disk filled up", 1_717_000_100)),
              ])
              // SQLITE_FULL without a real disk: the database may not grow past its current size
              db.pragma(`max_page_count = ${Number(one(db, "PRAGMA page_count")?.page_count)}`)
              const full = yield* Effect.either(ingestor.ingest([upsert("notify", ...big)]))
              assert.isTrue(Either.isLeft(full))
              if (Either.isLeft(full)) assert.include(full.left.message, "rolled back")
              db.pragma("max_page_count = 1073741823")
              // the load carries on regardless: what it submits now is refused, not half-committed
              const later = yield* Effect.either(
                ingestor.ingest([upsert("notify", text("B2", "after the failure", 1_717_000_200))]),
              )
              assert.isTrue(Either.isLeft(later))
            }),
          ),
        )
        assert.isTrue(Exit.isFailure(exit))
        assert.isFalse(db.inTransaction)
        assert.deepStrictEqual(dump(db), before)
        // the store takes events as before, searchable at once
        yield* ingestor.ingest([upsert("notify", text("E2", "retrouvé", 1_717_000_300))])
        assert.deepStrictEqual(search(db, "deja OR retrouve"), ["E1", "E2"])
        checkSearchIndex(db)
      }),
  )

  it.scoped("into a store that already holds messages, keeps its indexes live all along", () =>
    Effect.gen(function* () {
      const { ingestor, db } = yield* openIngestor
      yield* ingestor.ingest([upsert("notify", text("E1", "déjà là", 1_717_000_000))])
      const complete = schemaNames(db)
      yield* ingestor.bulkLoad(
        Effect.gen(function* () {
          yield* ingestor.ingest([upsert("notify", text("E2", "nouveau venu", 1_717_000_100))])
          assert.deepStrictEqual(schemaNames(db), complete)
          assert.deepStrictEqual(search(db, "nouveau"), ["E2"])
        }),
      )
      assert.deepStrictEqual(search(db, "deja OR nouveau"), ["E1", "E2"])
      checkSearchIndex(db)
    }),
  )
})
