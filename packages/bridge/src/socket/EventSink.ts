/**
 * Where the connection delivers WhatsApp events, one batch at a time and in order. Baileys does not
 * await its handlers, so the connection queues batches and feeds this sink from a single fiber.
 */
import { Context, type Effect } from "effect"
import type { BaileysEvent } from "../recording/BaileysEvent.js"

export interface EventSinkShape {
  /** Stores one batch; a failure is logged by the caller and the next batch still runs. */
  readonly ingest: (batch: ReadonlyArray<BaileysEvent>) => Effect.Effect<void, unknown>
}

export class EventSink extends Context.Tag("@whatsapp-mcp/bridge/EventSink")<EventSink, EventSinkShape>() {}
