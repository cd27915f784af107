// `whatsapp-mcp demo` (in the repository: `pnpm demo`): whatsapp-mcp with no phone. Starts the
// bridge in replay mode on the bundled demo recording (a few hundred messages in several chats and
// languages), moved in time so that its last messages arrived a minute ago, and prints the exact
// MCP client configuration to paste: the one for the command that runs this, as installed.
// Ctrl-C stops it. A second demo on the same store or port says what runs and touches nothing.
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { homedir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
// The demo's recordings and media: fixtures/demo and fixtures/media, copied here by the build.
const demoDir = join(packageDir, "dist/demo")
const media = join(demoDir, "media")
const bridgeBin = createRequire(import.meta.url).resolve("@whatsapp-mcp/bridge/bin")
// In the repository the demo keeps its store beside the checkout, and its messages name the
// repository's command; installed, the store goes in the user's home.
const repository = resolve(packageDir, "../..")
const inRepository = existsSync(join(repository, "pnpm-workspace.yaml"))
const command = inRepository ? "pnpm demo" : "whatsapp-mcp demo"
const defaultStore = inRepository
  ? join(repository, "demo-store")
  : join(homedir(), ".whatsapp-mcp", "demo-store")
const clients = ["claude-desktop", "claude-code", "cursor"]
const usage = `Usage: ${command} [--client ${clients.join("|")}] [--port N] [--store DIR]

Starts a bridge in replay mode on the bundled sample conversations (no phone needed) and prints
the configuration to paste into your MCP client. Ctrl-C stops it.
  --store DIR   where the demo keeps its store (default: ${defaultStore}); emptied at each start
`
const refuse = (status, message) => {
  process.stderr.write(`${command}: ${message}\n`)
  process.exit(status)
}
let values
try {
  values = parseArgs({
    args: process.argv.slice(3),
    options: {
      port: { type: "string", default: "8080" },
      client: { type: "string", default: "claude-desktop" },
      store: { type: "string", default: defaultStore },
      help: { type: "boolean", short: "h" },
    },
  }).values
} catch (error) {
  refuse(2, `${error.message}\n\n${usage}`)
}
if (values.help) {
  process.stdout.write(`${usage}\n`)
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
// The demo empties its store at each start: never a folder that holds anything but a demo's own
// files (a real store typed by mistake would lose its session and history).
const foreign = readdirSync(store).filter((entry) => entry !== "demo.pid")
if (foreign.length > 0 && !foreign.includes("demo.jsonl"))
  refuse(
    2,
    `--store ${store} holds files that are not a demo's (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}): the demo empties its store at each start, so give it a new or empty folder.`,
  )
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
    `127.0.0.1:${port} is already in use (another demo or bridge?). Stop it, or start the demo on another port: \`${command} --port ${port + 1}\`.`,
  )

// A fresh demo every time: the replay bridge records sends, reactions and read marks in the store.
for (const entry of readdirSync(store))
  if (entry !== "demo.pid") rmSync(join(store, entry), { recursive: true, force: true })
const { shiftRecordingToNow } = await import("@whatsapp-mcp/bridge/recording")
const recording = join(store, "demo.jsonl")
// The phone's older history goes along, moved by the same amount: the replay bridge holds it back
// until load_older_messages asks for it.
writeFileSync(
  recording,
  shiftRecordingToNow(
    ["demo.jsonl", "demo-older.jsonl"].map((file) => readFileSync(join(demoDir, file), "utf8")).join("\n"),
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
      plugins: { send: { allowedFileRoots: [media] } },
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
    bridgeBin,
    "--replay",
    recording,
    "--store",
    store,
    "--port",
    String(port),
    // The demo recording's photos, voice notes and documents, encrypted as WhatsApp serves them.
    "--media",
    media,
    // The folder the MCP server's config allows too: each side checks a file before it is sent.
    "--allowed-file-roots",
    media,
    // Lucía writes again a few seconds after start: a live update for clients subscribed to her chat.
    ...["--then", join(demoDir, "live.jsonl")],
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
  // The command that runs this demo, as it was started (installed, through npx, or in the
  // repository), prints the configuration: it knows how it was installed.
  const printedConfig = spawnSync(
    process.execPath,
    [process.argv[1], "--print-client-config", values.client, "--config", config],
    { encoding: "utf8" },
  )
  process.stdout.write(`
The demo bridge is running on sample data (no phone needed): Sam Rivera's chats with friends and
family in several languages, the latest from a minute ago. Add whatsapp-mcp to your MCP client:

${printedConfig.stdout.trim()}

${printedConfig.stderr.trim()}
(Other clients: ${command} --client claude-code | cursor)

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
