// Opening the store: a private directory, the schema migrated once, clear errors, and an index for
// every query the read tools make.
import * as fs from "node:fs"
import * as path from "node:path"
import { Migrator } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { StoreFileName, StoreMigrationsTable, StoreSchemaVersion } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { Effect, Either } from "effect"
import { openMessageStore } from "../../src/store/MessageStore.js"
import { StoreMigrations } from "../../src/store/StoreMigrations.js"
import {
  alice,
  all,
  checkSearchIndex,
  openTestStore,
  search,
  temporaryDirectory,
  testStore,
  text,
  upsert,
} from "../ingest/IngestTestKit.js"

describe("opening the store", () => {
  it.scoped("creates a private directory holding messages.db in WAL mode at the current schema version", () =>
    Effect.gen(function* () {
      const parent = yield* temporaryDirectory
      const directory = path.join(parent, "nested", "store")
      const store = yield* openMessageStore({ directory })
      assert.strictEqual(fs.statSync(directory).mode & 0o777, 0o700)
      assert.isTrue(fs.existsSync(path.join(directory, StoreFileName)))
      assert.strictEqual(store.db.pragma("journal_mode", { simple: true }), "wal")
      const applied = all(store.db, `SELECT max(migration_id) AS version FROM ${StoreMigrationsTable}`)
      assert.deepStrictEqual(applied, [{ version: StoreSchemaVersion }])
    }),
  )

  it.scoped("reopening runs no migration twice and keeps the data", () =>
    Effect.gen(function* () {
      const directory = yield* temporaryDirectory
      yield* Effect.scoped(
        Effect.flatMap(openMessageStore({ directory }), ({ db }) =>
          Effect.sync(() =>
            db.prepare("INSERT INTO contacts (jid, push_name) VALUES ('1@s.whatsapp.net', 'x')").run(),
          ),
        ),
      )
      const reopened = yield* openMessageStore({ directory })
      assert.deepStrictEqual(all(reopened.db, `SELECT count(*) AS n FROM ${StoreMigrationsTable}`), [
        { n: StoreSchemaVersion },
      ])
      assert.deepStrictEqual(all(reopened.db, "SELECT push_name FROM contacts"), [{ push_name: "x" }])
    }),
  )

  it.scoped("upgrades a store of the first schema: search keeps finding its messages, newest first", () =>
    Effect.gen(function* () {
      const directory = yield* temporaryDirectory
      fs.chmodSync(directory, 0o700)
      const file = path.join(directory, StoreFileName)
      // a store as the first release of the bridge left it, with messages its triggers indexed
      yield* Migrator.make({})({
        loader: Migrator.fromRecord({ "1_initial_schema": StoreMigrations["1_initial_schema"] }),
      }).pipe(Effect.provide(SqliteClient.layer({ filename: file })))
      const first = new Database(file)
      const insert = first.prepare(
        "INSERT INTO messages (chat_jid, id, from_me, timestamp, kind, text) VALUES (?, ?, 0, ?, 'text', ?)",
      )
      insert.run(alice, "OLD", 1_717_000_000, "rendez-vous au marché")
      insert.run(alice, "NEW", 1_717_000_900, "le marché ferme à midi")
      first.close()
      const store = yield* openTestStore(directory)
      assert.deepStrictEqual(
        all(store.db, `SELECT max(migration_id) AS version FROM ${StoreMigrationsTable}`),
        [{ version: StoreSchemaVersion }],
      )
      yield* store.ingest(upsert("notify", text("LATER", "marché de nuit", 1_717_000_500)))
      assert.deepStrictEqual(
        all(
          store.db,
          "SELECT m.id FROM messages_fts CROSS JOIN messages m ON m.search_key = messages_fts.rowid WHERE messages_fts MATCH 'marche' ORDER BY messages_fts.rowid DESC",
        ).map((row) => row.id),
        ["NEW", "LATER", "OLD"],
      )
      assert.deepStrictEqual(search(store.db, "rendez"), ["OLD"])
      checkSearchIndex(store.db)
    }),
  )

  it.scoped("a message whose time changes moves in the time-keyed search index", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("T1", "piscine demain", 1_717_000_000)))
      store.db.prepare("UPDATE messages SET timestamp = 1717009999 WHERE id = 'T1'").run()
      assert.deepStrictEqual(search(store.db, "piscine"), ["T1"])
      checkSearchIndex(store.db)
    }),
  )

  it.scoped("a store directory that cannot be created fails with one clear message", () =>
    Effect.gen(function* () {
      const parent = yield* temporaryDirectory
      const blocker = path.join(parent, "a-file")
      fs.writeFileSync(blocker, "not a directory")
      const result = yield* Effect.either(openMessageStore({ directory: path.join(blocker, "store") }))
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "StoreOpenError")
        assert.include(result.left.message, "--store DIR")
        assert.notInclude(result.left.message, "\n")
      }
    }),
  )
})

/** The queries the read tools make, with the index each must use. */
const hotQueries: ReadonlyArray<{ readonly name: string; readonly sql: string; readonly index: RegExp }> = [
  {
    name: "a chat's messages by time",
    sql: "SELECT * FROM messages WHERE chat_jid = 'c' AND timestamp < 5 ORDER BY timestamp DESC LIMIT 20",
    index: /messages_chat_time/,
  },
  {
    name: "a sender's messages by time",
    sql: "SELECT * FROM messages WHERE sender_jid = 's' AND timestamp BETWEEN 1 AND 9 ORDER BY timestamp DESC LIMIT 20",
    index: /messages_sender_time/,
  },
  {
    name: "all messages in a time range",
    sql: "SELECT * FROM messages WHERE timestamp >= 1 AND timestamp < 9 ORDER BY timestamp DESC LIMIT 20",
    index: /messages_time/,
  },
  {
    name: "messages of one media kind",
    sql: "SELECT * FROM messages WHERE kind = 'image' ORDER BY timestamp DESC LIMIT 20",
    index: /messages_kind_time/,
  },
  {
    name: "a message by id alone",
    sql: "SELECT * FROM messages WHERE id = 'x'",
    index: /sqlite_autoindex_messages/,
  },
  {
    name: "a message by chat and id",
    sql: "SELECT * FROM messages WHERE chat_jid = 'c' AND id = 'x'",
    index: /sqlite_autoindex_messages|messages_chat_time/,
  },
  {
    name: "replies to a message",
    sql: "SELECT * FROM messages WHERE chat_jid = 'c' AND quoted_id = 'x'",
    index: /messages_quoted/,
  },
  {
    name: "a chat's last message",
    sql: "SELECT * FROM messages WHERE chat_jid = 'c' ORDER BY timestamp DESC LIMIT 1",
    index: /messages_chat_time/,
  },
  {
    name: "full-text search, newest first",
    sql: "SELECT m.* FROM messages_fts CROSS JOIN messages m ON m.search_key = messages_fts.rowid WHERE messages_fts MATCH '\"hello\"' ORDER BY messages_fts.rowid DESC LIMIT 20",
    index: /messages_search_key/,
  },
  {
    name: "chats by last activity",
    sql: "SELECT * FROM chats ORDER BY last_message_time DESC LIMIT 20",
    index: /chats_last_message_time/,
  },
  {
    name: "direct chats by last activity",
    sql: "SELECT * FROM chats WHERE kind = 'direct' ORDER BY last_message_time DESC LIMIT 20",
    index: /chats_kind_last_message_time/,
  },
  {
    name: "chats by name",
    sql: "SELECT * FROM chats ORDER BY name COLLATE NOCASE LIMIT 20",
    index: /chats_name/,
  },
  { name: "a contact by phone", sql: "SELECT * FROM contacts WHERE phone = '1555'", index: /contacts_phone/ },
  { name: "a contact by LID", sql: "SELECT * FROM contacts WHERE lid = 'x@lid'", index: /contacts_lid/ },
  {
    name: "contacts by name",
    sql: "SELECT * FROM contacts ORDER BY display_name COLLATE NOCASE LIMIT 20",
    index: /contacts_display_name/,
  },
  { name: "an alias by LID", sql: "SELECT pn FROM jid_aliases WHERE lid = 'x@lid'", index: /PRIMARY KEY/ },
  {
    name: "an alias by phone JID",
    sql: "SELECT lid FROM jid_aliases WHERE pn = 'p'",
    index: /jid_aliases_pn/,
  },
  {
    name: "a message's reactions",
    sql: "SELECT * FROM reactions WHERE chat_jid = 'c' AND message_id = 'x'",
    index: /PRIMARY KEY/,
  },
  {
    name: "a person's groups",
    sql: "SELECT group_jid FROM group_participants WHERE participant_jid = 'p'",
    index: /group_participants_participant/,
  },
]

describe("indexes", () => {
  it.scoped("every hot query uses an index and never scans messages or sorts them in a temporary tree", () =>
    Effect.gen(function* () {
      const { db } = yield* testStore()
      for (const query of hotQueries) {
        const plan = all(db, `EXPLAIN QUERY PLAN ${query.sql}`)
          .map((row) => String(row.detail))
          .join(" | ")
        assert.match(plan, query.index, `${query.name}: ${plan}`)
        assert.notMatch(plan, /SCAN (m|messages)\b(?! USING)/, `${query.name} scans messages: ${plan}`)
        if (!query.name.startsWith("full-text")) {
          assert.notMatch(plan, /TEMP B-TREE/, `${query.name} sorts in a temporary tree: ${plan}`)
        }
      }
    }),
  )
})
