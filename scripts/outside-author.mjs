// `pnpm test:outside`: the whole path of an outside plugin author and user, from the packed
// tarballs, with npm, in empty directories outside the workspace:
//   1. `pnpm pack:all` into a temporary directory;
//   2. a user's install: `npm install` of the server's and the bridge's tarballs, and a demo store
//      made by the installed bridge's `ingest` from fixtures/demo;
//   3. an author's plugin: `create-whatsapp-mcp-plugin my-plugin --from DIR` (the packed
//      scaffolder, through npm exec), then `npm install`, `npm run typecheck`, `npm test`,
//      `npm run build`; its node_modules must hold neither Baileys nor ffmpeg;
//   4. the installed server's bin started by a real MCP client over stdio, loading that plugin by
//      path and then by package name (its own packed tarball installed beside the server), listing
//      tools and calling the plugin's tool.
// Prints the figures (packages and MB in the plugin's node_modules, scaffold to green test, the
// server's install) and the command that reproduces them. Nothing but the npm registry is
// reached: better-sqlite3 is compiled from source against the headers of the Node that runs npm.
// Usage: pnpm test:outside [--keep]   (--keep leaves the temporary directories for a look)
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { isDeepStrictEqual, parseArgs, stripVTControlCharacters } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

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
// an outsider's shell.
const npmEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  npm_config_build_from_source: "better-sqlite3",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
}

const run = (command, args, cwd, what) => {
  const result = spawnSync(command, args, { cwd, env: npmEnv, encoding: "utf8", maxBuffer: 64 * 2 ** 20 })
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

/** Every whatsapp-mcp package must come from the tarballs: never from a registry package that happens to share its name. */
const fromTarballsOnly = (dir) => {
  const lock = readJson(join(dir, "package-lock.json"))
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)
    if (
      path === "" ||
      !(name.startsWith("@whatsapp-mcp/") || /^(whatsapp-mcp|create-whatsapp-mcp-plugin)$/.test(name))
    )
      continue
    check(
      typeof entry.resolved === "string" && entry.resolved.startsWith("file:"),
      `${dir}: ${name} was installed from ${entry.resolved ?? "the registry"}, not from the packed tarballs`,
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

/** Step 2: a user installs the server and the bridge, and makes a store from the demo recording. */
const installUser = () => {
  mkdirSync(userDir)
  writeFileSync(
    join(userDir, "package.json"),
    `${JSON.stringify({ name: "outside-user", private: true }, null, 2)}\n`,
  )
  const since = Date.now()
  say("user: npm install whatsapp-mcp and @whatsapp-mcp/bridge from the tarballs")
  run(
    "npm",
    [
      "install",
      ...["whatsapp-mcp", "@whatsapp-mcp/bridge", "@whatsapp-mcp/core", "@whatsapp-mcp/runtime"].map(tarball),
    ],
    userDir,
    "the user's npm install",
  )
  fromTarballsOnly(userDir)
  const installed = { ...footprint(userDir), seconds: Number(seconds(since)) }
  say(`user: ${installed.packages} packages, ${installed.megabytes} MB, in ${installed.seconds} s`)
  const store = join(userDir, "store")
  run(
    join(userDir, "node_modules/.bin/whatsapp-bridge"),
    ["ingest", join(root, "fixtures/demo/demo.jsonl"), "--store", store],
    userDir,
    "the installed bridge's ingest of fixtures/demo",
  )
  check(existsSync(join(store, "messages.db")), `the installed bridge's ingest wrote no ${store}/messages.db`)
  return { installed, store }
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

/** Step 3: an author scaffolds, installs, typechecks, tests and builds a plugin. */
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
  fromTarballsOnly(pluginDir)
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

/** Step 4: the installed server, over stdio, loads the plugin and answers through it. */
const serve = async (store, pluginKey, plugin) => {
  const config = join(userDir, `whatsapp-mcp.${pluginKey === pluginName ? "by-name" : "by-path"}.json`)
  writeFileSync(config, JSON.stringify({ store, timezone: "UTC", plugins: { [pluginKey]: true } }, null, 2))
  const client = new Client({ name: "outside-author", version: "1.0.0" })
  const transport = new StdioClientTransport({
    command: join(userDir, "node_modules/.bin/whatsapp-mcp"),
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
  const { installed, store } = installUser()
  const plugin = authorPlugin()
  say(
    `author: ${plugin.packages} packages, ${plugin.megabytes} MB in node_modules; scaffold to green test ${plugin.toGreen} s`,
  )

  say(`user: whatsapp-mcp loads ${pluginDir} by path`)
  const byPath = await serve(store, pluginDir, plugin)
  say(
    `user: npm install ${basename(plugin.packedPlugin)}, then whatsapp-mcp loads ${pluginName} by package name`,
  )
  run("npm", ["install", plugin.packedPlugin], userDir, "the user's npm install of the plugin's tarball")
  fromTarballsOnly(userDir)
  const byName = await serve(store, pluginName, plugin)
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
    userInstall: installed,
    totalSeconds: Number(seconds(started)),
  }
  process.stdout.write(
    [
      `outside author (${plugin.source}): node_modules ${plugin.packages} packages, ${plugin.megabytes} MB (before the package split: 348 packages, 339 MB); no Baileys, no ffmpeg`,
      `scaffold to green test: ${plugin.toGreen} s (npm install ${plugin.installSeconds} s, better-sqlite3 compiled from source)`,
      `user install (whatsapp-mcp + bridge): ${installed.packages} packages, ${installed.megabytes} MB, ${installed.seconds} s`,
      `the installed whatsapp-mcp served ${plugin.call.name} loaded by path and by package name: same answer`,
      `reproduce: pnpm test:outside`,
      `json: ${JSON.stringify(figures)}`,
      "",
    ].join("\n"),
  )
  if (!values.keep) rmSync(work, { recursive: true, force: true })
  else say(`kept ${work}`)
} catch (error) {
  console.error(`test:outside: ${error instanceof Failure ? error.message : (error?.stack ?? String(error))}`)
  console.error(`test:outside: the directories are kept for a look: ${work}`)
  process.exit(1)
}
