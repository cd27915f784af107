/**
 * The MCP stdio server: the runtime with the five built-in plugins. `bin/whatsapp-mcp.ts` runs it
 * from its bundle (`dist/bundle/whatsapp-mcp.cjs`) through V8's code cache. stdout is the protocol:
 * nothing else may write to it.
 */
import { setFlagsFromString } from "node:v8"
import { Main, type PluginLoader } from "@whatsapp-mcp/runtime"
import { builtins, builtinToolNames, info } from "./index.js"

/**
 * Serves until the client goes away. `importModule` imports third-party plugins: code compiled
 * through `node:vm`, as the bundle is, cannot use its own `import()`.
 */
export const start = (importModule?: PluginLoader.ImportModule): void => {
  // The server lives as long as the client's session and sits next to it on the user's machine.
  // By default V8 lets the old generation grow to several times what is live before collecting
  // it, so resident memory climbed with every call (169 MB after 2,730 calls on a 1M-message
  // store). Sizing the heap for memory keeps it near what is live; a read costs the same. Clients
  // start the server with a plain `node`, so the flag is set here rather than on a command line; V8
  // reads it at each collection, so setting it at start is enough.
  setFlagsFromString("--optimize-for-size")
  Main.main({
    builtins,
    builtinToolNames,
    info,
    ...(importModule === undefined ? {} : { importModule }),
  }).catch((error: unknown) => {
    process.stderr.write(
      `whatsapp-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exit(1)
  })
}
