/**
 * The host: what serves plugins over MCP (configuration, plugin loading, the MCP adapter, the
 * read-only store and the bridge client over HTTP). The server's `main` runs it with the built-in
 * plugins; `@whatsapp-mcp/testkit` mounts plugins in it, so that a plugin's tests meet exactly what
 * a client meets. Not part of the plugin SDK (`@whatsapp-mcp/runtime`).
 */
export * as Application from "./Application.js"
export * as BridgeClientLive from "./BridgeClientLive.js"
export * as Config from "./Config.js"
export { isFilterName } from "./internal/filterName.js"
export * as ReadOnlySqliteClient from "./internal/ReadOnlySqliteClient.js"
export * as Main from "./Main.js"
export * as McpServer from "./McpServer.js"
export * as PluginLoader from "./PluginLoader.js"
export * as StoreLive from "./StoreLive.js"
