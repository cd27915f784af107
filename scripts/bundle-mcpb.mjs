// `pnpm bundle:mcpb [--out FILE]`: packs the MCP server into a Claude Desktop bundle (an MCPB file,
// opened by double-click), by default dist/whatsapp-mcp.mcpb. The bundle holds the built server
// (packages/server/dist/bundle) and the one package it loads at run time, better-sqlite3, with
// the native addon this machine built: so a bundle works on this platform and under this major
// version of Node only, and its manifest says so. The bridge is not inside: it keeps running
// beside Claude Desktop, and the bundle's settings point the server at the bridge's store.
// Before packing, the staged server is started once from the bundle's own files, which proves
// nothing is missing and gives the tools the install dialog lists. `pnpm bundle:mcpb` builds the
// workspace first; this script packs what is built. Exits 1 naming the problem, 2 on a wrong
// command line.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { packExtension } from "@anthropic-ai/mcpb"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const serverDir = join(root, "packages/server")
const usage = `Usage: pnpm bundle:mcpb [--out FILE]

Packs the whatsapp-mcp server into a Claude Desktop bundle (default: dist/whatsapp-mcp.mcpb in the
repository). Open the file in Claude Desktop to install it. The bundle is for this platform
(${process.platform}) and Node ${process.versions.node.split(".")[0]}: build it on the machine, or one like it, where it will run.
`

let values
try {
  values = parseArgs({ options: { out: { type: "string" }, help: { type: "boolean", short: "h" } } }).values
} catch (error) {
  console.error(`bundle:mcpb: ${error.message}\n\n${usage}`)
  process.exit(2)
}
if (values.help) {
  process.stdout.write(usage)
  process.exit(0)
}
if (values.out !== undefined && !values.out.endsWith(".mcpb")) {
  console.error(`bundle:mcpb: --out must name a .mcpb file; found "${values.out}"\n\n${usage}`)
  process.exit(2)
}
const out = resolve(values.out ?? join(root, "dist/whatsapp-mcp.mcpb"))
const fail = (message) => {
  console.error(`bundle:mcpb: ${message}`)
  process.exit(1)
}

const serverBundle = join(serverDir, "dist/bundle")
if (
  !existsSync(join(serverBundle, "whatsapp-mcp.mjs")) ||
  !existsSync(join(serverBundle, "whatsapp-mcp.cjs"))
)
  fail(`the server is not built (${serverBundle} is missing): run \`npx -y pnpm@10.34.9 run build\` first`)
const serverManifest = JSON.parse(readFileSync(join(serverDir, "package.json"), "utf8"))

const stage = mkdtempSync(join(tmpdir(), "whatsapp-mcp-mcpb-"))
process.on("exit", () => rmSync(stage, { recursive: true, force: true }))

// The server: the launcher, the bundled server and its code cache (the cache serves when Claude
// Desktop's Node is the one that built it; any other Node makes its own on the first start).
mkdirSync(join(stage, "server"))
for (const file of readdirSync(serverBundle).filter((name) => !name.endsWith(".map")))
  cpSync(join(serverBundle, file), join(stage, "server", file))

// better-sqlite3 and what it requires at run time, side by side in node_modules where Node looks
// from server/. Its C sources and build leftovers stay out: the compiled addon is all it loads.
// prebuild-install only fetches a prebuilt addon while installing.
const installOnly = new Set(["prebuild-install"])
const runtimeFiles = {
  "better-sqlite3": ["package.json", "LICENSE", "README.md", "lib", "build/Release/better_sqlite3.node"],
}
const copied = new Map()
const copyPackage = (name, from) => {
  const dir = dirname(realpathSync(createRequire(from).resolve(`${name}/package.json`)))
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
  const seen = copied.get(name)
  if (seen !== undefined) {
    if (seen !== manifest.version)
      fail(`${name} is needed at two versions (${seen}, ${manifest.version}); the bundle has room for one`)
    return
  }
  copied.set(name, manifest.version)
  const target = join(stage, "node_modules", name)
  const files = runtimeFiles[name]
  if (files === undefined)
    cpSync(dir, target, {
      recursive: true,
      filter: (path) => !relative(dir, path).split(sep).includes("node_modules"),
    })
  else
    for (const file of files.filter((file) => existsSync(join(dir, file))))
      cpSync(join(dir, file), join(target, file), { recursive: true })
  for (const dependency of Object.keys(manifest.dependencies ?? {}))
    if (!installOnly.has(dependency)) copyPackage(dependency, join(dir, "package.json"))
}
copyPackage("better-sqlite3", join(serverDir, "package.json"))

// The copy must load here, from where the server will look for it: this catches a file left out
// and an addon built for another Node (after switching Node versions, rebuild it).
try {
  const Database = createRequire(join(stage, "server", "whatsapp-mcp.cjs"))("better-sqlite3")
  new Database(":memory:").close()
} catch (error) {
  fail(
    `the bundled better-sqlite3 does not load under this Node (${process.version}): ${error.message}\nIf it was built for another Node, rebuild it for this one with \`npx -y pnpm@10.34.9 rebuild better-sqlite3\`, then run this again.`,
  )
}

// The staged server must start from its own files and list its tools: Claude Desktop shows them in
// the install dialog (read-only mode serves fewer). Its store is an empty folder, its
// configuration none: neither the user's config file nor the repository's store may leak in.
const listTools = async () => {
  const empty = mkdtempSync(join(tmpdir(), "whatsapp-mcp-mcpb-store-"))
  const client = new Client({ name: "bundle-mcpb", version: "1.0.0" })
  try {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(stage, "server/whatsapp-mcp.mjs"), "--store", empty],
        env: getDefaultEnvironment(),
        cwd: empty,
        stderr: "pipe",
      }),
    )
    return (await client.listTools()).tools
  } finally {
    await client.close()
    rmSync(empty, { recursive: true, force: true })
  }
}
let tools
try {
  tools = await listTools()
} catch (error) {
  fail(`the bundled server did not start from the bundle's own files: ${error.message}`)
}
/** A tool's first sentence: descriptions are written for a model, the dialog wants a line. */
const firstSentence = (text = "") => text.match(/^.*?[.!?](?=\s|$)/s)?.[0] ?? text

const nodeMajor = Number(process.versions.node.split(".")[0])
const manifest = {
  manifest_version: "0.3",
  name: "whatsapp-mcp",
  display_name: "WhatsApp (whatsapp-mcp)",
  version: serverManifest.version,
  description: "Your WhatsApp, searchable and sendable from Claude, stored locally in SQLite.",
  long_description:
    "Reads, searches and sends your WhatsApp messages through the whatsapp-mcp bridge, which must run beside Claude Desktop: it links your phone, keeps the store up to date and is the only part that talks to WhatsApp. This extension is the MCP server only; point it at the bridge's store folder.",
  author: { name: "The whatsapp-mcp authors" },
  license: serverManifest.license,
  keywords: ["whatsapp", "messages", "chat", "sqlite"],
  server: {
    type: "node",
    entry_point: "server/whatsapp-mcp.mjs",
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: mcpb's placeholders, which Claude Desktop fills in
    mcp_config: {
      command: "node",
      args: ["${__dirname}/server/whatsapp-mcp.mjs", "--store", "${user_config.store}"],
      env: {
        WHATSAPP_MCP_READ_ONLY: "${user_config.read_only}",
        WHATSAPP_MCP_TIMEZONE: "${user_config.timezone}",
      },
    },
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: the placeholders end here
  },
  tools: tools.map((tool) => ({ name: tool.name, description: firstSentence(tool.description) })),
  tools_generated: false,
  // better-sqlite3's addon is built for one platform and one Node ABI (one major version).
  compatibility: {
    platforms: [process.platform],
    runtimes: { node: `>=${nodeMajor}.0.0 <${nodeMajor + 1}.0.0` },
  },
  user_config: {
    store: {
      type: "directory",
      title: "Store folder",
      description:
        "The whatsapp-mcp bridge's store folder, the one that holds messages.db (the bridge's --store; ./store in the repository by default). Start the bridge first: it creates the store and sends for this extension.",
      required: true,
    },
    read_only: {
      type: "boolean",
      title: "Read-only",
      description: "Serve only the tools that change nothing: no sends, reactions or read marks.",
      default: false,
      required: false,
    },
    timezone: {
      type: "string",
      title: "Time zone",
      description:
        "IANA time zone name used to print and read times, such as Europe/Berlin. Leave it empty for the system's zone.",
      default: "",
      required: false,
    },
  },
}
writeFileSync(join(stage, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`)

mkdirSync(dirname(out), { recursive: true })
if (!(await packExtension({ extensionPath: stage, outputPath: out, silent: false })))
  fail("mcpb could not pack the bundle (its reason is above)")
process.stdout.write(`${out}\n`)
