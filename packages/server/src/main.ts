/**
 * The MCP stdio server: the runtime with the five built-in plugins. `bin/whatsapp-mcp.ts` runs it
 * from its bundle (`dist/bundle/whatsapp-mcp.cjs`) through V8's code cache. stdout is the protocol:
 * nothing else may write to it.
 */
import { Main, type PluginLoader } from "./host/index.js"
import { builtins, builtinToolNames, info } from "./index.js"

/**
 * Serves until the client goes away. `importModule` imports third-party plugins: code compiled
 * through `node:vm`, as the bundle is, cannot use its own `import()`.
 */
export const start = (importModule?: PluginLoader.ImportModule): void => {
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
