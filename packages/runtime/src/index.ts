/**
 * The public API of the whatsapp-mcp runtime: everything a plugin, built-in or third-party, may use.
 * Anything not exported here is internal and may change without notice.
 */

export * as SendableFile from "@whatsapp-mcp/bridge/sendable-file"
export * as Application from "./Application.js"
export * as BridgeClient from "./bridge/BridgeClient.js"
export * as BridgeErrors from "./bridge/BridgeClientError.js"
export * as Config from "./Config.js"
export * as Jid from "./Jid.js"
export * as Main from "./Main.js"
export * as McpServer from "./McpServer.js"
export * as Params from "./Params.js"
export * as Plugin from "./Plugin.js"
export * as PluginLoader from "./PluginLoader.js"
export * as Prompt from "./Prompt.js"
export * as Render from "./Render.js"
export * as Resource from "./Resource.js"
export * as Store from "./Store.js"
export * as StoreQueries from "./StoreQueries.js"
export * as TimeZone from "./TimeZone.js"
export * as Tool from "./Tool.js"
export * as ToolContext from "./ToolContext.js"
export { InvalidArgument, NotAvailableYet, StoreUnavailable, ToolError } from "./ToolErrors.js"
