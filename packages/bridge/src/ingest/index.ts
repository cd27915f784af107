/**
 * The bridge's ingestion as a library (`@whatsapp-mcp/bridge/ingest`): the store and the ingestor
 * that the daemon runs, for tools that build stores from recorded streams (the plugin test kit).
 * Loads Baileys.
 */

export { isOnDemandHistory } from "../history/OnDemandHistory.js"
export { MessageStore, openMessageStore } from "../store/MessageStore.js"
export { Ingestor } from "./Ingestor.js"
