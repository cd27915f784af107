// A real store in a temporary directory with the real Ingestor on it, plus builders for the events
// a live socket delivers (made with Baileys' own constructors) and a full dump of every table.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { proto, type WAMessage } from "@whiskeysockets/baileys"
import type Database from "better-sqlite3"
import { Context, Effect, Layer } from "effect"
import { Ingestor } from "../../src/ingest/Ingestor.js"
import type { BaileysEvent } from "../../src/recording/BaileysEvent.js"
import { MessageStore } from "../../src/store/MessageStore.js"

/** A temporary directory, removed when the scope closes. */
export const temporaryDirectory = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "wa-store-test-"))),
  (directory) => Effect.sync(() => fs.rmSync(directory, { recursive: true, force: true })),
)

export interface TestStore {
  readonly directory: string
  readonly db: Database.Database
  readonly ingest: (...events: ReadonlyArray<BaileysEvent>) => ReturnType<Ingestor["ingest"]>
}

/** Opens a fresh store (or `directory`'s) with an Ingestor on it, for the current scope. */
export const openTestStore = (directory?: string) =>
  Effect.gen(function* () {
    const dir = directory ?? (yield* temporaryDirectory)
    const context = yield* Layer.build(
      Ingestor.Default.pipe(Layer.provideMerge(MessageStore.layer({ directory: dir }))),
    )
    const ingestor = Context.get(context, Ingestor)
    const store: TestStore = {
      directory: dir,
      db: Context.get(context, MessageStore).db,
      ingest: (...events) => ingestor.ingest(events),
    }
    return store
  })

/** A fresh store that has ingested `events` (if any) in one batch, as a socket delivers them, for the current scope. */
export const testStore = (...events: ReadonlyArray<BaileysEvent>) =>
  Effect.gen(function* () {
    const store = yield* openTestStore()
    yield* store.ingest(...events)
    return store
  })

export const alice = "15550001111@s.whatsapp.net"
export const aliceLid = "90000000000011@lid"
export const bob = "15550002222@s.whatsapp.net"
export const bobLid = "90000000000022@lid"
export const me = "15550009999@s.whatsapp.net"
export const group = "120363000000000001@g.us"

/** A message as the socket delivers it: a WAProto instance built from its plain form. */
export const message = (fields: proto.IWebMessageInfo & { key: WAMessage["key"] }): WAMessage => {
  const built = proto.WebMessageInfo.fromObject(fields) as WAMessage
  // fromObject drops the keys Baileys adds beside the schema (remoteJidAlt, participantAlt)
  built.key = Object.assign(built.key ?? {}, fields.key)
  return built
}

export const upsert = (type: "notify" | "append", ...messages: ReadonlyArray<WAMessage>): BaileysEvent => ({
  event: "messages.upsert",
  data: { type, messages: [...messages] },
})

/**
 * A plain text message from `from` (a direct chat's JID, or a participant with `chat` a group).
 * `alt`: the keys Baileys may put beside the sender's (participantAlt, participantPn, senderPn…).
 */
export const text = (
  id: string,
  body: string,
  at: number,
  options: {
    chat?: string
    from?: string
    fromMe?: boolean
    pushName?: string
    alt?: Readonly<Record<string, string>>
  } = {},
): WAMessage =>
  message({
    key: {
      remoteJid: options.chat ?? options.from ?? alice,
      fromMe: options.fromMe ?? false,
      id,
      ...(options.chat !== undefined && options.from !== undefined ? { participant: options.from } : {}),
      ...options.alt,
    },
    messageTimestamp: at,
    message: { conversation: body },
    ...(options.pushName === undefined ? {} : { pushName: options.pushName }),
  })

export type Row = Record<string, unknown>

export const all = (db: Database.Database, sql: string, ...params: ReadonlyArray<unknown>): Array<Row> =>
  db.prepare(sql).all(...params) as Array<Row>

export const one = (db: Database.Database, sql: string, ...params: ReadonlyArray<unknown>): Row | undefined =>
  db.prepare(sql).get(...params) as Row | undefined

/** The message row with this id (any chat). */
export const messageRow = (db: Database.Database, id: string): Row | undefined =>
  one(db, "SELECT * FROM messages WHERE id = ?", id)

/** Ids of the messages a full-text query finds. */
export const search = (db: Database.Database, query: string): Array<unknown> =>
  all(
    db,
    "SELECT m.id FROM messages_fts JOIN messages m ON m.search_key = messages_fts.rowid WHERE messages_fts MATCH ? ORDER BY m.id",
    query,
  ).map((row) => row.id)

/** Every row of every table (blobs as hex), in a stable order: two equal dumps are equal stores. */
export const dump = (db: Database.Database): Record<string, Array<Row>> => {
  // chat_changes logs when chats changed, not what they hold: replaying a stream changes them again.
  const tables = all(
    db,
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts%' AND name <> 'chat_changes' ORDER BY name",
  ).map((row) => String(row.name))
  const result: Record<string, Array<Row>> = {}
  for (const table of tables) {
    result[table] = all(db, `SELECT * FROM ${table} ORDER BY 1, 2`).map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([column, value]) => [
          column,
          Buffer.isBuffer(value) ? value.toString("hex") : value,
        ]),
      ),
    )
  }
  // the index itself, term by term (the table's own rows come from `messages`)
  db.exec(
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_fts_terms USING fts5vocab(main, messages_fts, instance)",
  )
  result.messages_fts = all(
    db,
    "SELECT term, doc, col, offset FROM temp.messages_fts_terms ORDER BY 1, 2, 3, 4",
  )
  return result
}

/** Throws if the full-text index disagrees with the messages table. */
export const checkSearchIndex = (db: Database.Database): void => {
  db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()
}
