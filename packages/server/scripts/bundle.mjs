// Bundles the MCP server. Users' MCP clients start the server for every session, and loading
// effect, the MCP SDK and the plugins as hundreds of separate modules costs about a second on a
// small machine; one tree-shaken file starts in a fraction of that, and V8's code cache of it
// (made here by starting the server once) removes most of what is left: parsing and compiling.
// - dist/bundle/whatsapp-mcp.cjs: the server (src/main.ts), one CommonJS file (V8 caches scripts, not modules);
// - dist/bundle/whatsapp-mcp.mjs: what users run, which starts it through the cache (src/bin/whatsapp-mcp.ts);
// - dist/bundle/whatsapp-mcp.<build>.node-<version>-<arch>.v8cache: the cache.
// better-sqlite3 stays external: it is a native addon.
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"

const dist = new URL("../dist", import.meta.url).pathname
const outdir = join(dist, "bundle")
// caches belong to one build: clear the old ones
rmSync(outdir, { recursive: true, force: true })

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  external: ["better-sqlite3"],
  legalComments: "none",
  minify: true,
  logLevel: "warning",
}

await build({
  ...common,
  entryPoints: [join(dist, "main.js")],
  outfile: join(outdir, "whatsapp-mcp.cjs"),
  format: "cjs",
  sourcemap: "linked",
  keepNames: false,
  // a bundled dependency reads import.meta.url to find an optional native part
  define: { "import.meta.url": "__bundle_url" },
  banner: { js: 'var __bundle_url = require("node:url").pathToFileURL(__filename).href;' },
})

const id = createHash("sha256")
  .update(readFileSync(join(outdir, "whatsapp-mcp.cjs")))
  .digest("hex")
  .slice(0, 16)

await build({
  ...common,
  entryPoints: [join(dist, "bin/whatsapp-mcp.js")],
  outfile: join(outdir, "whatsapp-mcp.mjs"),
  format: "esm",
  define: { __SERVER_BUNDLE_ID__: JSON.stringify(id) },
})

// Start the server once, on an empty store, through what a client asks first; it writes the cache
// as it stops. Its own configuration file keeps the user's (or WHATSAPP_MCP_CONFIG) out of it. If
// this fails the server still works, only its first start is slower.
const store = mkdtempSync(join(tmpdir(), "whatsapp-mcp-warm-"))
const config = join(store, "whatsapp-mcp.config.json")
writeFileSync(config, JSON.stringify({ store }))
const warmed = await new Promise((done) => {
  const child = spawn(process.execPath, [join(outdir, "whatsapp-mcp.mjs"), "--config", config], {
    stdio: ["pipe", "pipe", "ignore"],
  })
  const timer = setTimeout(() => child.kill(), 30_000)
  let answers = ""
  child.stdout.on("data", (chunk) => {
    answers += chunk
    if (answers.includes('"id":2')) child.stdin.end()
  })
  child.on("error", () => done(false))
  child.on("exit", () => {
    clearTimeout(timer)
    done(answers.includes('"id":2') && readdirSync(outdir).some((file) => file.endsWith(".v8cache")))
  })
  const send = (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
  send({
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "build", version: "1" } },
  })
  send({ method: "notifications/initialized" })
  send({ id: 2, method: "tools/list" })
})
rmSync(store, { recursive: true, force: true })
if (!warmed)
  process.stderr.write(
    "server bundle: could not make its code cache; the server will make it on its first start\n",
  )
