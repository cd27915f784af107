/**
 * Forward-only migrations of the message store, applied by `@effect/sql`'s Migrator in id order.
 * Never edit a released migration: add a new id (the Migrator runs only ids above the newest applied).
 */
import { SqlClient } from "@effect/sql"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import { Effect } from "effect"
import { readMessage } from "../ingest/MessageContent.js"

const statements = (list: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(list, (statement) => sql.unsafe(statement), { discard: true }),
  )

/** The first schema: every table, index, full-text index and trigger the read tools rely on. */
const initialSchema: ReadonlyArray<string> = [
  `CREATE TABLE account (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID`,
  `CREATE TABLE chats (
  jid TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT,
  name_source TEXT,
  description TEXT,
  last_message_time INTEGER,
  unread_count INTEGER NOT NULL DEFAULT 0,
  marked_unread INTEGER NOT NULL DEFAULT 0,
  unread_counted_to INTEGER,
  archived INTEGER NOT NULL DEFAULT 0,
  pinned_at INTEGER,
  muted_until INTEGER,
  read_only INTEGER NOT NULL DEFAULT 0,
  ephemeral_seconds INTEGER,
  created_at INTEGER
)`,
  `CREATE INDEX chats_last_message_time ON chats (last_message_time)`,
  `CREATE INDEX chats_name ON chats (name COLLATE NOCASE)`,
  `CREATE INDEX chats_kind_last_message_time ON chats (kind, last_message_time)`,
  `CREATE TABLE contacts (
  jid TEXT PRIMARY KEY,
  lid TEXT,
  phone TEXT,
  address_book_name TEXT,
  verified_name TEXT,
  push_name TEXT,
  username TEXT,
  display_name TEXT GENERATED ALWAYS AS (
    COALESCE(address_book_name, verified_name, push_name, '+' || phone)
  ) VIRTUAL,
  display_name_source TEXT GENERATED ALWAYS AS (
    CASE
      WHEN address_book_name IS NOT NULL THEN 'address_book'
      WHEN verified_name IS NOT NULL THEN 'verified_business'
      WHEN push_name IS NOT NULL THEN 'push_name'
      WHEN phone IS NOT NULL THEN 'phone'
    END
  ) VIRTUAL
)`,
  `CREATE INDEX contacts_display_name ON contacts (display_name COLLATE NOCASE)`,
  `CREATE INDEX contacts_phone ON contacts (phone)`,
  `CREATE INDEX contacts_lid ON contacts (lid)`,
  `CREATE TABLE jid_aliases (
  lid TEXT PRIMARY KEY,
  pn TEXT NOT NULL
) WITHOUT ROWID`,
  `CREATE INDEX jid_aliases_pn ON jid_aliases (pn)`,
  `CREATE TABLE group_participants (
  group_jid TEXT NOT NULL,
  participant_jid TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'member',
  PRIMARY KEY (group_jid, participant_jid)
) WITHOUT ROWID`,
  `CREATE INDEX group_participants_participant ON group_participants (participant_jid)`,
  `CREATE TABLE messages (
  row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_jid TEXT NOT NULL,
  id TEXT NOT NULL,
  from_me INTEGER NOT NULL,
  sender_jid TEXT,
  timestamp INTEGER NOT NULL,
  kind TEXT NOT NULL,
  text TEXT,
  media_mimetype TEXT,
  media_file_name TEXT,
  media_size INTEGER,
  media_seconds INTEGER,
  media_width INTEGER,
  media_height INTEGER,
  media_key BLOB,
  media_direct_path TEXT,
  media_url TEXT,
  media_sha256 BLOB,
  media_enc_sha256 BLOB,
  latitude REAL,
  longitude REAL,
  vcard TEXT,
  poll_options TEXT,
  quoted_id TEXT,
  quoted_sender_jid TEXT,
  stub_type INTEGER,
  stub_parameters TEXT,
  status INTEGER,
  starred INTEGER NOT NULL DEFAULT 0,
  edited_at INTEGER,
  deleted TEXT,
  deleted_at INTEGER,
  raw BLOB,
  UNIQUE (id, chat_jid)
)`,
  `CREATE INDEX messages_chat_time ON messages (chat_jid, timestamp)`,
  `CREATE INDEX messages_sender_time ON messages (sender_jid, timestamp)`,
  `CREATE INDEX messages_time ON messages (timestamp)`,
  `CREATE INDEX messages_kind_time ON messages (kind, timestamp)`,
  `CREATE INDEX messages_quoted ON messages (chat_jid, quoted_id) WHERE quoted_id IS NOT NULL`,
  `CREATE INDEX messages_quoted_sender ON messages (quoted_sender_jid) WHERE quoted_sender_jid IS NOT NULL`,
  `CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text,
  media_file_name,
  content = 'messages',
  content_rowid = 'row_id',
  tokenize = "unicode61 remove_diacritics 2"
)`,
  // While an ingestion transaction runs, watermark holds the highest row_id before it, and the
  // rows above it are indexed in one statement at its end: an FTS5 insert per row costs more than
  // the rest of the row's write, as FTS5 flushes its pending terms at every statement savepoint.
  // Outside such a transaction watermark is NULL and the triggers alone keep the index in sync,
  // whoever writes.
  `CREATE TABLE messages_fts_pending (
  watermark INTEGER
)`,
  `INSERT INTO messages_fts_pending (watermark) VALUES (NULL)`,
  `CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN (SELECT watermark FROM messages_fts_pending) IS NULL
BEGIN
  INSERT INTO messages_fts (rowid, text, media_file_name) VALUES (new.row_id, new.text, new.media_file_name);
END`,
  `CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.row_id <= COALESCE((SELECT watermark FROM messages_fts_pending), old.row_id)
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text, media_file_name)
  VALUES ('delete', old.row_id, old.text, old.media_file_name);
END`,
  `CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, media_file_name ON messages
WHEN (old.text IS NOT new.text OR old.media_file_name IS NOT new.media_file_name)
  AND old.row_id <= COALESCE((SELECT watermark FROM messages_fts_pending), old.row_id)
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text, media_file_name)
  VALUES ('delete', old.row_id, old.text, old.media_file_name);
  INSERT INTO messages_fts (rowid, text, media_file_name) VALUES (new.row_id, new.text, new.media_file_name);
END`,
  `CREATE TABLE reactions (
  chat_jid TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sender_jid TEXT NOT NULL,
  from_me INTEGER NOT NULL,
  emoji TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (chat_jid, message_id, sender_jid)
) WITHOUT ROWID`,
  `CREATE INDEX reactions_sender ON reactions (sender_jid)`,
  `CREATE TABLE history_sync_chunks (
  sync_type TEXT NOT NULL,
  chunk_order INTEGER NOT NULL,
  progress INTEGER,
  is_latest INTEGER NOT NULL DEFAULT 0,
  messages INTEGER NOT NULL,
  chats INTEGER NOT NULL,
  contacts INTEGER NOT NULL,
  PRIMARY KEY (sync_type, chunk_order)
) WITHOUT ROWID`,
  `CREATE TABLE history_sync_status (
  sync_type TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  explicit INTEGER NOT NULL
) WITHOUT ROWID`,
]

/**
 * The full-text index keyed by time. FTS5 hands its matches out in rowid order, and with the
 * `row_id` as its rowid a search for a common word had to collect every match (thousands) before it
 * could pick the newest page. `search_key` orders like `(timestamp, row_id)` and is unique, so a
 * search reads its matches newest first and stops after one page. It is a 64-bit integer: readers
 * keep it inside SQL (a JavaScript number cannot hold it exactly).
 */
/**
 * Fills the (empty) full-text index from the messages in key order. FTS5 starts a new segment each
 * time a rowid arrives below the previous one, so its own 'rebuild', which reads the table in
 * storage order, would write one tiny segment per message and then spend minutes merging them.
 */
export const fullTextRefill = `INSERT INTO messages_fts (rowid, text, media_file_name)
SELECT search_key, text, media_file_name FROM messages ORDER BY search_key`

const timeOrderedSearch: ReadonlyArray<string> = [
  "DROP TRIGGER messages_fts_insert",
  "DROP TRIGGER messages_fts_delete",
  "DROP TRIGGER messages_fts_update",
  "DROP TABLE messages_fts",
  `ALTER TABLE messages ADD COLUMN search_key INTEGER
  GENERATED ALWAYS AS ((timestamp << 32) | row_id) VIRTUAL`,
  "CREATE UNIQUE INDEX messages_search_key ON messages (search_key)",
  `CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text,
  media_file_name,
  content = 'messages',
  content_rowid = 'search_key',
  tokenize = "unicode61 remove_diacritics 2"
)`,
  // as before, with the time-ordered key; a row whose time changes moves in the index
  `CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN (SELECT watermark FROM messages_fts_pending) IS NULL
BEGIN
  INSERT INTO messages_fts (rowid, text, media_file_name) VALUES (new.search_key, new.text, new.media_file_name);
END`,
  `CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.row_id <= COALESCE((SELECT watermark FROM messages_fts_pending), old.row_id)
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text, media_file_name)
  VALUES ('delete', old.search_key, old.text, old.media_file_name);
END`,
  `CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, media_file_name, timestamp ON messages
WHEN (old.text IS NOT new.text OR old.media_file_name IS NOT new.media_file_name OR old.timestamp IS NOT new.timestamp)
  AND old.row_id <= COALESCE((SELECT watermark FROM messages_fts_pending), old.row_id)
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text, media_file_name)
  VALUES ('delete', old.search_key, old.text, old.media_file_name);
  INSERT INTO messages_fts (rowid, text, media_file_name) VALUES (new.search_key, new.text, new.media_file_name);
END`,
  fullTextRefill,
]

/**
 * The statements of the schema that only reads and search use: indexes no write of the ingestion
 * looks rows up by (re-keying an identity, for one, needs the chat and sender indexes), and the
 * triggers that keep the full-text index in sync. Loading a new store builds them after the rows
 * (`MessageIndexes`). Keep this list in step with the migrations and `StoreWriter`.
 */
const readOnlySchema = new Set([
  "messages_time",
  "messages_kind_time",
  "messages_quoted",
  "messages_search_key",
  "messages_fts_insert",
  "messages_fts_delete",
  "messages_fts_update",
])

/** Their newest definitions, the migrations read in order. */
export const deferrableMessageSchema: ReadonlyArray<{ readonly name: string; readonly sql: string }> = [
  ...new Map(
    [...initialSchema, ...timeOrderedSearch].flatMap((sql) => {
      const name = /^CREATE (?:UNIQUE )?(?:INDEX|TRIGGER) (\w+)/.exec(sql)?.[1]
      return name !== undefined && readOnlySchema.has(name) ? [[name, sql] as const] : []
    }),
  ),
].map(([name, sql]) => ({ name, sql }))

/**
 * Message thumbnails in a column of their own, so that the MCP server, which reads the store but
 * never decodes WhatsApp's protobufs, can show a photo's thumbnail while the bridge is down. Rows
 * stored before are filled from their raw message with the ingestion's own reading of it.
 */
const messageThumbnails = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe("ALTER TABLE messages ADD COLUMN media_thumbnail BLOB")
  // In pages, so that a large history's raw messages are never all in memory at once.
  let after = 0
  for (;;) {
    const rows = yield* sql.unsafe<{ readonly row_id: number; readonly raw: Uint8Array }>(
      `SELECT row_id, raw FROM messages
       WHERE row_id > ? AND kind IN ('image', 'video', 'sticker') AND raw IS NOT NULL
       ORDER BY row_id LIMIT 1000`,
      [after],
    )
    for (const row of rows) {
      let thumbnail: Uint8Array | null = null
      try {
        const meaning = readMessage(proto.WebMessageInfo.decode(row.raw).message)
        if (meaning._tag === "Content") thumbnail = meaning.content.mediaThumbnail
      } catch {
        // A raw message that no longer decodes keeps its other columns and simply has no thumbnail.
      }
      if (thumbnail !== null)
        yield* sql.unsafe("UPDATE messages SET media_thumbnail = ? WHERE row_id = ?", [
          Buffer.from(thumbnail.buffer, thumbnail.byteOffset, thumbnail.byteLength),
          row.row_id,
        ])
    }
    const last = rows.at(-1)
    if (last === undefined) return
    after = last.row_id
  }
})

/**
 * Which chats changed other than by a new message: a text edited, a message deleted for everyone, a
 * placeholder given its content, messages moved to another form of the person's JID, a chat deleted.
 * The MCP server's subscriptions read it (new messages they find by `messages.row_id`). One row per
 * chat, written anew at each change, so that AUTOINCREMENT gives it an id above any used before: the
 * rows above a reader's last look are exactly the chats changed since, and the table never grows
 * beyond the number of chats (not REPLACE: inside a trigger the outer statement's conflict handling
 * would override it, and the ingestion's upserts fail it). Triggers,
 * so that no write path can forget it; the WHEN clause keeps the history sync's re-deliveries of
 * unchanged messages, and changes no transcript shows (receipts, stars), free.
 */
const chatChanges: ReadonlyArray<string> = [
  `CREATE TABLE chat_changes (
  row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_jid TEXT NOT NULL UNIQUE
)`,
  `CREATE TRIGGER chat_changes_message AFTER UPDATE OF text, kind, deleted, media_file_name, chat_jid ON messages
WHEN old.text IS NOT new.text OR old.kind IS NOT new.kind OR old.deleted IS NOT new.deleted
  OR old.media_file_name IS NOT new.media_file_name OR old.chat_jid IS NOT new.chat_jid
BEGIN
  DELETE FROM chat_changes WHERE chat_jid = new.chat_jid;
  INSERT INTO chat_changes (chat_jid) VALUES (new.chat_jid);
END`,
  `CREATE TRIGGER chat_changes_chat AFTER DELETE ON chats
BEGIN
  DELETE FROM chat_changes WHERE chat_jid = old.jid;
  INSERT INTO chat_changes (chat_jid) VALUES (old.jid);
END`,
]

/** Keyed `<id>_<name>` as `Migrator.fromRecord` expects. */
export const StoreMigrations = {
  "1_initial_schema": statements(initialSchema),
  "2_time_ordered_search": statements(timeOrderedSearch),
  "3_message_thumbnails": messageThumbnails,
  "4_chat_changes": statements(chatChanges),
} as const
