// Opening the store: a private directory, the schema migrated once, clear errors, and an index for
// every query the read tools make.
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { StoreFileName, StoreMigrationsTable, StoreSchemaVersion } from "../../src/StoreSchema.js"
import { openMessageStore } from "../../src/store/MessageStore.js"
import { all, openTestStore, temporaryDirectory } from "../ingest/IngestTestKit.js"

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
    name: "full-text search",
    sql: "SELECT m.* FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid WHERE messages_fts MATCH '\"hello\"' ORDER BY m.timestamp DESC LIMIT 20",
    index: /VIRTUAL TABLE INDEX|INTEGER PRIMARY KEY/,
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
      const { db } = yield* openTestStore()
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
