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
import type { Builtins } from "./PluginLoader.js"

export interface MainOptions {
  readonly builtins: Builtins
  readonly builtinToolNames?: ReadonlyArray<string>
  readonly info: ServerInfo
  readonly argv?: ReadonlyArray<string>
}

const usage = `Usage: whatsapp-mcp [--config FILE] [--store DIR] [--read-only]

Serves the WhatsApp tools over MCP on stdin/stdout. Add it to your MCP client (see README.md).

  --config FILE   configuration file (default: ./${Config.defaultFileName} if present,
                  or the WHATSAPP_MCP_CONFIG environment variable)
  --store DIR     the bridge's store directory (default: the config's "store", or ./store)
  --read-only     serve only the tools that change nothing (same as "readOnly": true)
  --help          this text
`

const stderr = (line: string) => {
  process.stderr.write(`${line}\n`)
}

interface Flags {
  readonly config?: string
  readonly store?: string
  readonly readOnly: boolean
  readonly help: boolean
}

const parseFlags = (argv: ReadonlyArray<string>): Either.Either<Flags, string> => {
  let config: string | undefined
  let store: string | undefined
  let readOnly = false
  let help = false
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
  const app = await Effect.runPromise(
    Effect.either(
      Application.make({
        config,
        builtins: options.builtins,
        builtinToolNames: options.builtinToolNames ?? [],
        info: options.info,
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
