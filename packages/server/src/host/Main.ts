/**
 * The `whatsapp-mcp` command line: reads the configuration, assembles the server and serves it over
 * stdio. stdout carries only the MCP protocol; everything else goes to stderr. A mistake in the
 * configuration stops start-up with a message naming the key and a non-zero exit status.
 */

import { existsSync } from "node:fs"
import { basename, delimiter, dirname, join, resolve } from "node:path"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect, Either } from "effect"
import * as Application from "./Application.js"
import * as Config from "./Config.js"
// Type-only here: the HTTP transport is loaded only when serving over HTTP.
import type * as HttpServeModule from "./HttpServe.js"
import type { ServerInfo } from "./McpServer.js"
import type { Builtins, ImportModule } from "./PluginLoader.js"

const defaultPort = 3000
const HttpServe = { tokenFileName: "mcp-http-token" } satisfies Pick<typeof HttpServeModule, "tokenFileName">

export interface MainOptions {
  readonly builtins: Builtins
  readonly builtinToolNames?: ReadonlyArray<string>
  readonly info: ServerInfo
  readonly argv?: ReadonlyArray<string>
  /** How third-party plugins are imported (default: `import()`). */
  readonly importModule?: ImportModule
}

const usage = `Usage: whatsapp-mcp [--config FILE] [--store DIR] [--read-only]
       whatsapp-mcp --http [--host 127.0.0.1] [--port 3000] [--http-token-file PATH] [--allow-remote] …
       whatsapp-mcp doctor [--config FILE] [--store DIR]
       whatsapp-mcp demo [--client CLIENT] [--port N] [--store DIR]

Serves the WhatsApp tools over MCP on stdin/stdout. Add it to your MCP client (see README.md).
With --http, serves them over MCP's Streamable HTTP at http://HOST:PORT/mcp instead.

  --config FILE   configuration file (default: ./${Config.defaultFileName} if present,
                  or the WHATSAPP_MCP_CONFIG environment variable)
  --store DIR     the bridge's store directory (default: the config's "store", or ./store)
  --read-only     serve only the tools that change nothing (same as "readOnly": true)
  --print-client-config claude-desktop|claude-code|cursor
                  print the configuration that adds this server to that client, as it
                  was installed (the npx form through npx, else absolute paths), and exit
  --http          serve over Streamable HTTP; every request needs \`Authorization: Bearer <token>\`
                  with the token from <store>/${HttpServe.tokenFileName} (made on the first start)
  --host HOST     the address to listen on (default: 127.0.0.1); anything but loopback needs
                  --allow-remote
  --port PORT     the port to listen on (default: ${defaultPort})
  --http-token-file PATH
                  keep the token in PATH instead (created, mode 0600, if missing)
  --allow-remote  listen on a non-loopback address and answer any Host header; put a TLS proxy
                  in front (see README.md)
  --help          this text

  doctor          check the whole setup, one line per check with the command that fixes each
                  failure (also \`checkup\`; \`whatsapp-mcp doctor --help\` for more)
  demo            a replay bridge on sample chats (no phone needed), and the configuration to
                  paste (\`whatsapp-mcp demo --help\` for more)
`

const clients = ["claude-desktop", "claude-code", "cursor"] as const
const isClient = (name: string): name is (typeof clients)[number] =>
  (clients as ReadonlyArray<string>).includes(name)

/** How an MCP client starts this server: a command, its arguments, and what to add to its environment. */
export interface LaunchCommand {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
}

/** Where and how this server was started: read from the process when it prints its configuration. */
export interface Started {
  /** The Node that runs it (`process.execPath`). */
  readonly execPath: string
  /** The command's path as it was started (`process.argv[1]`): a link of an install's bin, or a file. */
  readonly script: string
  /** The product package's version, which `npx` must ask for. */
  readonly version: string
  readonly platform: NodeJS.Platform
  /** Whether a file exists (`npx` beside `node`). */
  readonly exists: (path: string) => boolean
}

/**
 * The command that starts this server again as it was started now. Run through `npx` (the command
 * lives in npm's `_npx` cache, which npm may clear): `npx -y whatsapp-mcp@<version>`. Otherwise
 * (installed globally, in a folder, or in the repository) the command's own absolute path, run by
 * the absolute path of the Node running now: clients such as Claude Desktop on macOS start servers
 * without the shell's PATH, where `#!/usr/bin/env node` may find no node. For the same reason the
 * `npx` form names the npx beside this Node and puts this Node's directory first on its PATH.
 */
export const launchCommand = (started: Started, args: ReadonlyArray<string>): LaunchCommand => {
  if (!/[\\/]_npx[\\/]/.test(started.script)) {
    return { command: started.execPath, args: [started.script, ...args] }
  }
  const nodeDir = dirname(started.execPath)
  const windows = started.platform === "win32"
  const npx = join(nodeDir, windows ? "npx.cmd" : "npx")
  const npxArgs = ["-y", `whatsapp-mcp@${started.version}`, ...args]
  if (windows || !started.exists(npx)) return { command: "npx", args: npxArgs }
  return {
    command: npx,
    args: npxArgs,
    env: { PATH: [nodeDir, "/usr/local/bin", "/usr/bin", "/bin"].join(delimiter) },
  }
}

/** What to paste into an MCP client so that it starts this very server with this very store. */
export const clientConfig = (client: (typeof clients)[number], launch: LaunchCommand): string => {
  if (client === "claude-code") {
    // Claude Code starts servers from the user's shell, which finds npx and node on its own PATH.
    const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)
    const command = launch.env === undefined ? launch.command : basename(launch.command)
    return `claude mcp add whatsapp -- ${[command, ...launch.args].map(quote).join(" ")}`
  }
  return JSON.stringify({ mcpServers: { whatsapp: launch } }, null, 2)
}

const whereToPaste: Record<(typeof clients)[number], string> = {
  "claude-desktop":
    "Merge this into claude_desktop_config.json (Claude Desktop: Settings > Developer > Edit Config), then restart Claude Desktop.",
  "claude-code": "Run this command once; Claude Code starts the server in every session.",
  cursor: "Merge this into ~/.cursor/mcp.json (or .cursor/mcp.json in a project), then reload Cursor.",
}

const stderr = (line: string) => {
  process.stderr.write(`${line}\n`)
}

interface Flags {
  readonly config?: string
  readonly store?: string
  readonly readOnly: boolean
  readonly help: boolean
  readonly printClientConfig?: string
  readonly http: boolean
  readonly host?: string
  readonly port?: number
  readonly httpTokenFile?: string
  readonly allowRemote: boolean
}

const parseFlags = (argv: ReadonlyArray<string>): Either.Either<Flags, string> => {
  let config: string | undefined
  let store: string | undefined
  let readOnly = false
  let help = false
  let printClientConfig: string | undefined
  let http = false
  let allowRemote = false
  let host: string | undefined
  let port: number | undefined
  let httpTokenFile: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined]
    const value = () => {
      if (inline !== undefined) return inline
      const next = argv[i + 1]
      if (next === undefined || next.startsWith("--")) return undefined
      i++
      return next
    }
    switch (flag) {
      case "--config": {
        config = value()
        if (config === undefined) return Either.left("--config needs a file path")
        break
      }
      case "--store": {
        store = value()
        if (store === undefined) return Either.left("--store needs a directory")
        break
      }
      case "--print-client-config": {
        printClientConfig = value()
        if (printClientConfig === undefined || !isClient(printClientConfig)) {
          return Either.left(`--print-client-config needs one of: ${clients.join(", ")}`)
        }
        break
      }
      case "--read-only":
        readOnly = true
        break
      case "--http":
        http = true
        break
      case "--allow-remote":
        allowRemote = true
        break
      case "--host": {
        host = value()
        if (host === undefined || host === "")
          return Either.left("--host needs an address, such as 127.0.0.1")
        break
      }
      case "--port": {
        const text = value()
        port = text !== undefined && /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
        if (!(port >= 1 && port <= 65535)) return Either.left("--port needs a port number from 1 to 65535")
        break
      }
      case "--http-token-file": {
        httpTokenFile = value()
        if (httpTokenFile === undefined) return Either.left("--http-token-file needs a file path")
        break
      }
      case "--help":
      case "-h":
        help = true
        break
      default:
        return Either.left(`unknown argument "${arg}"`)
    }
  }
  if (!http && (host !== undefined || port !== undefined || httpTokenFile !== undefined || allowRemote)) {
    return Either.left("--host, --port, --http-token-file and --allow-remote go with --http")
  }
  if (host !== undefined && !allowRemote && !Config.isLoopbackHost(host)) {
    return Either.left(
      `--host ${host} is not a loopback address: anyone who can reach it could try the token. Add --allow-remote to listen there anyway, behind a TLS proxy (see README.md).`,
    )
  }
  return Either.right({
    readOnly,
    help,
    http,
    allowRemote,
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(httpTokenFile !== undefined ? { httpTokenFile } : {}),
    ...(printClientConfig !== undefined ? { printClientConfig } : {}),
    ...(config !== undefined ? { config } : {}),
    ...(store !== undefined ? { store } : {}),
  })
}

/** Runs the server until the client closes stdin. Exits the process on a start-up error. */
export const main = async (options: MainOptions): Promise<void> => {
  const flags = parseFlags(options.argv ?? process.argv.slice(2))
  if (Either.isLeft(flags)) {
    stderr(`whatsapp-mcp: ${flags.left}\n\n${usage}`)
    process.exit(2)
  }
  if (flags.right.help) {
    process.stderr.write(usage)
    return
  }
  const loaded = Config.load({
    configFlag: flags.right.config,
    storeFlag: flags.right.store,
    env: process.env,
    cwd: process.cwd(),
  })
  if (Either.isLeft(loaded)) {
    stderr(`whatsapp-mcp: ${loaded.left.message}`)
    process.exit(1)
  }
  const config = flags.right.readOnly ? { ...loaded.right, readOnly: true } : loaded.right
  const bridge = new URL(config.bridgeUrl)
  if (!Config.isLoopbackHost(bridge.hostname)) {
    stderr(
      `whatsapp-mcp: warning: the bridge is on another machine (${bridge.host}, allowed by "allowRemote"): its token goes there with every request${bridge.protocol === "http:" ? ", in plain http that anyone on the network between can read" : ""}.`,
    )
  }
  if (flags.right.printClientConfig !== undefined && isClient(flags.right.printClientConfig)) {
    const args = config.file !== undefined ? ["--config", config.file] : ["--store", config.storeDir]
    // Not serving: stdout is free for the configuration the user asked for; the hint goes to stderr.
    stderr(whereToPaste[flags.right.printClientConfig])
    process.stdout.write(
      `${clientConfig(
        flags.right.printClientConfig,
        launchCommand(
          {
            execPath: process.execPath,
            script: process.argv[1] ?? "whatsapp-mcp",
            version: options.info.version,
            platform: process.platform,
            exists: existsSync,
          },
          [...args, ...(flags.right.readOnly ? ["--read-only"] : [])],
        ),
      )}\n`,
    )
    return
  }
  const app = await Effect.runPromise(
    Effect.either(
      Application.make({
        config,
        builtins: options.builtins,
        builtinToolNames: options.builtinToolNames ?? [],
        info: options.info,
        ...(options.importModule === undefined ? {} : { importModule: options.importModule }),
        log: stderr,
      }),
    ),
  )
  if (Either.isLeft(app)) {
    stderr(`whatsapp-mcp: ${app.left.message}`)
    process.exit(1)
  }
  if (flags.right.http) {
    await serveHttp(app.right, flags.right, config)
    return
  }
  const transport = new StdioServerTransport()
  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    await app.right.close()
    process.exit(0)
  }
  transport.onclose = () => void shutdown()
  process.stdin.on("end", () => void shutdown())
  process.on("SIGINT", () => void shutdown())
  process.on("SIGTERM", () => void shutdown())
  await app.right.server.connect(transport)
  stderr(
    `whatsapp-mcp: serving ${app.right.tools.length} tools from ${app.right.plugins.length} plugins (store: ${config.storeDir}${config.readOnly ? ", read-only" : ""})`,
  )
}

const serveHttp = async (app: Application.Application, flags: Flags, config: Config.Config) => {
  const Http = await import("./HttpServe.js")
  const tokenFile = resolve(flags.httpTokenFile ?? Http.defaultTokenFile(config.storeDir))
  let serving: HttpServeModule.HttpServing
  try {
    const token = Http.loadOrCreateToken(tokenFile)
    serving = await Http.serve({
      app,
      host: flags.host ?? "127.0.0.1",
      port: flags.port ?? defaultPort,
      token,
      allowRemote: flags.allowRemote,
      log: stderr,
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const message =
      code === "EADDRINUSE"
        ? `port ${flags.port ?? defaultPort} is in use; choose another with --port`
        : code === "EADDRNOTAVAIL"
          ? `${flags.host} is not an address of this machine; choose one with --host`
          : error instanceof Error
            ? error.message
            : String(error)
    stderr(`whatsapp-mcp: ${message}`)
    await app.close()
    process.exit(1)
  }
  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    await serving.close()
    await app.close()
    process.exit(0)
  }
  process.on("SIGINT", () => void shutdown())
  process.on("SIGTERM", () => void shutdown())
  stderr(
    `whatsapp-mcp: serving ${app.tools.length} tools from ${app.plugins.length} plugins over HTTP at ${serving.url.href} (store: ${config.storeDir}${config.readOnly ? ", read-only" : ""}; bearer token in ${tokenFile})`,
  )
}
