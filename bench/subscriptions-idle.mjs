// The cost of resource subscriptions when nothing happens: two whatsapp-mcp servers on the same demo
// store, in the same run, one with ten subscriptions (nine chats and what needs attention) and one
// with none, both idle. Prints each one's CPU seconds per minute, read from /proc (Linux).
// Usage: pnpm build && node bench/subscriptions-idle.mjs [--seconds 60]
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

const usage = "Usage: node bench/subscriptions-idle.mjs [--seconds 60]"
const fail = (message) => {
  console.error(`subscriptions-idle: ${message}\n${usage}`)
  process.exit(2)
}
let values
try {
  values = parseArgs({ options: { seconds: { type: "string", default: "60" } } }).values
} catch (error) {
  fail(error.message)
}
const seconds = Number(values.seconds)
if (!Number.isInteger(seconds) || seconds <= 0)
  fail(`--seconds must be a positive integer, got "${values.seconds}"`)
if (!existsSync("/proc/self/stat")) fail("it reads each server's CPU time from /proc, which only Linux has")
const root = resolve(import.meta.dirname, "..")
const bin = join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs")
const demo = join(root, "packages/testkit/demo/messages.db")
for (const file of [bin, demo]) if (!existsSync(file)) fail(`${file} is missing: run \`pnpm build\` first`)

const store = mkdtempSync(join(tmpdir(), "wa-bench-subs-"))
copyFileSync(demo, join(store, "messages.db"))
process.on("exit", () => rmSync(store, { recursive: true, force: true }))

/** User plus system CPU seconds of a process so far (fields 14 and 15 of /proc/PID/stat, in ticks). */
const ticksPerSecond = 100
const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}

const start = async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, "--store", store],
    stderr: "ignore",
  })
  const client = new Client({ name: "bench-subscriptions", version: "1.0.0" })
  await client.connect(transport)
  return { client, pid: transport.pid }
}

const idle = await start()
const watching = await start()
const { resources } = await watching.client.listResources()
const uris = [
  ...resources.filter((r) => r.uri.startsWith("whatsapp://chat/")).slice(0, 9),
  ...resources.filter((r) => r.uri === "whatsapp://attention"),
].map((r) => r.uri)
if (uris.length !== 10) fail(`the demo store offers ${uris.length} resources to follow, not 10`)
for (const uri of uris) await watching.client.subscribeResource({ uri })

// Start-up work (code loading, the first queries) is done before the measured minute starts.
await new Promise((done) => setTimeout(done, 3000))
const before = { idle: cpuSeconds(idle.pid), watching: cpuSeconds(watching.pid) }
await new Promise((done) => setTimeout(done, seconds * 1000))
const perMinute = (pid, from) => ((cpuSeconds(pid) - from) * 60) / seconds
const results = {
  idle: perMinute(idle.pid, before.idle),
  watching: perMinute(watching.pid, before.watching),
}
await Promise.all([idle.client.close(), watching.client.close()])

console.log(`idle for ${seconds} s, CPU seconds per minute (user + system, ${ticksPerSecond} ticks/s):`)
console.log(`  no subscriptions:   ${results.idle.toFixed(3)}`)
console.log(`  ten subscriptions:  ${results.watching.toFixed(3)}`)
console.log(`command: pnpm build && node bench/subscriptions-idle.mjs --seconds ${seconds}`)
