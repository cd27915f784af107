/**
 * What both sides of the bridge boundary agree on, loading no Baileys: the bridge's HTTP contract,
 * the store's names and enumerations, JIDs and phone numbers, the sizes both sides check, and the
 * check of a file about to be sent and of its type. Each is also its own entry point
 * (`@whatsapp-mcp/core/api`, `/store`, `/jid`, `/limits`, `/sendable-file`, `/media-type`). The contract's endpoints as an `HttpApi` are only
 * at `@whatsapp-mcp/core/http-api`, since they need `@effect/platform` and this entry point does not;
 * the servers' token file is only at `@whatsapp-mcp/core/token`, since it reads and writes files, and
 * the names of the commands the user runs only at `@whatsapp-mcp/core/commands`, since it looks at
 * where the program lies.
 */
export * as BridgeApi from "./BridgeApi.js"
export * as Jid from "./Jid.js"
export * as Limits from "./Limits.js"
export * as MediaType from "./MediaType.js"
export * as SendableFile from "./SendableFile.js"
export * as StoreSchema from "./StoreSchema.js"
