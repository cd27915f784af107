// Write tools through the full MCP path: `pnpm bridge --replay` on the demo stream (simulated socket)
// and the bundled `whatsapp-mcp` server, each its own process, the server driven over stdio with
// JSON-RPC as a client sends it.
// Prints the send round trip (tools/call send_message → answer, the bridge storing and echoing the
// message) and, with the bridge stopped, how long a write tool takes to fail: the first call (which
// retries with backoff and opens the breaker) and every call after it (breaker open). Never part of
// `pnpm test`.
//
// Usage: pnpm build && node bench/send.mjs [sends] [failures]
//   sends: at most 28, the replay bridge's own limit being 30 sends a minute (default 28)
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const sends = Math.min(Number(process.argv[2] ?? 28), 28)
const failures = Number(process.argv[3] ?? 200)
const root = resolve(import.meta.dirname, "..")
const bin = join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs")
const bridgeBin = join(root, "packages/bridge/dist/bundle/bridge.mjs")
const zoe = "12025550101@s.whatsapp.net"
const zoePhoto = "D0D1550D72AAD8847C63546F22C8E8A0"

const work = mkdtempSync(join(tmpdir(), "wa-bench-send-"))
const storeDir = join(work, "store")
const bridge = spawn(
  process.execPath,
  [bridgeBin, "--replay", join(root, "fixtures/demo/demo.jsonl"), "--store", storeDir, "--port", "0"],
  { stdio: ["ignore", "ignore", "pipe"] },
)
const bridgeExited = new Promise((done) => bridge.once("exit", done))
const url = await new Promise((done, fail) => {
  let log = ""
  bridge.stderr.on("data", (chunk) => {
    log += chunk
    const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1]
    if (found !== undefined) done(found)
  })
  bridge.once("exit", (code) => fail(new Error(`the bridge exited (${code}):\n${log}`)))
})
const token = readFileSync(join(storeDir, "bridge-token"), "utf8").trim()
for (let i = 0; i < 500; i++) {
  const health = await (
    await fetch(`${url}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
  ).json()
  if (health.connection === "open") break
  await new Promise((r) => setTimeout(r, 10))
}

const config = join(work, "whatsapp-mcp.config.json")
writeFileSync(
  config,
  JSON.stringify({ store: storeDir, bridge: { url }, plugins: { send: { sendsPerMinute: 1000 } } }),
)
const child = spawn(process.execPath, [bin, "--config", config], { stdio: ["pipe", "pipe", "ignore"] })
const pending = new Map()
let buffer = ""
let nextId = 1
child.stdout.on("data", (chunk) => {
  buffer += chunk
  let newline = buffer.indexOf("\n")
  while (newline >= 0) {
    const line = buffer.slice(0, newline)
    buffer = buffer.slice(newline + 1)
    newline = buffer.indexOf("\n")
    if (line.trim() === "") continue
    const message = JSON.parse(line)
    pending.get(message.id)?.(message)
    pending.delete(message.id)
  }
})
const request = (method, params) =>
  new Promise((done) => {
    const id = nextId++
    pending.set(id, done)
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`)
  })
await request("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "bench-send", version: "1" },
})
child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)

const timed = async (name, args) => {
  const started = process.hrtime.bigint()
  const answer = await request("tools/call", { name, arguments: args })
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, answer }
}
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const check = (answer, what) => {
  if (answer.error !== undefined || answer.result?.isError === true) {
    throw new Error(`${what} failed: ${JSON.stringify(answer.error ?? answer.result.content)}`)
  }
}

// Warm-up: first statements prepared, first send's keys and sessions made.
check((await timed("send_message", { recipient: zoe, message: "warm-up" })).answer, "warm-up")
const sendTimes = []
for (let i = 0; i < sends; i++) {
  const { ms, answer } = await timed("send_message", { recipient: zoe, message: `bench message ${i + 1}` })
  check(answer, "send_message")
  sendTimes.push(ms)
}
const reactTimes = []
for (let i = 0; i < sends; i++) {
  const { ms, answer } = await timed("send_reaction", {
    chat_jid: zoe,
    message_id: zoePhoto,
    emoji: i % 2 ? "" : "👍",
  })
  check(answer, "send_reaction")
  reactTimes.push(ms)
}

bridge.kill("SIGTERM")
await bridgeExited
const first = await timed("send_message", { recipient: zoe, message: "bridge down" })
const failTimes = []
const readTimes = []
for (let i = 0; i < failures; i++) {
  const { ms, answer } = await timed("send_message", { recipient: zoe, message: "bridge down" })
  if (answer.result?.isError !== true) throw new Error("a send succeeded with the bridge stopped")
  failTimes.push(ms)
  const read = await timed("list_messages", { chat_jid: zoe, limit: 5, include_context: false })
  check(read.answer, "list_messages with the bridge down")
  readTimes.push(read.ms)
}
child.kill()

const row = (label, values) =>
  `${label.padEnd(52)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(values, 99)
    .toFixed(1)
    .padStart(7)} ms   (n=${values.length})`
console.log(`command: node bench/send.mjs ${sends} ${failures}   (node ${process.version})`)
console.log(row("send_message round trip through the replay bridge", sendTimes))
console.log(row("send_reaction round trip through the replay bridge", reactTimes))
console.log(
  `${"bridge stopped: first send_message (retries, opens breaker)".padEnd(52)} ${first.ms.toFixed(1)} ms: ${first.answer.result.content[0].text.slice(0, 60)}…`,
)
console.log(row("bridge stopped, breaker open: send_message fails in", failTimes))
console.log(row("bridge stopped: list_messages still answers in", readTimes))
process.exit(0)
