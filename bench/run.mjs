// `pnpm bench`: the whole benchmark in one command. Generates (or reuses, cached by size and seed
// under bench/data/) the seeded synthetic history, runs the measurements of the other bench scripts
// on it, prints one table with the targets and writes bench/results.json.
// Usage: pnpm build && pnpm bench [--quick] [--messages N] [--seed S] [--runs R] [--out FILE]
//   [--cold-runs N] [--data DIR]  (DIR: where generated histories and stores are kept, bench/data)
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    messages: { type: "string" },
    seed: { type: "string", default: "1" },
    runs: { type: "string" },
    out: { type: "string" },
    "cold-runs": { type: "string", default: "10" },
    data: { type: "string" },
  },
})
const fail = (message) => {
  console.error(`pnpm bench: ${message}`)
  process.exit(2)
}
const positive = (name, text) => {
  const n = Number(text)
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got "${text}"`)
  return n
}
const messages = positive("messages", values.messages ?? (values.quick ? "100000" : "1000000"))
const seed = positive("seed", values.seed)
const runs = positive("runs", values.runs ?? (values.quick ? "100" : "200"))
const coldRuns = positive("cold-runs", values["cold-runs"])
// 1M messages: 5k chats (every fifth a group, the generator's rule) and 20k contacts; scaled below.
const chats = Math.max(5, Math.round(messages / 200))
const contacts = Math.max(20, Math.round(messages / 50))
const root = resolve(import.meta.dirname, "..")
const data = resolve(values.data ?? join(root, "bench/data"))
const outFile = resolve(values.out ?? join(root, "bench/results.json"))
const bridge = join(root, "packages/bridge/dist/bundle/bridge.mjs")
const server = join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs")
for (const file of [bridge, server])
  if (!existsSync(file)) fail(`${file} is missing: run \`pnpm build\` first`)
mkdirSync(data, { recursive: true })

const command = `pnpm build && pnpm bench --messages ${messages} --seed ${seed} --runs ${runs}`
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
}
console.error(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node}`)
console.error(`load average at start: ${machine.loadAverageAtStart.join(", ")}`)

// ---------------------------------------------------------------------------------------------
// The data: same options, same bytes, so a file for this size and seed is reused.
const stream = join(data, `history-${messages}-${seed}-${chats}-${contacts}.jsonl`)
if (!existsSync(stream)) {
  console.error(`generating ${messages} messages, ${chats} chats, ${contacts} contacts (seed ${seed})…`)
  const partial = `${stream}.partial`
  execFileSync(
    "pnpm",
    [
      "--silent",
      "--filter",
      "@whatsapp-mcp/fixtures",
      "synthetic",
      ...["--messages", String(messages), "--seed", String(seed)],
      ...["--chats", String(chats), "--contacts", String(contacts), "--out", partial],
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  )
  renameSync(partial, stream)
}

/** Runs one bench script and returns the object on its `json:` line; its report goes to stderr. */
const runScript = (args) => {
  const output = execFileSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 2 ** 20,
  })
  const lines = output.trim().split("\n")
  for (const line of lines) if (!line.startsWith("json: ")) console.error(`  ${line}`)
  const json = lines.find((line) => line.startsWith("json: "))
  if (json === undefined) throw new Error(`node ${args.join(" ")} printed no json: line`)
  return JSON.parse(json.slice("json: ".length))
}

// ---------------------------------------------------------------------------------------------
// The store the read tools run on, built by `bridge ingest` while its peak RSS is watched.
const storeDir = join(data, `store-${messages}-${seed}`)
rmSync(storeDir, { recursive: true, force: true })
console.error(`bridge ingest into ${storeDir} (peak RSS watched)…`)
const bridgeIngest = await new Promise((done, reject) => {
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, [bridge, "ingest", stream, "--store", storeDir], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  let stdout = ""
  let peakKiB = 0
  child.stdout.on("data", (chunk) => {
    stdout += chunk
  })
  // VmHWM is the kernel's own high-water mark, so sampling it misses no short peak.
  const watch = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))
      if (hwm !== null) peakKiB = Math.max(peakKiB, Number(hwm[1]))
    } catch {
      // the process has exited between two samples
    }
  }, 50)
  child.on("error", reject)
  child.on("exit", (code) => {
    clearInterval(watch)
    if (code !== 0) reject(new Error(`bridge ingest exited with ${code}`))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    done({ seconds, peakRssMB: peakKiB / 1024, report: stdout.trim() })
  })
})
console.error(bridgeIngest.report.replace(/^/gm, "  "))
const fileSize = (file) => (existsSync(file) ? statSync(file).size : 0)
const storeBytes = ["messages.db", "messages.db-wal", "messages.db-shm"]
  .map((name) => fileSize(join(storeDir, name)))
  .reduce((a, b) => a + b, 0)

console.error("ingestion beside the bare-insert ceiling (bench/ingest.ts, 1 round)…")
const ingest = runScript(["--import", "tsx", "bench/ingest.ts", String(messages), String(seed), "1", stream])
console.error("read tools over MCP stdio, with the original project's queries (bench/read-tools.mjs)…")
const reads = runScript(["bench/read-tools.mjs", "--store", storeDir, "--runs", String(runs)])
// Five times the read tools' calls: a p99 needs more calls than a p50, and these are cheap.
const transportRuns = runs * 5
const transportWarmUp = Math.min(200, runs)
console.error("list_messages over stdio and over HTTP, alternating (bench/transport.mjs)…")
const transport = runScript([
  "bench/transport.mjs",
  ...["--store", storeDir, "--runs", String(transportRuns), "--warm-up", String(transportWarmUp)],
])
console.error("cold start (bench/cold-start.mjs)…")
const cold = runScript(["bench/cold-start.mjs", String(coldRuns)])
console.error(
  "what a model reads: list_messages text against the original's format (bench/rendering-bytes.mjs)…",
)
const rendering = runScript(["bench/rendering-bytes.mjs"])

// ---------------------------------------------------------------------------------------------
const queryTool = reads.tools["list_messages (query)"]
const worstP99 = Math.max(...Object.values(reads.tools).map((t) => t.p99))
const worstSqlP99 = Math.max(...Object.values(reads.tools).map((t) => t.sql.p99))
const ingestRatio = ingest.ingestPerSecond / ingest.ceilingPerSecond
const likeRatio = reads.originalLike.p50 / queryTool.p50
const figures = [
  [
    "ingestion, bridge ingest (messages/s)",
    ingest.ingestPerSecond,
    ">= 50000",
    ingest.ingestPerSecond >= 50_000,
  ],
  ["ceiling, bare batched insert (rows/s)", ingest.ceilingPerSecond, "", null],
  ["ingestion / ceiling", ingestRatio, ">= 0.5", ingestRatio >= 0.5],
  ["ceiling loaded as a new store, indexes after (rows/s)", ingest.bulkCeilingPerSecond, "", null],
  ["ingestion / that ceiling", ingest.ingestPerSecond / ingest.bulkCeilingPerSecond, "", null],
  ["list_messages query p50 (ms, MCP)", queryTool.p50, "<= 10", queryTool.p50 <= 10],
  ["list_messages query p50 (ms, SQL alone)", queryTool.sql.p50, "", null],
  ["original LIKE search p50 (ms, SQL)", reads.originalLike.p50, "", null],
  ["LIKE p50 / list_messages query p50", likeRatio, ">= 50", likeRatio >= 50],
  ["list_chats p50 (ms, MCP)", reads.tools.list_chats.p50, "", null],
  ["original list_chats p50 (ms, SQL)", reads.originalListChats.p50, "", null],
  ["slowest read tool p99 (ms, MCP)", worstP99, "<= 50", worstP99 <= 50],
  ["slowest read tool p99 (ms, SQL alone)", worstSqlP99, "", null],
  ["list_messages query p50 over HTTP (ms, MCP)", transport.figures.list_messages.HTTP.p50, "", null],
  ["list_messages query p99 over HTTP (ms, MCP)", transport.figures.list_messages.HTTP.p99, "", null],
  ["list_messages query HTTP / stdio, p50 (same run)", transport.ratio.p50, "", null],
  ["list_messages query HTTP / stdio, p99 (same run)", transport.ratio.p99, "", null],
  ["cold start to tools/list (ms, median)", cold.medianMs, "<= 400", cold.medianMs <= 400],
  [
    `MCP server RSS after ${reads.serverCalls} calls (MB)`,
    reads.serverRssMB,
    "<= 150",
    reads.serverRssMB <= 150,
  ],
  ["bridge peak RSS during ingest (MB)", bridgeIngest.peakRssMB, "<= 300", bridgeIngest.peakRssMB <= 300],
  ["store on disk per message (bytes)", storeBytes / messages, "", null],
  [
    "list_messages text / original format, demo, 5 calls (bytes)",
    rendering.ratio,
    "<= 1.0",
    rendering.ratio <= 1.0,
  ],
  ["list_messages text, demo, 5 calls (tokens, bytes / 4)", rendering.total.ours / 4, "", null],
]
const loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)))
const results = {
  command,
  machine: { ...machine, loadAverageAtEnd: loadAtEnd },
  data: { messages, seed, chats, contacts, stream },
  ingestion: {
    ...ingest,
    ratioToCeiling: ingestRatio,
    bridgeIngestSeconds: bridgeIngest.seconds,
    bridgePeakRssMB: bridgeIngest.peakRssMB,
    command: `pnpm build && node --import tsx bench/ingest.ts ${messages} ${seed} 1 ${stream}`,
  },
  store: { bytes: storeBytes, bytesPerMessage: storeBytes / messages },
  readTools: {
    ...reads,
    likeRatio,
    command: `node bench/read-tools.mjs --store ${storeDir} --runs ${runs}`,
  },
  transport: {
    ...transport,
    command: `node bench/transport.mjs --store ${storeDir} --runs ${transportRuns} --warm-up ${transportWarmUp}`,
  },
  coldStart: { ...cold, command: `node bench/cold-start.mjs ${coldRuns}` },
  rendering: { ...rendering, command: "node bench/rendering-bytes.mjs" },
  targets: Object.fromEntries(
    figures
      .filter(([, , target]) => target !== "")
      .map(([label, value, target, met]) => [label, { value, target, met }]),
  ),
}
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)

const show = (value) => (value >= 100 ? Math.round(value).toLocaleString("en") : value.toFixed(2))
console.log(`\nwhatsapp-mcp bench: ${messages.toLocaleString("en")} messages, seed ${seed}`)
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node}`)
console.log(
  `load average: ${machine.loadAverageAtStart.join(", ")} at start, ${loadAtEnd.join(", ")} at end\n`,
)
console.log(`| figure | value | target | met |\n|---|---:|---|---|`)
for (const [label, value, target, met] of figures)
  console.log(`| ${label} | ${show(value)} | ${target} | ${met === null ? "" : met ? "yes" : "**no**"} |`)
console.log(
  `\nread tools, ${runs} calls each: MCP round trip (SDK Client over stdio) and the same calls' SQL alone (better-sqlite3):`,
)
console.log("| tool | MCP p50 ms | MCP p99 ms | SQL p50 ms | SQL p99 ms |\n|---|---:|---:|---:|---:|")
for (const [label, t] of Object.entries(reads.tools))
  console.log(`| ${label} | ${show(t.p50)} | ${show(t.p99)} | ${show(t.sql.p50)} | ${show(t.sql.p99)} |`)
console.log(`\nreproduce: ${command}`)
console.log(`  ingestion and ceiling: ${results.ingestion.command}`)
console.log(`  read tools: ${results.readTools.command}`)
console.log(`  stdio and HTTP: ${results.transport.command}`)
console.log(`  cold start: ${results.coldStart.command}`)
console.log(`  rendering bytes: ${results.rendering.command}`)
console.log(`results: ${outFile}`)
