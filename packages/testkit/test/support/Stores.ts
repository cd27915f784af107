// Minimal SQLite files standing in for the bridge's store where only the runtime is under test.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StoreMigrationsTable, StoreSchemaVersion } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"

/**
 * A store directory whose messages.db has a messages table with `rows` rows, marked as written by
 * a bridge at `schemaVersion` (the current one unless given).
 */
export const makeStoreDir = (rows: number, schemaVersion: number = StoreSchemaVersion): string => {
  const dir = mkdtempSync(join(tmpdir(), "wa-runtime-store-"))
  const db = new Database(join(dir, "messages.db"))
  db.pragma("journal_mode = WAL")
  db.exec("CREATE TABLE messages (chat_jid TEXT, id TEXT, text TEXT, PRIMARY KEY (chat_jid, id))")
  const insert = db.prepare("INSERT INTO messages VALUES (?, ?, ?)")
  for (let i = 0; i < rows; i++) insert.run("1555@s.whatsapp.net", `m${i}`, `text ${i}`)
  db.exec(
    `CREATE TABLE ${StoreMigrationsTable} (migration_id INTEGER PRIMARY KEY, created_at TEXT, name TEXT)`,
  )
  const migration = db.prepare(`INSERT INTO ${StoreMigrationsTable} (migration_id, name) VALUES (?, ?)`)
  for (let id = 1; id <= schemaVersion; id++) migration.run(id, `migration ${id}`)
  db.close()
  return dir
}

export const emptyDir = (): string => mkdtempSync(join(tmpdir(), "wa-runtime-empty-"))
