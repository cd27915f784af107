/**
 * The plugin SDK of whatsapp-mcp: everything a plugin, built-in or third-party, may use. Anything
 * not exported here is internal and may change without notice. The server that hosts plugins is
 * the `whatsapp-mcp` package; the test kit that mounts them in tests is `@whatsapp-mcp/testkit`.
 */

export * as Jid from "@whatsapp-mcp/core/jid"
export * as Limits from "@whatsapp-mcp/core/limits"
export * as MediaType from "@whatsapp-mcp/core/media-type"
export * as SendableFile from "@whatsapp-mcp/core/sendable-file"
export * as StoreSchema from "@whatsapp-mcp/core/store"
export * as BridgeClient from "./bridge/BridgeClient.js"
export * as BridgeErrors from "./bridge/BridgeClientError.js"
export * as Confirmation from "./Confirmation.js"
export * as Params from "./Params.js"
export * as Plugin from "./Plugin.js"
export * as Prompt from "./Prompt.js"
export * as Render from "./Render.js"
export * as Resource from "./Resource.js"
export * as Store from "./Store.js"
export * as StoreQueries from "./StoreQueries.js"
export * as TimeZone from "./TimeZone.js"
export * as Tool from "./Tool.js"
export * as ToolContext from "./ToolContext.js"
export { InvalidArgument, NotAvailableYet, StoreUnavailable, ToolError } from "./ToolErrors.js"
export * as ToolImage from "./ToolImage.js"
