// Ingestion throughput of a synthetic history-sync stream through the whole process
// (`bridge ingest`), beside the ceiling: a bare batched better-sqlite3 insert of the very rows that
// run stored, into the same schema (same indexes, same full-text index), in the same run.
// Usage: pnpm build && node --import tsx bench/ingest.ts [messages] [seed]
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import Database from "better-sqlite3"

const messages = Number(process.argv[2] ?? 200_000)
const seed = Number(process.argv[3] ?? 1)
const root = resolve(import.meta.dirname, "..")
const bridge = join(root, "packages/bridge/dist/bin/bridge.js")
const work = mkdtempSync(join(tmpdir(), "wa-bench-ingest-"))
const stream = join(work, `history-${messages}-${seed}.jsonl`)
const batchRows = 8192

if (!existsSync(bridge)) throw new Error(`${bridge} is missing: run \`pnpm build\` first`)

execFileSync(
  "pnpm",
  [
    "--silent",
    "--filter",
    "@whatsapp-mcp/fixtures",
    "synthetic",
    "--messages",
    String(messages),
    "--seed",
    String(seed),
    "--out",
    stream,
  ],
  { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
)

// 1. The whole process, timed from spawn to exit.
const store = join(work, "store")
const started = process.hrtime.bigint()
const run = spawnSync(process.execPath, [bridge, "ingest", stream, "--store", store], { encoding: "utf8" })
const wholeSeconds = Number(process.hrtime.bigint() - started) / 1e9
if (run.status !== 0) throw new Error(`bridge ingest failed (${run.status}):\n${run.stderr}`)
const reported = Object.fromEntries(
  run.stdout
    .trim()
    .split("\n")
    .map((line) => line.split(": ") as [string, string]),
)

// 2. The ceiling: the same rows, inserted bare into a fresh database with the very schema the
// bridge created (copied from the store: same indexes, same full-text index and triggers).
const source = new Database(join(store, "messages.db"), { readonly: true })
const schema = (
  source
    .prepare(
      `SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
        AND name NOT IN ('messages_fts_data', 'messages_fts_idx', 'messages_fts_docsize', 'messages_fts_config')
      ORDER BY rowid`,
    )
    .all() as Array<{ sql: string }>
).map((row) => row.sql)
const columns = source
  .prepare("SELECT * FROM messages LIMIT 1")
  .columns()
  .map((column) => column.name)
  .filter((name) => name !== "row_id")
const rows = source
  .prepare(`SELECT ${columns.join(", ")} FROM messages ORDER BY row_id`)
  .raw()
  .all() as Array<Array<unknown>>
source.close()

const ceiling = new Database(join(work, "ceiling.db"))
for (const pragma of [
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "temp_store = MEMORY",
  "cache_size = -65536",
]) {
  ceiling.pragma(pragma)
}
for (const statement of schema) ceiling.exec(statement)
ceiling.exec("INSERT INTO messages_fts_pending (watermark) VALUES (NULL)")
const insert = ceiling.prepare(
  `INSERT INTO messages (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
)
const defer = ceiling.prepare(
  "UPDATE messages_fts_pending SET watermark = (SELECT COALESCE(MAX(row_id), 0) FROM messages)",
)
const index = ceiling.prepare(`
  INSERT INTO messages_fts (rowid, text, media_file_name)
  SELECT row_id, text, media_file_name FROM messages
  WHERE row_id > (SELECT watermark FROM messages_fts_pending)`)
const undefer = ceiling.prepare("UPDATE messages_fts_pending SET watermark = NULL")
const batch = ceiling.transaction((from: number) => {
  defer.run()
  for (let i = from; i < Math.min(from + batchRows, rows.length); i++) insert.run(...(rows[i] ?? []))
  index.run()
  undefer.run()
})
const t0 = process.hrtime.bigint()
for (let from = 0; from < rows.length; from += batchRows) batch(from)
const ceilingSeconds = Number(process.hrtime.bigint() - t0) / 1e9
ceiling.close()

const wholeRate = messages / wholeSeconds
const ceilingRate = rows.length / ceilingSeconds
console.log(`command: pnpm build && node --import tsx bench/ingest.ts ${messages} ${seed}`)
console.log(`stream: ${messages} messages (seed ${seed}), ${reported.events} events`)
console.log(
  `bridge ingest, whole process: ${wholeSeconds.toFixed(2)} s, ${Math.round(wholeRate)} messages/s ` +
    `(in-process ingest: ${reported.seconds} s, ${reported["messages/s"]} messages/s)`,
)
console.log(
  `ceiling, bare batched insert of the ${rows.length} stored rows (${batchRows} per transaction, same schema): ` +
    `${ceilingSeconds.toFixed(2)} s, ${Math.round(ceilingRate)} rows/s`,
)
console.log(`ratio (whole process / ceiling): ${(wholeRate / ceilingRate).toFixed(2)}`)
rmSync(work, { recursive: true, force: true })
