// `pnpm demo`: whatsapp-mcp with no phone. Starts the bridge in replay mode on the bundled demo
// recording (a few hundred messages in several chats and languages) and prints the exact MCP
// client configuration to paste. Ctrl-C stops it.
import { spawn, spawnSync } from "node:child_process"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    client: { type: "string", default: "claude-desktop" },
    store: { type: "string", default: join(root, "demo-store") },
  },
})
const clients = ["claude-desktop", "claude-code", "cursor"]
if (!clients.includes(values.client)) {
  console.error(`demo: --client must be one of ${clients.join(", ")}`)
  process.exit(2)
}
const store = resolve(process.env.INIT_CWD ?? process.cwd(), values.store)
// A fresh demo every time: the replay bridge records sends, reactions and read marks in the store.
rmSync(store, { recursive: true, force: true })
mkdirSync(store, { recursive: true, mode: 0o700 })
const config = join(store, "whatsapp-mcp.config.json")
writeFileSync(
  config,
  `${JSON.stringify(
    {
      store: ".",
      bridge: { url: `http://127.0.0.1:${values.port}` },
      plugins: { send: { allowedFileRoots: [join(root, "fixtures/media")] } },
    },
    null,
    2,
  )}\n`,
)

const bridge = spawn(
  process.execPath,
  [
    join(root, "packages/bridge/dist/bundle/bridge.mjs"),
    "--replay",
    join(root, "fixtures/demo/demo.jsonl"),
    "--store",
    store,
    "--port",
    values.port,
    // The folder the MCP server's config allows too: each side checks a file before it is sent.
    "--allowed-file-roots",
    join(root, "fixtures/media"),
  ],
  { stdio: ["ignore", "inherit", "pipe"] },
)
let printed = false
let log = ""
bridge.stderr.on("data", (chunk) => {
  process.stderr.write(chunk)
  log += chunk
  if (printed || !/listening on http/.test(log)) return
  printed = true
  const printedConfig = spawnSync(
    process.execPath,
    [
      join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs"),
      "--print-client-config",
      values.client,
      "--config",
      config,
    ],
    { encoding: "utf8" },
  )
  console.log(`
The demo bridge is running on sample data (no phone needed). Add whatsapp-mcp to your MCP client:

${printedConfig.stdout.trim()}

${printedConfig.stderr.trim()}
(Other clients: pnpm demo --client claude-code | cursor)

Then ask, for example:
  • "What did Zoé say about Sunday?"
  • "Which chats have unread messages, and what do they want?"
  • "Summarise the Sunday football group this week."
  • "Find the photo Priya sent and download it."

Sends, reactions and read marks go to the simulated bridge and are stored as your own.
Keep this running while you try it; Ctrl-C stops the demo bridge.
`)
})
const stop = () => bridge.kill("SIGINT")
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
bridge.on("exit", (code) => process.exit(code ?? 0))
