/**
 * The `whatsapp-mcp` command line: reads the configuration, assembles the server and serves it over
 * stdio. stdout carries only the MCP protocol; everything else goes to stderr. A mistake in the
 * configuration stops start-up with a message naming the key and a non-zero exit status.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect, Either } from "effect"
import * as Application from "./Application.js"
import * as Config from "./Config.js"
import type { ServerInfo } from "./McpServer.js"
import type { Builtins, ImportModule } from "./PluginLoader.js"

export interface MainOptions {
  readonly builtins: Builtins
  readonly builtinToolNames?: ReadonlyArray<string>
  readonly info: ServerInfo
  readonly argv?: ReadonlyArray<string>
  /** How third-party plugins are imported (default: `import()`). */
  readonly importModule?: ImportModule
}

const usage = `Usage: whatsapp-mcp [--config FILE] [--store DIR] [--read-only]

Serves the WhatsApp tools over MCP on stdin/stdout. Add it to your MCP client (see README.md).

  --config FILE   configuration file (default: ./${Config.defaultFileName} if present,
                  or the WHATSAPP_MCP_CONFIG environment variable)
  --store DIR     the bridge's store directory (default: the config's "store", or ./store)
  --read-only     serve only the tools that change nothing (same as "readOnly": true)
  --print-client-config claude-desktop|claude-code|cursor
                  print the configuration that adds this server to that client, with
                  absolute paths, and exit
  --help          this text
`

const clients = ["claude-desktop", "claude-code", "cursor"] as const
const isClient = (name: string): name is (typeof clients)[number] =>
  (clients as ReadonlyArray<string>).includes(name)

/** What to paste into an MCP client so that it starts this very server with this very store. */
export const clientConfig = (
  client: (typeof clients)[number],
  command: { readonly node: string; readonly script: string; readonly args: ReadonlyArray<string> },
): string => {
  if (client === "claude-code") {
    const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)
    return `claude mcp add whatsapp -- ${[command.node, command.script, ...command.args].map(quote).join(" ")}`
  }
  const server = { command: command.node, args: [command.script, ...command.args] }
  return JSON.stringify({ mcpServers: { whatsapp: server } }, null, 2)
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
}

const parseFlags = (argv: ReadonlyArray<string>): Either.Either<Flags, string> => {
  let config: string | undefined
  let store: string | undefined
  let readOnly = false
  let help = false
  let printClientConfig: string | undefined
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
      case "--help":
      case "-h":
        help = true
        break
      default:
        return Either.left(`unknown argument "${arg}"`)
    }
  }
  return Either.right({
    readOnly,
    help,
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
      `${clientConfig(flags.right.printClientConfig, {
        node: process.execPath,
        script: process.argv[1] ?? "whatsapp-mcp",
        args: [...args, ...(flags.right.readOnly ? ["--read-only"] : [])],
      })}\n`,
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
