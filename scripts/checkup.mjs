// `pnpm checkup [--config FILE] [--store DIR]`: checks everything whatsapp-mcp needs, one line per
// check with the fix for each failure; exits 1 if any check failed. Reads the built packages' dist.
// Not called `doctor`: pnpm's own `doctor` command would run instead and report nothing.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const usage = `Usage: pnpm checkup [--config FILE] [--store DIR]

Checks the whole setup (Node, install, build, config, plugins, store, token, bridge, WhatsApp
connection, history sync, ffmpeg), one line per check, with the command that fixes each failure.
Exit status 0 when every check passed. Takes the same --config / --store as \`pnpm mcp\`.
`
let values
try {
  values = parseArgs({
    options: {
      config: { type: "string" },
      store: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }).values
} catch (error) {
  console.error(`checkup: ${error.message}\n\n${usage}`)
  process.exit(2)
}
if (values.help) {
  console.log(usage)
  process.exit(0)
}

let failures = 0
const pass = (name, detail) => console.log(`✓ ${name}: ${detail}`)
const fail = (name, problem, fix) => {
  failures++
  console.log(`✗ ${name}: ${problem}\n    fix: ${fix}`)
}
const note = (name, detail) => console.log(`• ${name}: ${detail}`)
const importDist = (path) => import(pathToFileURL(join(root, path)).href)

// --- Node -----------------------------------------------------------------------------------
const major = Number(process.versions.node.split(".")[0])
if (major >= 20) pass("Node", `v${process.versions.node}`)
else fail("Node", `v${process.versions.node} is too old`, "install Node 20 or newer (https://nodejs.org)")

// --- install --------------------------------------------------------------------------------
const bridgeRequire = createRequire(join(root, "packages/bridge/package.json"))
let Database
if (!existsSync(join(root, "node_modules"))) {
  fail("Install", "node_modules is missing", "run `npx -y pnpm@10.34.9 install` in the repository")
} else {
  try {
    Database = bridgeRequire("better-sqlite3")
    new Database(":memory:").close()
    pass("Install", "dependencies present, better-sqlite3 loads")
  } catch (error) {
    Database = undefined
    fail(
      "Install",
      `better-sqlite3 does not load (${String(error.message).split("\n")[0]})`,
      "run `pnpm rebuild better-sqlite3` (it compiles from source; check it is listed under onlyBuiltDependencies)",
    )
  }
}

// --- built ----------------------------------------------------------------------------------
// What users run, and every built module the checks below import.
const distFiles = [
  "packages/bridge/dist/bundle/bridge.mjs",
  "packages/server/dist/bundle/whatsapp-mcp.mjs",
  "packages/server/dist/host/Config.js",
  "packages/server/dist/host/PluginLoader.js",
  "packages/server/dist/index.js",
  "packages/core/dist/StoreSchema.js",
  "packages/bridge/dist/socket/DisconnectPolicy.js",
]
const missingDist = distFiles.filter((file) => !existsSync(join(root, file)))
const built = missingDist.length === 0
if (built) pass("Build", "dist present")
else fail("Build", `missing ${missingDist.join(", ")}`, "run `pnpm build`")

// --- config ---------------------------------------------------------------------------------
let config
let Config
if (built) {
  Config = await importDist("packages/server/dist/host/Config.js")
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

// --- plugins --------------------------------------------------------------------------------
if (config !== undefined) {
  const [{ Effect, Exit, Cause }, PluginLoader, server] = await Promise.all([
    import(pathToFileURL(createRequire(join(root, "packages/server/package.json")).resolve("effect")).href),
    importDist("packages/server/dist/host/PluginLoader.js"),
    importDist("packages/server/dist/index.js"),
  ])
  const exit = await Effect.runPromiseExit(PluginLoader.loadPlugins(config, server.builtins))
  if (Exit.isSuccess(exit)) pass("Plugins", exit.value.map((loaded) => loaded.key).join(", "))
  else {
    const error = Cause.squash(exit.cause)
    fail(
      "Plugins",
      String(error?.message ?? error),
      'fix or disable the named plugin in the config (`"<name>": false`)',
    )
  }
}

// --- store ----------------------------------------------------------------------------------
const dbFile = join(storeDir, "messages.db")
if (!existsSync(dbFile)) {
  fail(
    "Store",
    `no store at ${dbFile}`,
    `start the bridge once (\`pnpm bridge --store ${storeDir}\`) to create it, or pass --store/--config`,
  )
} else if (Database !== undefined && built) {
  const { StoreSchemaVersion, StoreMigrationsTable } = await importDist("packages/core/dist/StoreSchema.js")
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
    `start the bridge with the same store (\`pnpm bridge --store ${storeDir}\`): it creates the token`,
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
    `start it: \`pnpm bridge --store ${storeDir}\` (or \`pnpm demo\` to try without a phone)`,
  )
}
if (health !== undefined) {
  const { isUnreachable } = built
    ? await importDist("packages/bridge/dist/socket/DisconnectPolicy.js")
    : { isUnreachable: () => false }
  const pairAgain = `pair again: \`pnpm bridge logout --store ${storeDir}\`, then \`pnpm bridge --store ${storeDir}\``
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
      "wait a few seconds for the bridge to reach WhatsApp, then run `pnpm checkup` again",
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
try {
  const ffmpeg = bridgeRequire("@ffmpeg-installer/ffmpeg").path
  const run = spawnSync(ffmpeg, ["-version"], { encoding: "utf8", timeout: 5000 })
  if (run.status === 0) pass("ffmpeg", run.stdout.split("\n")[0] ?? ffmpeg)
  else
    fail(
      "ffmpeg",
      `${ffmpeg} -version failed (${run.error?.message ?? `exit ${run.status}`})`,
      "reinstall: `pnpm install --force` (voice notes need it)",
    )
} catch (error) {
  fail("ffmpeg", `not installed (${String(error.message).split("\n")[0]})`, "run `pnpm install`")
}

console.log(failures === 0 ? "\nAll checks passed." : `\n${failures} check(s) failed.`)
process.exitCode = failures === 0 ? 0 : 1
