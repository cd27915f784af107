/**
 * Loading a new store fast: with no message stored yet, the read-only indexes of `messages` and the
 * full-text triggers are dropped, the rows go in, and then each index is built in one sorted pass
 * and the full-text index filled in key order, several times cheaper than keeping them up to date
 * row by row. Opening a store puts back whatever a load that never finished (a crash, a kill) left out.
 */
import type Database from "better-sqlite3"
import { deferrableMessageSchema, fullTextRefill } from "./StoreMigrations.js"

const missing = (db: Database.Database): ReadonlyArray<{ readonly name: string; readonly sql: string }> => {
  const present = new Set(
    (
      db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger')").all() as Array<{
        name: string
      }>
    ).map((row) => row.name),
  )
  return deferrableMessageSchema.filter((statement) => !present.has(statement.name))
}

/**
 * Drops the deferrable indexes and triggers if the store holds no message yet; returns whether it
 * did (then `restoreMessageIndexes` must follow the load).
 */
export const suspendMessageIndexes = (db: Database.Database): boolean =>
  db
    .transaction(() => {
      if (db.prepare("SELECT 1 FROM messages LIMIT 1").get() !== undefined) return false
      for (const { name, sql } of deferrableMessageSchema)
        db.exec(`DROP ${sql.startsWith("CREATE TRIGGER") ? "TRIGGER" : "INDEX"} IF EXISTS ${name}`)
      return true
    })
    .immediate()

/**
 * Creates whatever deferrable index or trigger is missing and, if a full-text trigger was among
 * them, rebuilds the full-text index from the messages. Cheap when nothing is missing.
 */
export const restoreMessageIndexes = (db: Database.Database): void =>
  db
    .transaction(() => {
      const absent = missing(db)
      for (const { sql } of absent) db.exec(sql)
      if (absent.some(({ name }) => name.startsWith("messages_fts_"))) {
        db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
        db.exec(fullTextRefill)
      }
    })
    .immediate()
