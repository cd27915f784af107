// `pnpm demo`: whatsapp-mcp with no phone. Starts the bridge in replay mode on the bundled demo
// recording (a few hundred messages in several chats and languages), moved in time so that its
// last messages arrived a minute ago, and prints the exact MCP client configuration to paste.
// Ctrl-C stops it. A second demo on the same store or port says what runs and touches nothing.
import { spawn, spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const clients = ["claude-desktop", "claude-code", "cursor"]
const usage = `Usage: pnpm demo [--client ${clients.join("|")}] [--port N] [--store DIR]

Starts a bridge in replay mode on the bundled sample conversations (no phone needed) and prints
the configuration to paste into your MCP client. Ctrl-C stops it.
`
const refuse = (status, message) => {
  console.error(`pnpm demo: ${message}`)
  process.exit(status)
}
let values
try {
  values = parseArgs({
    options: {
      port: { type: "string", default: "8080" },
      client: { type: "string", default: "claude-desktop" },
      store: { type: "string", default: join(root, "demo-store") },
      help: { type: "boolean", short: "h" },
    },
  }).values
} catch (error) {
  refuse(2, `${error.message}\n\n${usage}`)
}
if (values.help) {
  console.log(usage)
  process.exit(0)
}
if (!clients.includes(values.client)) refuse(2, `--client must be one of ${clients.join(", ")}`)
const port = Number(values.port)
if (!Number.isInteger(port) || port < 1 || port > 65535)
  refuse(2, `--port must be a port number, not ${values.port}`)
const store = resolve(process.env.INIT_CWD ?? process.cwd(), values.store)

const isRunning = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === "EPERM"
  }
}
const stopHint = (pid) => `stop it with Ctrl-C in its terminal (or \`kill ${pid}\`)`

// One demo per store: its lock is taken before anything in the store is touched, so a second
// demo can never wipe the store (and token) of one that runs.
try {
  mkdirSync(store, { recursive: true, mode: 0o700 })
} catch (error) {
  refuse(2, `--store ${store} cannot be used as the demo's store (${error.code ?? error.message}).`)
}
const lockFile = join(store, "demo.pid")
const lock = JSON.stringify({ pid: process.pid, port })
for (let attempt = 0; ; attempt++) {
  try {
    writeFileSync(lockFile, lock, { flag: "wx", mode: 0o600 })
    break
  } catch (error) {
    if (error.code !== "EEXIST" || attempt > 0) refuse(1, `cannot lock ${lockFile} (${error.message}).`)
    let holder = {}
    try {
      holder = JSON.parse(readFileSync(lockFile, "utf8"))
    } catch {}
    if (Number.isInteger(holder.pid) && holder.pid !== process.pid && isRunning(holder.pid))
      refuse(
        1,
        `a demo is already running on ${store} (process ${holder.pid}, bridge on http://127.0.0.1:${holder.port}). ` +
          `Use that one (its client configuration points at ${join(store, "whatsapp-mcp.config.json")}), ` +
          `or ${stopHint(holder.pid)} before starting another.`,
      )
    rmSync(lockFile, { force: true })
  }
}
const releaseLock = () => {
  try {
    if (readFileSync(lockFile, "utf8") === lock) rmSync(lockFile, { force: true })
  } catch {}
}
const stopBecause = (message) => {
  releaseLock()
  refuse(1, message)
}

// A bridge started by hand on this store holds the bridge's own lock.
try {
  const pid = Number.parseInt(readFileSync(join(store, "bridge.pid"), "utf8").trim(), 10)
  if (Number.isInteger(pid) && pid > 0 && isRunning(pid))
    stopBecause(
      `a bridge (process ${pid}) is already running on ${store}: ${stopHint(pid)}, or give the demo another --store.`,
    )
} catch {}

// The port, before the store is cleared: a busy port must not cost anyone their files.
const portFree = await new Promise((answer) => {
  const probe = createServer()
  probe.once("error", () => answer(false))
  probe.listen(port, "127.0.0.1", () => probe.close(() => answer(true)))
})
if (!portFree)
  stopBecause(
    `127.0.0.1:${port} is already in use (another demo or bridge?). Stop it, or start the demo on another port: \`pnpm demo --port ${port + 1}\`.`,
  )

// A fresh demo every time: the replay bridge records sends, reactions and read marks in the store.
for (const entry of readdirSync(store))
  if (entry !== "demo.pid") rmSync(join(store, entry), { recursive: true, force: true })
const { shiftRecordingToNow } = await import(
  pathToFileURL(join(root, "packages/bridge/dist/recording/RecordingTimeShift.js")).href
)
const recording = join(store, "demo.jsonl")
// The phone's older history goes along, moved by the same amount: the replay bridge holds it back
// until load_older_messages asks for it.
writeFileSync(
  recording,
  shiftRecordingToNow(
    ["demo.jsonl", "demo-older.jsonl"]
      .map((file) => readFileSync(join(root, "fixtures/demo", file), "utf8"))
      .join("\n"),
    Math.floor(Date.now() / 1000),
  ).text,
)
const config = join(store, "whatsapp-mcp.config.json")
writeFileSync(
  config,
  `${JSON.stringify(
    {
      store: ".",
      bridge: { url: `http://127.0.0.1:${port}` },
      plugins: { send: { allowedFileRoots: [join(root, "fixtures/media")] } },
    },
    null,
    2,
  )}\n`,
)

// The questions the demo suggests; packages/server/test/demo.test.ts plays each one, as
// a model would, on the demo's data.
const questions = [
  "What did I miss today?",
  "Which chats have unread messages, and what do they want?",
  "Summarise the family group this week.",
  "Find the address Jürgen sent me.",
  "Find the photo Priya sent and download it.",
  "Reply to Lucía that I'll be there at 8.",
  "Qu'est-ce que Zoé a dit pour dimanche ?",
  "What did Priya and I talk about last year?",
]

const bridge = spawn(
  process.execPath,
  [
    join(root, "packages/bridge/dist/bundle/bridge.mjs"),
    "--replay",
    recording,
    "--store",
    store,
    "--port",
    String(port),
    // The demo recording's photos, voice notes and documents, encrypted as WhatsApp serves them.
    "--media",
    join(root, "fixtures/media"),
    // The folder the MCP server's config allows too: each side checks a file before it is sent.
    "--allowed-file-roots",
    join(root, "fixtures/media"),
    // Lucía writes again a few seconds after start: a live update for clients subscribed to her chat.
    ...["--then", join(root, "fixtures/demo/live.jsonl")],
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
The demo bridge is running on sample data (no phone needed): Sam Rivera's chats with friends and
family in several languages, the latest from a minute ago. Add whatsapp-mcp to your MCP client:

${printedConfig.stdout.trim()}

${printedConfig.stderr.trim()}
(Other clients: pnpm demo --client claude-code | cursor)

Then ask, for example:
${questions.map((question) => `  • "${question}"`).join("\n")}
Everyone writes in their own language (Zoé in French, Jürgen in German, …): a search finds the
words they used, so ask in theirs when you look for something they said.

Sends, reactions and read marks go to the simulated bridge and are stored as your own.
Keep this running while you try it; Ctrl-C stops the demo bridge.
`)
})
const stop = () => bridge.kill("SIGINT")
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
bridge.on("exit", (code) => {
  releaseLock()
  process.exit(code ?? 0)
})
