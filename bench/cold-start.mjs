// Cold start of the MCP server: from spawning `node …/whatsapp-mcp.js` to the answer to tools/list,
// over real stdio, whole process each run. Prints the median of N runs (default 10).
// With `--compare DIR` (another built checkout, e.g. a worktree of an older commit) it measures
// both builds in the same run, alternating one start of each, so that both see the same machine
// and the same load, and prints both medians.
// Usage: pnpm build && node bench/cold-start.mjs [runs] [--compare DIR]
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"

const usage = "Usage: node bench/cold-start.mjs [runs] [--compare DIR]"
let parsed
try {
  parsed = parseArgs({ options: { compare: { type: "string" } }, allowPositionals: true })
} catch (error) {
  console.error(`cold-start: ${error.message}\n${usage}`)
  process.exit(2)
}
const runs = Number(parsed.positionals[0] ?? 10)
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`cold-start: runs must be a positive integer, got "${parsed.positionals[0]}"\n${usage}`)
  process.exit(2)
}
const binOf = (checkout) => resolve(checkout, "packages/server/dist/bundle/whatsapp-mcp.mjs")
const builds = [{ name: "this checkout", bin: binOf(join(import.meta.dirname, "..")) }]
if (parsed.values.compare !== undefined)
  builds.unshift({ name: resolve(parsed.values.compare), bin: binOf(parsed.values.compare) })
for (const { bin } of builds)
  if (!existsSync(bin)) {
    console.error(`cold-start: ${bin} is missing: run \`pnpm build\` in that checkout first`)
    process.exit(2)
  }
const store = mkdtempSync(join(tmpdir(), "wa-bench-cold-"))
process.on("exit", () => rmSync(store, { recursive: true, force: true }))

const once = (bin) =>
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
          // the next start begins once this one has gone, as a client's next session would
          child.on("exit", () => done(ms))
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

const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b)
  return { runs, medianMs: sorted[Math.floor(sorted.length / 2)], minMs: sorted[0], maxMs: sorted.at(-1) }
}

const times = builds.map(() => [])
for (let i = 0; i < runs; i++)
  for (const [index, { bin }] of builds.entries()) times[index].push(await once(bin))
const results = times.map(summary)

if (builds.length === 1) {
  const [{ medianMs, minMs, maxMs }] = results
  console.log(
    `cold start to tools/list, ${runs} runs: median ${medianMs.toFixed(0)} ms, min ${minMs.toFixed(0)} ms, max ${maxMs.toFixed(0)} ms`,
  )
  console.log("reproduce: pnpm build && node bench/cold-start.mjs 10")
  console.log(`json: ${JSON.stringify(results[0])}`)
} else {
  for (const [index, { name }] of builds.entries()) {
    const { medianMs, minMs, maxMs } = results[index]
    console.log(
      `cold start to tools/list, ${name}, ${runs} runs (alternating): median ${medianMs.toFixed(0)} ms, min ${minMs.toFixed(0)} ms, max ${maxMs.toFixed(0)} ms`,
    )
  }
  console.log(`reproduce: pnpm build && node bench/cold-start.mjs ${runs} --compare ${builds[0].name}`)
  console.log(
    `json: ${JSON.stringify({ compare: results[0], current: results[1], compareDir: builds[0].name })}`,
  )
}
