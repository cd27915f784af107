// Ingestion throughput of a synthetic history-sync stream through the whole process
// (`bridge ingest`), beside the ceiling: a bare batched better-sqlite3 insert of the very rows that
// run stored, into the same schema (same indexes, same full-text index), in the same run,
// committed as often as the command commits. A second ceiling loads the rows the way the command
// loads a new store (the read-only indexes and the full-text index built after the rows): what
// SQLite alone needs for the store the command leaves.
// The two alternate for several rounds; on a shared machine the best round of each is the figure
// least disturbed by other work, and CPU seconds are steadier than wall seconds.
// Usage: pnpm build && node --import tsx bench/ingest.ts [messages] [seed] [rounds] [stream]
// (stream: an already generated synthetic file for these messages and seed, as `pnpm bench` caches)
// The last line printed is `json: {...}`, the figures `bench/run.mjs` collects.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import Database from "better-sqlite3"
import { deferrableMessageSchema, fullTextRefill } from "../packages/bridge/dist/store/StoreMigrations.js"

const messages = Number(process.argv[2] ?? 200_000)
const seed = Number(process.argv[3] ?? 1)
const rounds = Number(process.argv[4] ?? 3)
const root = resolve(import.meta.dirname, "..")
const bridge = join(root, "packages/bridge/dist/bundle/bridge.mjs")
const work = mkdtempSync(join(tmpdir(), "wa-bench-ingest-"))
const given = process.argv[5]
const stream = given === undefined ? join(work, `history-${messages}-${seed}.jsonl`) : resolve(given)
// as `bridge ingest` commits (Ingestor.bulkLoad)
const batchRows = 32_768

if (!existsSync(bridge)) throw new Error(`${bridge} is missing: run \`pnpm build\` first`)

if (given === undefined)
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

interface Timing {
  readonly wall: number
  readonly cpu: number
}

/** The whole `bridge ingest` process, timed from spawn to exit; CPU as the process reports it. */
const ingestOnce = (store: string): Timing & { readonly reported: Record<string, string> } => {
  const started = process.hrtime.bigint()
  const run = spawnSync(process.execPath, [bridge, "ingest", stream, "--store", store], { encoding: "utf8" })
  const wall = Number(process.hrtime.bigint() - started) / 1e9
  if (run.status !== 0) throw new Error(`bridge ingest failed (${run.status}):\n${run.stderr}`)
  const reported = Object.fromEntries(
    run.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(": ") as [string, string]),
  )
  return { wall, cpu: Number(reported["process cpu seconds"]), reported }
}

/** The rows a store holds, and the schema that created it (FTS5's own shadow tables left out). */
const readStore = (store: string) => {
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
    .filter((name) => name !== "row_id" && name !== "search_key")
  const rows = source
    .prepare(`SELECT ${columns.join(", ")} FROM messages ORDER BY row_id`)
    .raw()
    .all() as Array<Array<unknown>>
  source.close()
  return { schema, columns, rows }
}

/**
 * A new database with the store's own pragmas (and page size) and `statements` of its schema, the
 * insert of a stored row, and a timer for what is run with them.
 */
const openCeiling = (file: string, statements: ReadonlyArray<string>, columns: ReadonlyArray<string>) => {
  const db = new Database(file)
  for (const pragma of [
    "page_size = 8192",
    "journal_mode = WAL",
    "synchronous = NORMAL",
    "temp_store = MEMORY",
    "cache_size = -65536",
  ])
    db.pragma(pragma)
  for (const statement of statements) db.exec(statement)
  db.exec("INSERT INTO messages_fts_pending (watermark) VALUES (NULL)")
  const insert = db.prepare(
    `INSERT INTO messages (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  )
  const timed = (run: () => void): Timing => {
    const cpu0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    run()
    const wall = Number(process.hrtime.bigint() - t0) / 1e9
    const cpu = process.cpuUsage(cpu0)
    db.close()
    return { wall, cpu: (cpu.user + cpu.system) / 1e6 }
  }
  return { db, insert, timed }
}

/** The ceiling: the rows inserted bare, in batches, with the store's own pragmas and schema. */
const ceilingOnce = (file: string, { schema, columns, rows }: ReturnType<typeof readStore>): Timing => {
  const { db, insert, timed } = openCeiling(file, schema, columns)
  const defer = db.prepare(
    "UPDATE messages_fts_pending SET watermark = (SELECT COALESCE(MAX(row_id), 0) FROM messages)",
  )
  const index = db.prepare(`
    INSERT INTO messages_fts (rowid, text, media_file_name)
    SELECT search_key, text, media_file_name FROM messages WHERE row_id > (SELECT watermark FROM messages_fts_pending)
    ORDER BY search_key`)
  const undefer = db.prepare("UPDATE messages_fts_pending SET watermark = NULL")
  const batch = db.transaction((from: number) => {
    defer.run()
    for (let i = from; i < Math.min(from + batchRows, rows.length); i++) insert.run(...(rows[i] ?? []))
    index.run()
    undefer.run()
  })
  return timed(() => {
    for (let from = 0; from < rows.length; from += batchRows) batch(from)
  })
}

/** The second ceiling: rows first, then the read-only indexes and the full-text index in one pass each. */
const bulkCeilingOnce = (file: string, { schema, columns, rows }: ReturnType<typeof readStore>): Timing => {
  const deferred = new Set(deferrableMessageSchema.map((statement) => statement.name))
  const isDeferred = (statement: string) =>
    deferred.has(/^CREATE (?:UNIQUE )?(?:INDEX|TRIGGER) (\w+)/.exec(statement)?.[1] ?? "")
  const { db, insert, timed } = openCeiling(
    file,
    schema.filter((statement) => !isDeferred(statement)),
    columns,
  )
  const batch = db.transaction((from: number) => {
    for (let i = from; i < Math.min(from + batchRows, rows.length); i++) insert.run(...(rows[i] ?? []))
  })
  const buildLater = db.transaction(() => {
    for (const statement of schema.filter(isDeferred)) db.exec(statement)
    db.exec(fullTextRefill)
  })
  return timed(() => {
    for (let from = 0; from < rows.length; from += batchRows) batch(from)
    buildLater()
  })
}

const ingests: Array<Timing> = []
const ceilings: Array<Timing> = []
const bulkCeilings: Array<Timing> = []
let stored: ReturnType<typeof readStore> | undefined
let events = ""
for (let round = 0; round < rounds; round++) {
  const store = join(work, `store-${round}`)
  const ingest = ingestOnce(store)
  ingests.push(ingest)
  events = ingest.reported.events ?? "?"
  stored ??= readStore(store)
  ceilings.push(ceilingOnce(join(work, `ceiling-${round}.db`), stored))
  bulkCeilings.push(bulkCeilingOnce(join(work, `bulk-ceiling-${round}.db`), stored))
  rmSync(store, { recursive: true, force: true })
}

const best = (timings: ReadonlyArray<Timing>, key: keyof Timing) => Math.min(...timings.map((t) => t[key]))
const median = (timings: ReadonlyArray<Timing>, key: keyof Timing) => {
  const sorted = timings.map((t) => t[key]).sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
const rows = stored?.rows.length ?? 0
const rate = (count: number, seconds: number) => `${Math.round(count / seconds)}/s`
const line = (label: string, count: number, timings: ReadonlyArray<Timing>) =>
  `${label}: best ${best(timings, "wall").toFixed(2)} s wall (${rate(count, best(timings, "wall"))}), ` +
  `median ${median(timings, "wall").toFixed(2)} s (${rate(count, median(timings, "wall"))}); ` +
  `best ${best(timings, "cpu").toFixed(2)} CPU s (${rate(count, best(timings, "cpu"))})`

console.log(`command: pnpm build && node --import tsx bench/ingest.ts ${messages} ${seed} ${rounds}`)
console.log(`stream: ${messages} messages (seed ${seed}), ${events} events; ${rounds} rounds`)
console.log(line("bridge ingest, whole process (messages)", messages, ingests))
console.log(
  line(
    `ceiling, bare insert of the ${rows} stored rows, ${batchRows} per transaction (rows)`,
    rows,
    ceilings,
  ),
)
console.log(
  `ratio whole process / ceiling: ${(messages / best(ingests, "wall") / (rows / best(ceilings, "wall"))).toFixed(2)} ` +
    `(best wall), ${(messages / best(ingests, "cpu") / (rows / best(ceilings, "cpu"))).toFixed(2)} (best CPU)`,
)
console.log(
  line(
    `ceiling loaded as a new store (read-only indexes and full-text index built after the rows)`,
    rows,
    bulkCeilings,
  ),
)
console.log(
  `ratio whole process / that ceiling: ${(messages / best(ingests, "wall") / (rows / best(bulkCeilings, "wall"))).toFixed(2)} ` +
    `(best wall), ${(messages / best(ingests, "cpu") / (rows / best(bulkCeilings, "cpu"))).toFixed(2)} (best CPU)`,
)
console.log(
  `json: ${JSON.stringify({
    messages,
    rows,
    events: Number(events),
    ingestPerSecond: messages / best(ingests, "wall"),
    ingestPerCpuSecond: messages / best(ingests, "cpu"),
    ceilingPerSecond: rows / best(ceilings, "wall"),
    ceilingPerCpuSecond: rows / best(ceilings, "cpu"),
    bulkCeilingPerSecond: rows / best(bulkCeilings, "wall"),
    bulkCeilingPerCpuSecond: rows / best(bulkCeilings, "cpu"),
  })}`,
)
rmSync(work, { recursive: true, force: true })
