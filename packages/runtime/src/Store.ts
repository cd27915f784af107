/**
 * The store as plugins see it: a read-only SQL client over `<store>/messages.db`. The server
 * provides it (`StoreLive` in `@whatsapp-mcp/server/host`), opened on first use so that the server starts
 * (and lists its tools) before the bridge has ever run, and picks the store up once the bridge
 * creates it.
 */
import type { SqlClient } from "@effect/sql"
import { StoreFileName } from "@whatsapp-mcp/core/store"
import { Context, type Effect } from "effect"
import type { StoreUnavailable } from "./ToolErrors.js"

export const databaseFile = StoreFileName

export interface StoreService {
  /** Absolute path of the database file. */
  readonly path: string
  /** The shared read-only client; fails with a message that says how to create the store. */
  readonly client: Effect.Effect<SqlClient.SqlClient, StoreUnavailable>
}

export class Store extends Context.Tag("@whatsapp-mcp/runtime/Store")<Store, StoreService>() {}
