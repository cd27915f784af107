// `pnpm test:outside`: the whole path of an outside plugin author and user, from the packed
// tarballs, with npm, in empty directories outside the workspace:
//   1. `pnpm pack:all` into a temporary directory, and the tarballs published to a private registry
//      on 127.0.0.1 (verdaccio, scripts/local-registry.mjs), which passes every other package
//      through to the npm registry; the user's home has only `registry=` in its .npmrc;
//   2. a newcomer's `npm install -g whatsapp-mcp` into an empty prefix: the installed
//      `whatsapp-bridge --replay` on the demo recording the package ships, the installed
//      `whatsapp-mcp doctor` passing every check against it, the installed
//      `whatsapp-mcp --print-client-config` used verbatim by a real MCP client (tools/list, one
//      read, one send), then, with the bridge stopped, its words naming `whatsapp-bridge` (the
//      bridge's usage, a send's error), and a store made by the installed bridge's `ingest`;
//   3. a newcomer's `npx -y whatsapp-mcp demo`: the printed (npx) client configuration used
//      verbatim by a real MCP client, as in 2;
//   4. an author's plugin: `create-whatsapp-mcp-plugin my-plugin --from DIR` (the packed
//      scaffolder, through npm exec), then `npm install`, `npm run typecheck`, `npm test`,
//      `npm run build`; its node_modules must hold neither Baileys nor ffmpeg;
//   5. the globally installed server started by a real MCP client over stdio, loading that plugin
//      by path and then by package name (its packed tarball installed in the user's folder),
//      listing tools and calling the plugin's tool.
// Prints the figures (packages and MB in the plugin's node_modules, scaffold to green test, the
// installs' times) and the command that reproduces them. Nothing but the npm registry is reached:
// better-sqlite3 is compiled from source against the headers of the Node that runs npm.
// Usage: pnpm test:outside [--keep]   (--keep leaves the temporary directories for a look)
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { basename, dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { isDeepStrictEqual, parseArgs, stripVTControlCharacters } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { npmrcFor, startLocalRegistry } from "./local-registry.mjs"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const usage = "Usage: pnpm test:outside [--keep]\n"
let values
try {
  values = parseArgs({ options: { keep: { type: "boolean", default: false } } }).values
} catch (error) {
  console.error(`test:outside: ${error.message}\n\n${usage}`)
  process.exit(2)
}

const work = mkdtempSync(join(tmpdir(), "whatsapp-mcp-outside-"))
const tarballs = join(work, "tarballs")
const userDir = join(work, "user")
// The newcomer's home (its .npmrc names the local registry; npx keeps its cache there) and the
// empty prefix `npm install -g` installs into.
const home = join(work, "home")
const prefix = join(work, "prefix")
const authorDir = join(work, "author")
const pluginName = "my-plugin"
const pluginDir = join(authorDir, pluginName)
const started = Date.now()
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(0)
const say = (line) => process.stderr.write(`test:outside [${seconds(started)} s] ${line}\n`)

class Failure extends Error {}
const fail = (message) => {
  throw new Failure(message)
}
const check = (condition, message) => {
  if (!condition) fail(message)
}

// npm as an outsider runs it, with two settings for a machine that reaches only the npm registry:
// better-sqlite3 skips its attempt to download a prebuilt binary from GitHub and compiles (node-gyp
// finds the headers of the Node that runs it, e.g. /usr/include/node, so it downloads none), and
// no audit or funding requests.
// The npm_* variables this script got from pnpm's run (npm_config_*, npm_package_*, …) are not in
// an outsider's shell, nor a NODE_PATH (pnpm's bins set one that finds the workspace's packages).
const npmEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE_PATH"),
  ),
  npm_config_build_from_source: "better-sqlite3",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
}

// The registry every package but ours comes from, as npm is set up here.
const uplink = execFileSync("npm", ["config", "get", "registry"], { env: npmEnv, encoding: "utf8" }).trim()
// npm as the newcomer runs it: the same machine, with the home whose .npmrc names the local registry.
const userEnv = { ...npmEnv, HOME: home }

const run = (command, args, cwd, what, env = npmEnv) => {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 2 ** 20 })
  // Read as plain text: tools colour their output when they think a terminal is watching (CI=true).
  const output = stripVTControlCharacters(result.stdout)
  if (result.status !== 0)
    fail(
      `${what} failed (\`${command} ${args.join(" ")}\` in ${cwd}, exit ${result.status}):\n${output}${stripVTControlCharacters(result.stderr)}`,
    )
  return output
}

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"))

/** Packages npm installed (what it reports as "added N packages") and their size on disk. */
const footprint = (dir) => {
  const lock = readJson(join(dir, "package-lock.json"))
  // the lockfile also lists other platforms' optional packages, which are not installed
  const packages = Object.keys(lock.packages).filter(
    (path) => path.includes("node_modules/") && existsSync(join(dir, path, "package.json")),
  ).length
  const megabytes = Number(
    execFileSync("du", ["-sm", join(dir, "node_modules")], { encoding: "utf8" }).split("\t")[0],
  )
  return { packages, megabytes }
}

/** Every installed copy of the named packages, at any depth. */
const installedCopies = (dir, names) => {
  const lock = readJson(join(dir, "package-lock.json"))
  return Object.keys(lock.packages).filter((path) =>
    names.some((name) => path.endsWith(`node_modules/${name}`)),
  )
}

/** The integrity npm records for a tarball: its SHA-512 in base64. */
const integrityOf = (file) => `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`

/**
 * Every whatsapp-mcp package in `dir`'s lockfile must be one of this checkout's tarballs, installed
 * from the file (`file:`) or from the local registry (the same bytes: same integrity), and never a
 * registry package that happens to share its name.
 */
const fromOwnPackages = (dir) => {
  const lock = readJson(join(dir, "package-lock.json"))
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)
    if (
      path === "" ||
      !(name.startsWith("@whatsapp-mcp/") || /^(whatsapp-mcp|create-whatsapp-mcp-plugin)$/.test(name))
    )
      continue
    check(
      entry.resolved?.startsWith("file:") || entry.integrity === integrityOf(tarball(name)),
      `${dir}: ${name} was installed from ${entry.resolved ?? "a registry"}, and is not the packed tarball`,
    )
  }
}

/** A module of this checkout's build (pack:all has built it). */
const built = (path) => import(pathToFileURL(join(root, path)).href)

// Named as the scaffolder names them for --from (loaded once pack:all has built it); pack:all checks
// that every package has one version.
let tarballName
const version = readJson(join(root, "packages/core/package.json")).version
const tarball = (name) => join(tarballs, tarballName(name, version))

/** The built-in tools, as the server of this checkout names them. */
const builtinTools = async () => (await built("packages/server/dist/index.js")).builtinToolNames

// ---------------------------------------------------------------------------------------------

/** Step 1: the tarballs, exactly as `pnpm pack:all` writes them. */
const pack = () => {
  say(`pnpm pack:all --out ${tarballs}`)
  // its report (and any warning) goes straight to this script's stderr
  const packed = spawnSync(process.execPath, [join(root, "scripts/pack-all.mjs"), "--out", tarballs], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  })
  check(packed.status === 0, `pnpm pack:all failed (exit ${packed.status}): see its report above`)
  say(`packed: ${readdirSync(tarballs).join(", ")}`)
}

/** Step 1 (continued): the local registry, with every tarball published to it. */
const publish = async () => {
  const since = Date.now()
  say(`local registry: verdaccio on 127.0.0.1, passing other packages through to ${uplink}`)
  const registry = await startLocalRegistry({
    dir: join(work, "registry"),
    uplink,
    env: npmEnv,
    install: (args, cwd) => run("npm", args, cwd, "the local registry's npm install"),
  })
  process.on("exit", registry.stop)
  mkdirSync(home)
  // This machine's own npm settings (where node-gyp finds Node's headers, certificates, …) with
  // the registry pointed here; better-sqlite3 compiles without first trying a download from GitHub.
  const machineFile = execFileSync("npm", ["config", "get", "userconfig"], {
    env: npmEnv,
    encoding: "utf8",
  }).trim()
  const machine = existsSync(machineFile)
    ? readFileSync(machineFile, "utf8")
        .split("\n")
        .filter((line) => !/^\s*(registry\s*=|\/\/.*:_authToken)/.test(line))
    : []
  writeFileSync(
    join(home, ".npmrc"),
    [...machine, "build-from-source=better-sqlite3", npmrcFor(registry)].join("\n"),
  )
  for (const file of readdirSync(tarballs))
    run("npm", ["publish", join(tarballs, file)], work, `npm publish ${file} to the local registry`, userEnv)
  say(`local registry: ${readdirSync(tarballs).length} packages published in ${seconds(since)} s`)
  return registry
}

/** A long-running command of the newcomer's, in its own process group so that all of it stops. */
const startCommand = (command, args, what, env = userEnv) => {
  const child = spawn(command, args, { cwd: work, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (chunk) => {
    output += chunk
  })
  child.stderr.on("data", (chunk) => {
    output += chunk
  })
  let exited = false
  const stop = () => {
    if (exited) return
    exited = true
    try {
      process.kill(-child.pid, "SIGINT")
    } catch {
      // already gone
    }
  }
  process.on("exit", stop)
  /** Resolves with everything it printed once `pattern` shows; fails if it exits first. */
  const until = (pattern) =>
    new Promise((ready, failed) => {
      const look = () => {
        if (pattern.test(stripVTControlCharacters(output))) ready(stripVTControlCharacters(output))
      }
      child.stdout.on("data", look)
      child.stderr.on("data", look)
      child.on("exit", (code) => {
        exited = true
        failed(new Failure(`${what} exited (status ${code}) before it was ready:\n${output}`))
      })
      look()
    })
  const stopped = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once("exit", () => done())
      stop()
    })
  return { until, stopped, output: () => output }
}

const freePort = () =>
  new Promise((answer) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => answer(port))
    })
  })

/** The `whatsapp` server of a printed Claude Desktop configuration. */
const printedServer = (text, what) => {
  try {
    return JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)).mcpServers.whatsapp
  } catch {
    return fail(`${what} printed no client configuration:\n${text}`)
  }
}

/**
 * A real MCP client started with exactly the printed command, arguments and environment (on top of
 * the SDK's default environment, as clients do): tools/list, one read and one send.
 */
const useAsPrinted = async (server, what) => {
  const client = new Client({ name: "newcomer", version: "1.0.0" })
  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args,
    env: { ...getDefaultEnvironment(), ...server.env },
    stderr: "pipe",
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk
  })
  try {
    // The first start through npx installs the package: as long as a compile of better-sqlite3.
    await client.connect(transport, { timeout: 15 * 60_000 })
    const { tools } = await client.listTools()
    const names = tools.map((tool) => tool.name)
    const missing = (await builtinTools()).filter((name) => !names.includes(name))
    check(
      missing.length === 0,
      `${what}: tools/list lacks ${missing.join(", ")} (it has ${names.join(", ")})`,
    )
    const found = await client.callTool({ name: "search_contacts", arguments: { query: "Priya" } })
    const phone = found.structuredContent?.contacts?.[0]?.phone_number
    check(
      found.isError !== true && typeof phone === "string",
      `${what}: search_contacts Priya answered ${JSON.stringify(found.content)}`,
    )
    const sent = await client.callTool({
      name: "send_message",
      arguments: { recipient: phone, message: `Sent through ${what}` },
    })
    check(sent.isError !== true, `${what}: send_message failed: ${JSON.stringify(sent.content)}`)
    return names.length
  } catch (error) {
    if (error instanceof Failure) throw error
    fail(`${what}: ${error instanceof Error ? error.message : String(error)}\nserver stderr:\n${stderr}`)
  } finally {
    await client.close()
  }
}

/**
 * With the bridge stopped, what the installed commands tell the user (and the model relays) names
 * the commands the user has: `whatsapp-bridge`, never the repository's `pnpm bridge`.
 */
const installedWords = async (server, bridgeBin) => {
  const help = spawnSync(process.execPath, [bridgeBin, "--help"], { encoding: "utf8", env: userEnv })
  const usage = `${help.stdout}${help.stderr}`
  check(
    help.status === 0 && /^ {2}whatsapp-bridge --replay FILE/m.test(usage) && !/pnpm/.test(usage),
    `the installed whatsapp-bridge --help does not name itself as installed:\n${usage}`,
  )
  const client = new Client({ name: "newcomer", version: "1.0.0" })
  await client.connect(
    new StdioClientTransport({
      command: server.command,
      args: server.args,
      env: { ...getDefaultEnvironment(), ...server.env },
      stderr: "ignore",
    }),
  )
  try {
    const sent = await client.callTool({
      name: "send_message",
      arguments: { recipient: "+1 202 555 0101", message: "Sent while the bridge is down" },
    })
    const text = sent.content.map((part) => part.text ?? "").join("\n")
    check(
      sent.isError === true && text.includes("`whatsapp-bridge`") && !text.includes("pnpm"),
      `with the bridge stopped, the installed server's send_message did not name \`whatsapp-bridge\`: ${text}`,
    )
  } finally {
    await client.close()
  }
}

/** Step 2: `npm install -g whatsapp-mcp`, the replay bridge and the printed configuration, as installed. */
const newcomerGlobal = async () => {
  const since = Date.now()
  say(`newcomer: npm install -g whatsapp-mcp (prefix ${prefix})`)
  run("npm", ["install", "-g", "whatsapp-mcp"], work, "npm install -g whatsapp-mcp", {
    ...userEnv,
    npm_config_prefix: prefix,
  })
  const installSeconds = Number(seconds(since))
  const bin = (name) => join(prefix, "bin", name)
  const packageDir = join(prefix, "lib/node_modules/whatsapp-mcp")
  const recording = join(packageDir, "dist/demo/demo.jsonl")
  check(existsSync(recording), `the installed whatsapp-mcp ships no demo recording (${recording})`)
  const store = join(work, "newcomer-global")
  const port = await freePort()
  say(`newcomer: whatsapp-bridge --replay ${recording} --port ${port}`)
  const bridge = startCommand(
    bin("whatsapp-bridge"),
    ["--replay", recording, "--store", store, "--port", String(port)],
    "the installed whatsapp-bridge --replay",
  )
  await bridge.until(/listening on http/)
  const config = join(store, "whatsapp-mcp.config.json")
  writeFileSync(config, JSON.stringify({ store: ".", bridge: { url: `http://127.0.0.1:${port}` } }))
  say(`newcomer: whatsapp-mcp doctor --config ${config}`)
  const doctor = run(
    bin("whatsapp-mcp"),
    ["doctor", "--config", config],
    work,
    "the installed whatsapp-mcp doctor",
    userEnv,
  )
  check(
    /^All checks passed\.$/m.test(doctor) && !/^✗/m.test(doctor) && !/pnpm/.test(doctor),
    `the installed whatsapp-mcp doctor did not pass every check in the installed commands' words:\n${doctor}`,
  )
  const printed = run(
    bin("whatsapp-mcp"),
    ["--print-client-config", "claude-desktop", "--config", config],
    work,
    "the installed whatsapp-mcp --print-client-config",
    userEnv,
  )
  const server = printedServer(printed, "whatsapp-mcp --print-client-config")
  check(
    server.command === process.execPath && server.args[0] === bin("whatsapp-mcp"),
    `the installed command printed ${JSON.stringify(server)}: expected ${process.execPath} running ${bin("whatsapp-mcp")}`,
  )
  say("newcomer: an MCP client starts the printed configuration: tools/list, search_contacts, send_message")
  const tools = await useAsPrinted(server, "npm install -g whatsapp-mcp")
  await bridge.stopped()
  say("newcomer: with the bridge stopped, the installed commands name `whatsapp-bridge`")
  await installedWords(server, bin("whatsapp-bridge"))
  // The store the plugin steps read: made by the installed bridge's ingest, as recorded.
  const ingested = join(userDir, "store")
  mkdirSync(userDir)
  writeFileSync(
    join(userDir, "package.json"),
    `${JSON.stringify({ name: "outside-user", private: true }, null, 2)}\n`,
  )
  run(
    bin("whatsapp-bridge"),
    ["ingest", recording, "--store", ingested],
    userDir,
    "the installed bridge's ingest",
    userEnv,
  )
  check(
    existsSync(join(ingested, "messages.db")),
    `the installed bridge's ingest wrote no ${ingested}/messages.db`,
  )
  const megabytes = Number(execFileSync("du", ["-sm", packageDir], { encoding: "utf8" }).split("\t")[0])
  return { installSeconds, megabytes, tools, store: ingested, command: bin("whatsapp-mcp") }
}

/** Step 3: `npx -y whatsapp-mcp demo`, and the npx configuration it prints, used as printed. */
const newcomerNpx = async () => {
  const since = Date.now()
  const store = join(work, "newcomer-npx")
  const port = await freePort()
  say(`newcomer: npx -y whatsapp-mcp demo --store ${store} --port ${port}`)
  const demo = startCommand(
    "npx",
    ["-y", "whatsapp-mcp", "demo", "--store", store, "--port", String(port)],
    "npx -y whatsapp-mcp demo",
  )
  const printed = await demo.until(/Then ask, for example[\s\S]*Ctrl-C stops/)
  const demoSeconds = Number(seconds(since))
  const server = printedServer(printed.slice(printed.indexOf("Add whatsapp-mcp")), "npx -y whatsapp-mcp demo")
  check(
    server.args[0] === "-y" && server.args[1] === `whatsapp-mcp@${version}`,
    `npx -y whatsapp-mcp demo printed ${JSON.stringify(server)}: expected npx -y whatsapp-mcp@${version}`,
  )
  say(`newcomer: an MCP client starts ${[server.command, ...server.args].join(" ")}`)
  // The client runs as the newcomer, whose home holds npm's settings and npx's cache.
  const ownHome = process.env.HOME
  process.env.HOME = home
  const clientSince = Date.now()
  try {
    const tools = await useAsPrinted(server, "npx -y whatsapp-mcp")
    return { demoSeconds, firstClientStartSeconds: Number(seconds(clientSince)), tools }
  } finally {
    process.env.HOME = ownHome
    await demo.stopped()
  }
}

/** The scaffolder's sample tool, called as its own contract test calls it (the demo store in UTC). */
const scaffolded = () => ({
  source: "create-whatsapp-mcp-plugin",
  call: { name: "message_counts", arguments: { after: "2026-03-09", before: "2026-03-16", limit: 3 } },
  expect: (structured) => {
    const first = structured?.chats?.[0]
    check(
      structured?.chats?.length === 3 && first.chat_name === "Sunday football ⚽" && first.messages === 19,
      `message_counts answered ${JSON.stringify(structured)}; the scaffolded test expects Sunday football ⚽ first with 19 messages`,
    )
  },
})

/** Step 4: an author scaffolds, installs, typechecks, tests and builds a plugin. */
const authorPlugin = () => {
  mkdirSync(authorDir)
  const since = Date.now()
  const scaffolder = tarball("create-whatsapp-mcp-plugin")
  check(existsSync(scaffolder), `pack:all wrote no ${scaffolder}`)
  say(`author: create-whatsapp-mcp-plugin ${pluginName} --from ${tarballs}`)
  run(
    "npm",
    [
      "exec",
      "--yes",
      `--package=${scaffolder}`,
      "--",
      "create-whatsapp-mcp-plugin",
      pluginName,
      "--from",
      tarballs,
    ],
    authorDir,
    "the packed scaffolder",
  )
  const plugin = scaffolded()
  say("author: npm install")
  const installSince = Date.now()
  run("npm", ["install"], pluginDir, "the plugin's npm install")
  const installSeconds = Number(seconds(installSince))
  fromOwnPackages(pluginDir)
  const unwanted = installedCopies(pluginDir, ["@whiskeysockets/baileys", "@ffmpeg-installer/ffmpeg"])
  check(
    unwanted.length === 0,
    `the plugin's node_modules holds what a plugin never needs: ${unwanted.join(", ")}`,
  )
  say("author: npm run typecheck")
  run("npm", ["run", "typecheck"], pluginDir, "the plugin's typecheck")
  say("author: npm test")
  const tested = run("npm", ["test"], pluginDir, "the plugin's tests")
  check(
    /Tests\s+\d+ passed/.test(tested) && !/failed/.test(tested),
    `the plugin's tests did not all pass:\n${tested}`,
  )
  const toGreen = Number(seconds(since))
  say("author: npm run build, npm pack")
  run("npm", ["run", "build"], pluginDir, "the plugin's build")
  const packedPlugin = join(
    pluginDir,
    run("npm", ["pack", "--silent"], pluginDir, "npm pack of the plugin").trim().split("\n").at(-1),
  )
  return { ...plugin, ...footprint(pluginDir), installSeconds, toGreen, packedPlugin }
}

/** Step 5: the installed server, over stdio, loads the plugin and answers through it. */
const serve = async (command, store, pluginKey, plugin) => {
  const config = join(userDir, `whatsapp-mcp.${pluginKey === pluginName ? "by-name" : "by-path"}.json`)
  writeFileSync(config, JSON.stringify({ store, timezone: "UTC", plugins: { [pluginKey]: true } }, null, 2))
  const client = new Client({ name: "outside-author", version: "1.0.0" })
  const transport = new StdioClientTransport({
    command,
    args: ["--config", config],
    cwd: userDir,
    stderr: "pipe",
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk
  })
  try {
    await client.connect(transport)
    const { tools } = await client.listTools()
    const names = tools.map((tool) => tool.name)
    const missing = [plugin.call.name, ...(await builtinTools())].filter((name) => !names.includes(name))
    check(
      missing.length === 0,
      `loaded ${pluginKey}: tools/list lacks ${missing.join(", ")} (it has ${names.join(", ")})`,
    )
    const snapshot = join(pluginDir, "test/__toolsnaps__", `${plugin.call.name}.snap.json`)
    if (existsSync(snapshot)) {
      const served = tools.find((tool) => tool.name === plugin.call.name)
      check(
        isDeepStrictEqual(served, readJson(snapshot)),
        `loaded ${pluginKey}: the served definition of ${plugin.call.name} differs from the plugin's own toolsnap`,
      )
    }
    const result = await client.callTool(plugin.call)
    check(
      result.isError !== true,
      `loaded ${pluginKey}: ${plugin.call.name} failed: ${JSON.stringify(result.content)}`,
    )
    plugin.expect(result.structuredContent)
    return result
  } catch (error) {
    if (error instanceof Failure) throw error
    fail(
      `loaded ${pluginKey}: ${error instanceof Error ? error.message : String(error)}\nserver stderr:\n${stderr}`,
    )
  } finally {
    await client.close()
  }
}

try {
  pack()
  ;({ tarballName } = await built("packages/create-plugin/dist/CreatePlugin.js"))
  const registry = await publish()
  const global = await newcomerGlobal()
  const npx = await newcomerNpx()
  const plugin = authorPlugin()
  say(
    `author: ${plugin.packages} packages, ${plugin.megabytes} MB in node_modules; scaffold to green test ${plugin.toGreen} s`,
  )

  say(`user: whatsapp-mcp loads ${pluginDir} by path`)
  const byPath = await serve(global.command, global.store, pluginDir, plugin)
  say(
    `user: npm install ${basename(plugin.packedPlugin)}, then whatsapp-mcp loads ${pluginName} by package name`,
  )
  run(
    "npm",
    ["install", plugin.packedPlugin],
    userDir,
    "the user's npm install of the plugin's tarball",
    userEnv,
  )
  fromOwnPackages(userDir)
  const byName = await serve(global.command, global.store, pluginName, plugin)
  check(
    isDeepStrictEqual(byPath, byName),
    `the plugin answered differently by path and by package name:\n${JSON.stringify(byPath)}\n${JSON.stringify(byName)}`,
  )

  const figures = {
    plugin: plugin.source,
    pluginNodeModules: { packages: plugin.packages, megabytes: plugin.megabytes },
    baseline: { packages: 348, megabytes: 339 },
    scaffoldToGreenTestSeconds: plugin.toGreen,
    pluginNpmInstallSeconds: plugin.installSeconds,
    globalInstall: { seconds: global.installSeconds, megabytes: global.megabytes },
    npxDemoSeconds: npx.demoSeconds,
    npxFirstClientStartSeconds: npx.firstClientStartSeconds,
    totalSeconds: Number(seconds(started)),
  }
  process.stdout.write(
    [
      `outside author (${plugin.source}): node_modules ${plugin.packages} packages, ${plugin.megabytes} MB (before the package split: 348 packages, 339 MB); no Baileys, no ffmpeg`,
      `scaffold to green test: ${plugin.toGreen} s (npm install ${plugin.installSeconds} s, better-sqlite3 compiled from source)`,
      `npm install -g whatsapp-mcp: ${global.megabytes} MB, ${global.installSeconds} s; against the installed bridge --replay, the installed doctor passed every check and the printed configuration served ${global.tools} tools, a read and a send`,
      `npx -y whatsapp-mcp demo: ready in ${npx.demoSeconds} s; its printed npx configuration started by a client in ${npx.firstClientStartSeconds} s (npx installs it again under the pinned version) and served ${npx.tools} tools, a read and a send`,
      `the installed whatsapp-mcp served ${plugin.call.name} loaded by path and by package name: same answer`,
      `reproduce: pnpm test:outside`,
      `json: ${JSON.stringify(figures)}`,
      "",
    ].join("\n"),
  )
  // the registry's output pipes would keep this script waiting
  registry.stop()
  if (!values.keep) rmSync(work, { recursive: true, force: true })
  else say(`kept ${work}`)
} catch (error) {
  console.error(`test:outside: ${error instanceof Failure ? error.message : (error?.stack ?? String(error))}`)
  console.error(`test:outside: the directories are kept for a look: ${work}`)
  process.exit(1)
}
