// list_messages over the two transports a client can use, in one run on one store: the bundled
// `whatsapp-mcp` over stdio (the SDK's StdioClientTransport) and `whatsapp-mcp --http` on loopback
// (the SDK's StreamableHTTPClientTransport with the bearer token), both started here, each with its
// own SDK Client, warmed up, then called alternately so that both see the same machine load.
//
// Besides the search it times what each transport costs by itself: `ping` (an empty request and an
// empty answer, all protocol and no work) over both, and over HTTP a request the server refuses
// with 401 before any MCP code runs (Node's HTTP and the client's fetch, with the Host, Origin and
// token checks). For every kind of call it reports the CPU time the calls took in this client
// process and in the server, and how long their threads waited for a core (the scheduler's own
// accounting, /proc/PID/task/*/schedstat, read around each call in the client and around blocks of
// calls in the server), so that the difference between the transports can be split into client,
// server and waiting.
//
// Usage: pnpm build && node bench/transport.mjs --store DIR [--runs 1000] [--warm-up 200]
//   DIR holds a store the bridge built (`pnpm bench` builds a 1M one under bench/data/).
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { loadavg, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import { searchWords } from "./search-words.mjs"

const usage =
  "usage: node bench/transport.mjs --store DIR [--runs N] [--warm-up N]  (DIR must hold messages.db)"
const fail = (message) => {
  console.error(`transport: ${message}\n${usage}`)
  process.exit(2)
}
let values
try {
  values = parseArgs({
    options: {
      store: { type: "string" },
      runs: { type: "string", default: "1000" },
      "warm-up": { type: "string", default: "200" },
    },
  }).values
} catch (error) {
  fail(error.message)
}
const count = (name) => {
  const n = Number(values[name])
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got "${values[name]}"`)
  return n
}
const runs = count("runs")
const warmUp = count("warm-up")
if (values.store === undefined || !existsSync(join(values.store, "messages.db")))
  fail(`--store must name a folder that holds messages.db${values.store ? `, got "${values.store}"` : ""}`)
const storeDir = resolve(values.store)
const root = resolve(import.meta.dirname, "..")
const bin = join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs")
if (!existsSync(bin)) fail(`${bin} is missing: run \`pnpm build\` first`)
const command = `pnpm build && node bench/transport.mjs --store ${values.store} --runs ${runs} --warm-up ${warmUp}`

const fromServer = createRequire(join(root, "packages/server/package.json"))
const { Client } = fromServer("@modelcontextprotocol/sdk/client/index.js")
const { StdioClientTransport, getDefaultEnvironment } = fromServer(
  "@modelcontextprotocol/sdk/client/stdio.js",
)
const { StreamableHTTPClientTransport } = fromServer("@modelcontextprotocol/sdk/client/streamableHttp.js")

const loadAtStart = loadavg().map((l) => Number(l.toFixed(2)))
const work = mkdtempSync(join(tmpdir(), "wa-bench-transport-"))
const stops = []
const cleanUp = async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined)
  rmSync(work, { recursive: true, force: true })
}
process.on("SIGINT", () => cleanUp().finally(() => process.exit(130)))

// ---------------------------------------------------------------------------------------------
// The two servers, as a client starts them: the same command, store and environment (the one the
// SDK gives a stdio server), one over stdio and one over HTTP on a free loopback port.
const env = getDefaultEnvironment()
const stdioTransport = new StdioClientTransport({
  command: process.execPath,
  args: [bin, "--store", storeDir],
  env,
  stderr: "pipe",
})
let stdioLog = ""
stdioTransport.stderr?.on("data", (chunk) => {
  stdioLog += chunk
})

// The command refuses port 0, so ask the system for a free port first, as the server's tests do.
const port = await new Promise((found) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address()
    probe.close(() => found(port))
  })
})
const tokenFile = join(work, "mcp-http-token")
const httpServer = spawn(
  process.execPath,
  [bin, "--http", "--port", String(port), "--store", storeDir, "--http-token-file", tokenFile],
  { env, stdio: ["ignore", "ignore", "pipe"] },
)
const httpExited = new Promise((done) => httpServer.once("exit", done))
// Nothing else would stop it if this script died on an error: its stdin is not this process's.
process.on("exit", () => {
  if (httpServer.exitCode === null) httpServer.kill("SIGTERM")
  rmSync(work, { recursive: true, force: true })
})
stops.push(async () => {
  if (httpServer.exitCode === null) httpServer.kill("SIGTERM")
  await httpExited
})
let httpLog = ""
const url = await new Promise((ready, failed) => {
  httpServer.stderr.setEncoding("utf8")
  httpServer.stderr.on("data", (chunk) => {
    httpLog += chunk
    const found = /over HTTP at (http:\/\/\S+)/.exec(httpLog)
    if (found) ready(new URL(found[1]))
  })
  httpServer.once("exit", (code) => failed(new Error(`whatsapp-mcp --http exited with ${code}:\n${httpLog}`)))
}).catch(async (error) => {
  console.error(`transport: ${error.message}`)
  await cleanUp()
  process.exit(1)
})
const token = readFileSync(tokenFile, "utf8").trim()
const httpTransport = new StreamableHTTPClientTransport(url, {
  requestInit: { headers: { authorization: `Bearer ${token}` } },
})

const sides = [
  { name: "stdio", transport: stdioTransport, pid: () => stdioTransport.pid },
  { name: "HTTP", transport: httpTransport, pid: () => httpServer.pid },
]
for (const side of sides) {
  side.client = new Client({ name: "whatsapp-mcp-bench", version: "1" })
  try {
    await side.client.connect(side.transport)
  } catch (error) {
    console.error(`transport: the ${side.name} server did not answer: ${error}\n${stdioLog}${httpLog}`)
    await cleanUp()
    process.exit(1)
  }
  stops.push(() => side.client.close())
  // Listed first, as a client does: the SDK then checks every structured result against its schema.
  await side.client.listTools()
}
const [stdio, http] = sides

// ---------------------------------------------------------------------------------------------
// Where a process's time went, from the scheduler's own accounting (/proc/PID/task/TID/schedstat:
// time on a core and time waiting for one, in ns, and how many times the thread was put on a core).
// CPU time counts every thread (the collector's too); waiting and being put on a core count the main
// thread only, the one every message passes through, since helper threads wait beside it and not
// in its way. A server's threads are read around blocks of calls, from outside; this client reads
// only its main thread's line around each call and takes its CPU time from process.cpuUsage, so
// that reading the files does not count as the call's CPU.
const threadLine = (pid, task) => readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")
const serverSchedule = (pid) => {
  const sum = { runMs: 0, waitMs: 0, slices: 0 }
  let tasks
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return { runMs: Number.NaN, waitMs: Number.NaN, slices: Number.NaN }
  }
  for (const task of tasks) {
    try {
      const [run, wait, slices] = threadLine(pid, task)
      sum.runMs += Number(run) / 1e6
      if (task === String(pid)) {
        sum.waitMs = Number(wait) / 1e6
        sum.slices = Number(slices)
      }
    } catch {
      // the thread ended after the folder was read
    }
  }
  return sum
}
/** Before a call the file is read first, after it last, so that its reading stays out of the CPU. */
const clientSchedule = (when) => {
  const cpuAfter = when === "after" ? process.cpuUsage() : undefined
  const [, wait, slices] = threadLine(process.pid, process.pid)
  const cpu = cpuAfter ?? process.cpuUsage()
  return { runMs: (cpu.user + cpu.system) / 1000, waitMs: Number(wait) / 1e6, slices: Number(slices) }
}
const addSince = (into, before, after) => {
  for (const key of Object.keys(into)) into[key] += after[key] - before[key]
}

const query = (i) => ({ name: "list_messages", arguments: { query: searchWords[i % searchWords.length] } })
const pingBody = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
const refusedHeaders = {
  authorization: "Bearer not-the-token",
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
}
/** Each kind of call: a function per transport that makes one call and returns the answer's bytes. */
const kinds = {
  list_messages: (side, i) =>
    side.client.callTool(query(i)).then((answer) => {
      if (answer.isError === true) throw new Error(JSON.stringify(answer.content))
      return JSON.stringify(answer).length
    }),
  ping: (side) => side.client.ping().then(() => 0),
  // Over HTTP only: answered by the server's own checks before the SDK's transport sees it.
  "refused (401)": (side) =>
    side === http
      ? fetch(url, { method: "POST", headers: refusedHeaders, body: pingBody }).then(async (res) => {
          const body = await res.text()
          if (res.status !== 401) throw new Error(`expected 401, got ${res.status}: ${body}`)
          return body.length
        })
      : undefined,
}

// Warm-up: both servers and this client compile their hot paths before any figure. The same words
// over both transports must give the same answers; anything else would make the comparison moot.
let differentAnswers = 0
for (let i = 0; i < warmUp; i++) {
  const [a, b] = await Promise.all(sides.map((side) => side.client.callTool(query(i))))
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    differentAnswers++
    if (differentAnswers === 1) console.error(`transport: answers differ for ${JSON.stringify(query(i))}`)
  }
  for (const side of sides) await side.client.ping()
  await kinds["refused (401)"](http)
}

// The measurement: in blocks, every kind in turn, within a kind the two transports alternately
// (which one goes first swaps every round). This client's threads are read around each call, outside
// its timing; a server's around each block, where only that kind of call runs.
const block = Math.max(1, Math.min(50, Math.floor(runs / 10)))
const tally = () => ({ runMs: 0, waitMs: 0, slices: 0 })
const results = Object.fromEntries(
  Object.keys(kinds).map((kind) => [
    kind,
    Object.fromEntries(
      sides.map((side) => [side.name, { times: [], client: tally(), server: tally(), bytes: 0, errors: 0 }]),
    ),
  ]),
)
for (let done = 0; done < runs; done += block) {
  const size = Math.min(block, runs - done)
  for (const [kind, call] of Object.entries(kinds)) {
    const serverBefore = sides.map((side) => serverSchedule(side.pid()))
    for (let r = 0; r < size; r++) {
      const i = done + r
      for (const side of i % 2 === 0 ? sides : [http, stdio]) {
        const into = results[kind][side.name]
        const clientBefore = clientSchedule("before")
        const started = process.hrtime.bigint()
        const pending = call(side, i)
        if (pending === undefined) continue
        try {
          into.bytes += await pending
        } catch (error) {
          into.errors++
          if (into.errors === 1) console.error(`transport: ${kind} over ${side.name}: ${error}`)
        }
        into.times.push(Number(process.hrtime.bigint() - started) / 1e6)
        addSince(into.client, clientBefore, clientSchedule("after"))
      }
    }
    sides.forEach((side, s) => {
      addSince(results[kind][side.name].server, serverBefore[s], serverSchedule(side.pid()))
    })
  }
}

// The server's own bearer check (TokenFile.matches: two SHA-256 digests and a constant-time
// compare), timed here in-process, since no round trip can tell it apart from the rest.
const { matches } = await import(pathToFileURL(join(root, "packages/core/dist/TokenFile.js")).href)
const { Redacted } = createRequire(join(root, "packages/core/package.json"))("effect")
const secret = Redacted.make(token)
const checks = 20_000
for (let k = 0; k < 1000; k++) matches(secret, token)
const checkStarted = process.hrtime.bigint()
for (let k = 0; k < checks; k++) matches(secret, token)
const tokenCheckUs = Number(process.hrtime.bigint() - checkStarted) / 1e3 / checks

const statusOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8")
  } catch {
    return ""
  }
}
const megabytes = (status, key) =>
  Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024
const memory = Object.fromEntries(
  sides.map((side) => {
    const status = statusOf(side.pid())
    return [side.name, { rssMB: megabytes(status, "VmRSS"), peakRssMB: megabytes(status, "VmHWM") }]
  }),
)
const calls = Object.fromEntries(
  sides.map((side) => [
    side.name,
    Object.values(results).reduce((n, bySide) => n + bySide[side.name].times.length, 0) +
      warmUp * (side === http ? 3 : 2),
  ]),
)
await cleanUp()
const loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)))

// ---------------------------------------------------------------------------------------------
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]
const figures = {}
for (const [kind, bySide] of Object.entries(results)) {
  figures[kind] = {}
  for (const [name, r] of Object.entries(bySide)) {
    if (r.times.length === 0) continue
    const sorted = [...r.times].sort((a, b) => a - b)
    const n = sorted.length
    figures[kind][name] = {
      calls: n,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((a, b) => a + b, 0) / n,
      // per call, means
      clientCpuMs: r.client.runMs / n,
      serverCpuMs: r.server.runMs / n,
      waitMs: (r.client.waitMs + r.server.waitMs) / n,
      timesScheduled: (r.client.slices + r.server.slices) / n,
      answerBytes: r.bytes / n,
      errors: r.errors,
    }
  }
}
const search = figures.list_messages
const ping = figures.ping
const refused = figures["refused (401)"].HTTP
const ratio = { p50: search.HTTP.p50 / search.stdio.p50, p99: search.HTTP.p99 / search.stdio.p99 }

const messages = (() => {
  const Database = createRequire(join(root, "packages/bridge/package.json"))("better-sqlite3")
  const db = new Database(join(storeDir, "messages.db"), { readonly: true })
  const n = db.prepare("SELECT COUNT(*) AS n FROM messages").get().n
  db.close()
  return n
})()
const number = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a")
const signed = (value, digits = 2) => `${value >= 0 ? "+" : ""}${number(value, digits)}`
const columns = [
  ["p50 ms", (f) => number(f.p50)],
  ["p99 ms", (f) => number(f.p99)],
  ["mean ms", (f) => number(f.mean)],
  ["client CPU", (f) => number(f.clientCpuMs)],
  ["server CPU", (f) => number(f.serverCpuMs)],
  ["waited", (f) => number(f.waitMs)],
  ["scheduled", (f) => number(f.timesScheduled, 1)],
  ["bytes", (f) => String(Math.round(f.answerBytes))],
  ["errors", (f) => String(f.errors)],
]
console.log(
  `\nlist_messages with a query (${searchWords.length} searches, in turn) on ${messages.toLocaleString("en")} messages, ${runs} calls per transport, alternating, after ${warmUp} warm-up rounds:`,
)
console.log(`${"call".padEnd(28)}${columns.map(([name]) => name.padStart(11)).join("")}`)
for (const [kind, bySide] of Object.entries(figures))
  for (const [name, f] of Object.entries(bySide))
    console.log(`${`${kind}, ${name}`.padEnd(28)}${columns.map(([, show]) => show(f).padStart(11)).join("")}`)
console.log(
  "(per call, means: CPU ms of this client and of the server, all threads; ms the main threads of both waited for a core, and times they were put on one; the answer's bytes as JSON)",
)
console.log(
  `\nlist_messages HTTP/stdio: p50 ${ratio.p50.toFixed(2)}x (${signed(search.HTTP.p50 - search.stdio.p50)} ms), p99 ${ratio.p99.toFixed(2)}x (${signed(search.HTTP.p99 - search.stdio.p99)} ms)`,
)
console.log(
  `ping HTTP/stdio: p50 ${(ping.HTTP.p50 / ping.stdio.p50).toFixed(2)}x (${signed(ping.HTTP.p50 - ping.stdio.p50)} ms)`,
)
// What HTTP adds to a call, split by where the time goes: the differences of the means.
const minus = (a, b) => ({
  wallMs: a.mean - b.mean,
  clientCpuMs: a.clientCpuMs - b.clientCpuMs,
  serverCpuMs: a.serverCpuMs - b.serverCpuMs,
  waitMs: a.waitMs - b.waitMs,
  timesScheduled: a.timesScheduled - b.timesScheduled,
})
const overStdio = {
  list_messages: minus(search.HTTP, search.stdio),
  ping: minus(ping.HTTP, ping.stdio),
  // The ping over HTTP in two parts: the HTTP exchange a refused request also makes (fetch, Node's
  // HTTP server, the Host, Origin and token checks), and what the SDK's Streamable HTTP adds once the
  // token passed (session lookup, the request handed to the transport, the answer as an SSE stream).
  "ping: HTTP exchange": minus(refused, ping.stdio),
  "ping: Streamable HTTP": minus(ping.HTTP, refused),
}
console.log("\nwhat HTTP adds to a call over stdio (differences of the means):")
for (const [label, d] of Object.entries(overStdio))
  console.log(
    `  ${`${label}:`.padEnd(23)}${signed(d.wallMs)} ms wall; CPU ${signed(d.clientCpuMs)} ms client, ${signed(d.serverCpuMs)} ms server; ${signed(d.waitMs)} ms the main threads waited for a core; scheduled ${signed(d.timesScheduled, 1)} times`,
  )
console.log(`  the bearer token check alone: ${tokenCheckUs.toFixed(1)} µs a request`)
console.log(`answers that differed between the transports: ${differentAnswers} of ${warmUp}`)
for (const side of sides)
  console.log(
    `server RSS over ${side.name} after ${calls[side.name]} calls: ${memory[side.name].rssMB.toFixed(1)} MB (peak ${memory[side.name].peakRssMB.toFixed(1)} MB)`,
  )
console.log(`load average: ${loadAtStart.join(", ")} at start, ${loadAtEnd.join(", ")} at end`)
console.log(`reproduce: ${command}`)
console.log(
  `json: ${JSON.stringify({ messages, runs, warmUp, figures, ratio, overStdio, tokenCheckUs, differentAnswers, calls, memory, loadAtStart, loadAtEnd, command })}`,
)
