// `whatsapp-mcp doctor [--config FILE] [--store DIR]` (alias `checkup`; in the repository:
// `pnpm checkup`): checks everything whatsapp-mcp needs, one line per check with the fix for each
// failure, in the commands of the form in use; exits 1 if any check failed. Reaches every module
// through the installed packages (never the repository's layout), so that the same file serves an
// npm install and the repository. The repository calls it checkup: there, a doctor script would
// be shadowed by pnpm's built-in command of that name, which reports nothing.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
// In the repository the fixes name its scripts; installed, the installed commands.
const repository = resolve(packageDir, "../..")
const inRepository = existsSync(join(repository, "pnpm-workspace.yaml"))
const commands = inRepository
  ? {
      doctor: "pnpm checkup",
      bridge: "pnpm bridge",
      demo: "pnpm demo",
      mcp: "pnpm mcp",
      reinstall: "pnpm install",
    }
  : {
      doctor: "whatsapp-mcp doctor",
      bridge: "whatsapp-bridge",
      demo: "whatsapp-mcp demo",
      mcp: "whatsapp-mcp",
      reinstall: "npm install -g whatsapp-mcp",
    }
const usage = `Usage: ${commands.doctor} [--config FILE] [--store DIR]

Checks the whole setup (Node, install,${inRepository ? " build," : ""} config, plugins, store, token, bridge,
WhatsApp connection, history sync, ffmpeg), one line per check, with the command that fixes each
failure. Exit status 0 when every check passed. Takes the same --config / --store as \`${commands.mcp}\`.
`
const say = (text) => process.stdout.write(`${text}\n`)
let values
try {
  values = parseArgs({
    args: process.argv.slice(3),
    options: {
      config: { type: "string" },
      store: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }).values
} catch (error) {
  console.error(`${commands.doctor}: ${error.message}\n\n${usage}`)
  process.exit(2)
}
if (values.help) {
  say(usage)
  process.exit(0)
}

let failures = 0
const pass = (name, detail) => say(`✓ ${name}: ${detail}`)
const fail = (name, problem, fix) => {
  failures++
  say(`✗ ${name}: ${problem}\n    fix: ${fix}`)
}
const note = (name, detail) => say(`• ${name}: ${detail}`)
const firstLine = (error) => String(error?.message ?? error).split("\n")[0]

// --- the modules the checks use ---------------------------------------------------------------
// Each through the package that depends on it: the server's host, core's store schema and
// better-sqlite3 through the server; ffmpeg and the disconnect policy through the bridge. One that
// does not load is a failed check below, never a crash.
const ownRequire = createRequire(import.meta.url)
const unloadable = []
const attempt = async (what, load) => {
  try {
    return await load()
  } catch (error) {
    unloadable.push(`${what} (${firstLine(error)})`)
    return undefined
  }
}
const importFile = (file) => import(pathToFileURL(file).href)
const resolvedFile = (require, specifier) => {
  const file = require.resolve(specifier)
  if (!existsSync(file)) throw new Error(`${file} does not exist`)
  return file
}
const serverBin = await attempt("@whatsapp-mcp/server/bin", () =>
  resolvedFile(ownRequire, "@whatsapp-mcp/server/bin"),
)
const bridgeBin = await attempt("@whatsapp-mcp/bridge/bin", () =>
  resolvedFile(ownRequire, "@whatsapp-mcp/bridge/bin"),
)
const hostFile = await attempt("@whatsapp-mcp/server/host", () =>
  resolvedFile(ownRequire, "@whatsapp-mcp/server/host"),
)
const host = hostFile === undefined ? undefined : await attempt(hostFile, () => importFile(hostFile))
const serverRequire = hostFile === undefined ? undefined : createRequire(hostFile)
const storeSchema =
  serverRequire === undefined
    ? undefined
    : await attempt("@whatsapp-mcp/core/store", () =>
        importFile(resolvedFile(serverRequire, "@whatsapp-mcp/core/store")),
      )
const disconnectPolicy = await attempt("@whatsapp-mcp/bridge/disconnect-policy", () =>
  importFile(resolvedFile(ownRequire, "@whatsapp-mcp/bridge/disconnect-policy")),
)
const bridgeRequire = bridgeBin === undefined ? undefined : createRequire(bridgeBin)

let Database
let databaseProblem = "the server package is missing"
if (serverRequire !== undefined) {
  try {
    Database = serverRequire("better-sqlite3")
    new Database(":memory:").close()
  } catch (error) {
    Database = undefined
    databaseProblem = `better-sqlite3 does not load (${firstLine(error)})`
  }
}

// --- Node -----------------------------------------------------------------------------------
const major = Number(process.versions.node.split(".")[0])
if (major >= 20) pass("Node", `v${process.versions.node}`)
else fail("Node", `v${process.versions.node} is too old`, "install Node 20 or newer (https://nodejs.org)")

// --- install and build ----------------------------------------------------------------------
if (inRepository) {
  if (!existsSync(join(repository, "node_modules")))
    fail("Install", "node_modules is missing", "run `npx -y pnpm@10.34.9 install` in the repository")
  else if (Database === undefined)
    fail(
      "Install",
      databaseProblem,
      "run `pnpm rebuild better-sqlite3` (it compiles from source; check it is listed under onlyBuiltDependencies)",
    )
  else pass("Install", "dependencies present, better-sqlite3 loads")
  // What users run, and every built module the checks below load.
  if (unloadable.length === 0) pass("Build", "dist present")
  else fail("Build", `cannot load ${unloadable.join(", ")}`, "run `pnpm build`")
} else if (unloadable.length > 0)
  fail(
    "Install",
    `cannot load ${unloadable.join(", ")}`,
    `reinstall: \`${commands.reinstall}\` (or npm install in the folder it was installed in)`,
  )
else if (Database === undefined)
  fail(
    "Install",
    databaseProblem,
    `reinstall: \`${commands.reinstall}\` (better-sqlite3 compiles on install: it needs a C++ tool chain where no prebuilt binary fits)`,
  )
else pass("Install", `whatsapp-mcp in ${packageDir}, better-sqlite3 loads`)

// --- config ---------------------------------------------------------------------------------
let config
const Config = host?.Config
if (Config !== undefined) {
  const loaded = Config.load({
    configFlag: values.config,
    storeFlag: values.store,
    env: process.env,
    cwd: process.cwd(),
  })
  if (loaded._tag === "Right") {
    config = loaded.right
    pass("Config", config.file === undefined ? "no config file, defaults everywhere" : config.file)
  } else {
    fail(
      "Config",
      loaded.left.message.replaceAll("\n", "\n    "),
      "correct the named key (the schema is whatsapp-mcp.config.schema.json), or pass another file with --config",
    )
  }
}
// Checks below still run on the defaults when the config is broken, so one run shows everything.
const storeDir =
  config?.storeDir ?? resolve(process.cwd(), values.store ?? process.env.WHATSAPP_MCP_STORE ?? "store")
const tokenFile = config?.tokenFile ?? join(storeDir, "bridge-token")
// The token goes with the health check: an environment URL the config did not vouch for is used only on this machine.
const envBridgeUrl = process.env.WHATSAPP_MCP_BRIDGE_URL
const bridgeUrl =
  config?.bridgeUrl ??
  (envBridgeUrl !== undefined &&
  URL.canParse(envBridgeUrl) &&
  Config?.isLoopbackHost(new URL(envBridgeUrl).hostname) === true
    ? envBridgeUrl
    : "http://127.0.0.1:8080")
const bridgeCommand = `${commands.bridge} --store ${storeDir}`

// --- plugins --------------------------------------------------------------------------------
// What a client meets: the server started as a client starts it, with the same --config/--store,
// and asked for its tools. The built-in plugins live only inside the installed server's bundle.
if (config !== undefined && serverBin !== undefined) {
  const started = await attempt("@modelcontextprotocol/sdk", async () => {
    const [{ Client }, { StdioClientTransport }] = await Promise.all([
      import("@modelcontextprotocol/sdk/client/index.js"),
      import("@modelcontextprotocol/sdk/client/stdio.js"),
    ])
    return { Client, StdioClientTransport }
  })
  if (started === undefined) {
    fail(
      "Plugins",
      `cannot start an MCP client: ${unloadable.at(-1)}`,
      inRepository ? `run \`${commands.reinstall}\`` : `reinstall: \`${commands.reinstall}\``,
    )
  } else {
    const { Client, StdioClientTransport } = started
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        join(packageDir, "bin/whatsapp-mcp.mjs"),
        ...(values.config === undefined ? [] : ["--config", values.config]),
        ...(values.store === undefined ? [] : ["--store", values.store]),
      ],
      env: Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined)),
      cwd: process.cwd(),
      stderr: "pipe",
    })
    let stderr = ""
    transport.stderr?.on("data", (chunk) => {
      stderr += chunk
    })
    const client = new Client({ name: "whatsapp-mcp-doctor", version: "1.0.0" })
    // Generous for a loaded machine; the server starts in about a second.
    const timeout = 30_000
    try {
      await client.connect(transport, { timeout })
      const { tools } = await client.listTools(undefined, { timeout })
      const names = tools.map((tool) => tool.name)
      pass("Plugins", `serves ${names.length} tools (${names.join(", ")})`)
    } catch (error) {
      // The server's own words: its last line on stderr names the plugin and what went wrong.
      const said = stderr
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .at(-1)
      fail(
        "Plugins",
        said ?? `the server did not answer (${firstLine(error)})`,
        'fix or disable the named plugin in the config (`"<name>": false`)',
      )
    } finally {
      await client.close()
    }
  }
}

// --- store ----------------------------------------------------------------------------------
const dbFile = join(storeDir, "messages.db")
if (!existsSync(dbFile)) {
  fail(
    "Store",
    `no store at ${dbFile}`,
    `start the bridge once (\`${bridgeCommand}\`) to create it, or pass --store/--config`,
  )
} else if (Database !== undefined && storeSchema !== undefined) {
  const { StoreSchemaVersion, StoreMigrationsTable } = storeSchema
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true })
    try {
      const row = db.prepare(`SELECT MAX(migration_id) AS version FROM ${StoreMigrationsTable}`).get()
      const version = row?.version ?? 0
      if (version >= StoreSchemaVersion) pass("Store", `${dbFile} (schema ${version})`)
      else
        fail(
          "Store",
          `schema ${version}, this version needs ${StoreSchemaVersion}`,
          "restart the bridge: it migrates the store on start",
        )
    } finally {
      db.close()
    }
  } catch (error) {
    fail(
      "Store",
      `${dbFile} cannot be read (${String(error.message)})`,
      "restart the bridge: it creates and migrates the store",
    )
  }
}

// --- token ----------------------------------------------------------------------------------
let token
try {
  const mode = statSync(tokenFile).mode & 0o777
  token = readFileSync(tokenFile, "utf8").trim()
  if ((mode & 0o077) !== 0)
    fail(
      "Token",
      `${tokenFile} is readable by others (mode ${mode.toString(8)})`,
      `run \`chmod 600 ${tokenFile}\``,
    )
  else if (token === "")
    fail("Token", `${tokenFile} is empty`, "delete it and restart the bridge: it writes a new one")
  else pass("Token", `${tokenFile} (mode 600)`)
} catch (error) {
  token = undefined
  fail(
    "Token",
    error.code === "ENOENT" ? `${tokenFile} does not exist` : `${tokenFile} cannot be read (${error.code})`,
    `start the bridge with the same store (\`${bridgeCommand}\`): it creates the token`,
  )
}

// --- bridge and WhatsApp --------------------------------------------------------------------
let health
try {
  const response = await fetch(new URL("/v1/health", bridgeUrl), {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    // Generous for a loaded machine; a healthy bridge answers in milliseconds.
    signal: AbortSignal.timeout(3000),
  })
  if (response.status === 401)
    fail(
      "Bridge",
      `${bridgeUrl} refused the token`,
      "the bridge runs on another store: point --store/--config at the store the bridge uses",
    )
  else if (!response.ok)
    fail(
      "Bridge",
      `${bridgeUrl} answered HTTP ${response.status}`,
      "check that the port belongs to whatsapp-bridge",
    )
  else {
    health = await response.json()
    pass("Bridge", `${bridgeUrl} (${health.mode})`)
  }
} catch (error) {
  fail(
    "Bridge",
    `nothing answers at ${bridgeUrl} (${error.cause?.code ?? error.name})`,
    `start it: \`${bridgeCommand}\` (or \`${commands.demo}\` to try without a phone)`,
  )
}
if (health !== undefined) {
  // Without the bridge's policy (reported above as not loadable) no close counts as unreachable.
  const isUnreachable = disconnectPolicy?.isUnreachable ?? (() => false)
  const pairAgain = `pair again: \`${commands.bridge} logout --store ${storeDir}\`, then \`${bridgeCommand}\``
  const last = health.last_disconnect
  const state = `${health.connection}${health.detail ? `: ${health.detail}` : ""}`
  if (health.connection === "open") pass("WhatsApp", `connected as ${health.own_jid ?? "(replay)"}`)
  else if (health.connection === "logged_out") fail("WhatsApp", `not linked (logged_out)`, pairAgain)
  else if (health.connection === "outdated")
    fail(
      "WhatsApp",
      state,
      "update whatsapp-mcp to its newest release (it brings a newer Baileys), then restart the bridge",
    )
  else if (
    health.connection === "replaced" ||
    health.connection === "failed" ||
    health.connection === "stopped"
  )
    fail("WhatsApp", state, "follow what it says, then restart the bridge")
  else if (last !== null && isUnreachable(last.code, last.reason))
    fail(
      "WhatsApp",
      `cannot reach WhatsApp (${last.code ?? "no code"}: ${last.reason})`,
      "check this machine's network connection (the bridge retries by itself and prints each attempt)",
    )
  else if (health.pairing === "awaiting_qr")
    fail(
      "WhatsApp",
      "not linked yet: a QR code is waiting to be scanned",
      `scan the QR code in the bridge's terminal (also saved as ${join(storeDir, "pairing-qr.png")}): WhatsApp > Settings > Linked devices > Link a device`,
    )
  else if (health.pairing === "awaiting_pairing_code")
    fail(
      "WhatsApp",
      "not linked yet: a pairing code is waiting to be entered",
      'enter the code the bridge printed: WhatsApp > Settings > Linked devices > Link a device > "Link with phone number instead"',
    )
  else if (last !== null)
    fail(
      "WhatsApp",
      state,
      "the bridge reconnects by itself; if this lasts, read its terminal or log for why",
    )
  else
    fail(
      "WhatsApp",
      `${health.connection}, not linked yet (${health.pairing})`,
      `wait a few seconds for the bridge to reach WhatsApp, then run \`${commands.doctor}\` again`,
    )
  if (typeof health.link_warning === "string")
    fail(
      "WhatsApp link",
      `may expire soon: ${health.link_warning}`,
      "open WhatsApp on the phone with a network connection; the warning clears once WhatsApp sends anything",
    )
  const version = health.wa_web_version
  if (version !== undefined && version !== null) {
    const from = {
      whatsapp: "as WhatsApp named it at start",
      stored: "the last one that worked: WhatsApp could not be asked",
      baileys: "Baileys' built-in one: WhatsApp could not be asked and none was stored",
    }[version.source]
    const line = `${version.version} (${from ?? version.source})`
    if (version.source === "whatsapp") pass("WhatsApp Web version", line)
    else note("WhatsApp Web version", line)
  }
  const sync = health.history_sync
  const counts = `${health.store.chats} chats, ${health.store.messages} messages`
  if (sync.active)
    note("History sync", `in progress${sync.progress === null ? "" : ` ${sync.progress}%`}, ${counts} so far`)
  else pass("History sync", `idle, ${counts} stored`)
}

// --- ffmpeg ---------------------------------------------------------------------------------
const reinstallFfmpeg = inRepository ? "`pnpm install --force`" : `\`${commands.reinstall}\``
try {
  if (bridgeRequire === undefined) throw new Error("the bridge package is missing")
  const ffmpeg = bridgeRequire("@ffmpeg-installer/ffmpeg").path
  const run = spawnSync(ffmpeg, ["-version"], { encoding: "utf8", timeout: 5000 })
  if (run.status === 0) pass("ffmpeg", run.stdout.split("\n")[0] ?? ffmpeg)
  else
    fail(
      "ffmpeg",
      `${ffmpeg} -version failed (${run.error?.message ?? `exit ${run.status}`})`,
      `reinstall: ${reinstallFfmpeg} (voice notes need it)`,
    )
} catch (error) {
  fail(
    "ffmpeg",
    `not installed (${firstLine(error)})`,
    inRepository ? `run \`${commands.reinstall}\`` : `reinstall: \`${commands.reinstall}\``,
  )
}

say(failures === 0 ? "\nAll checks passed." : `\n${failures} check(s) failed.`)
process.exitCode = failures === 0 ? 0 : 1
