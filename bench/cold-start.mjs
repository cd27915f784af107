// Cold start of the MCP server: from spawning `node …/whatsapp-mcp.js` to the answer to tools/list,
// over real stdio, whole process each run. Prints the median of N runs (default 10).
// Usage: pnpm build && node bench/cold-start.mjs [runs]
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const runs = Number(process.argv[2] ?? 10)
const bin = resolve(import.meta.dirname, "../packages/server/dist/bundle/whatsapp-mcp.mjs")
const store = mkdtempSync(join(tmpdir(), "wa-bench-cold-"))

const once = () =>
  new Promise((done, fail) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [bin, "--store", store], { stdio: ["pipe", "pipe", "ignore"] })
    let buffer = ""
    child.stdout.on("data", (chunk) => {
      buffer += chunk
      for (const line of buffer.split("\n")) {
        if (line.includes('"id":2') && line.includes('"tools"')) {
          const ms = Number(process.hrtime.bigint() - started) / 1e6
          child.kill()
          done(ms)
          return
        }
      }
    })
    child.on("error", fail)
    const send = (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
    send({
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "bench", version: "1" },
      },
    })
    send({ method: "notifications/initialized" })
    send({ id: 2, method: "tools/list" })
  })

const times = []
for (let i = 0; i < runs; i++) times.push(await once())
times.sort((a, b) => a - b)
const median = times[Math.floor(times.length / 2)]
console.log(
  `cold start to tools/list, ${runs} runs: median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms`,
)
console.log("reproduce: pnpm build && node bench/cold-start.mjs 10")
console.log(`json: ${JSON.stringify({ runs, medianMs: median, minMs: times[0], maxMs: times.at(-1) })}`)
