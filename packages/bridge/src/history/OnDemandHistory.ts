/**
 * Older history on demand: which stored batches answered a request for a chat's older messages.
 * The phone answers `fetchMessageHistory` with a history chunk of type ON_DEMAND, stored by the same
 * ingestion as every other chunk; this tells the request waiting for it that it has arrived, once it
 * is in the store.
 */
import { proto } from "@whiskeysockets/baileys"
import { Context, Effect, Layer, PubSub, type Queue, type Scope } from "effect"
import type { BaileysEvent } from "../recording/BaileysEvent.js"
import { EventSink } from "../socket/EventSink.js"

/** Whether an event is the phone's answer to a request for older history. */
export const isOnDemandHistory = (event: BaileysEvent): boolean =>
  event.event === "messaging-history.set" &&
  event.data.syncType === proto.HistorySync.HistorySyncType.ON_DEMAND

/** The chats (as WhatsApp names them) that the on-demand chunks of a batch answer for. */
export const answeredChats = (batch: ReadonlyArray<BaileysEvent>): ReadonlySet<string> => {
  const chats = new Set<string>()
  for (const event of batch) {
    if (event.event !== "messaging-history.set" || !isOnDemandHistory(event)) continue
    for (const chat of event.data.chats ?? []) if (chat.id) chats.add(chat.id)
    for (const message of event.data.messages ?? []) {
      if (message.key?.remoteJid) chats.add(message.key.remoteJid)
    }
  }
  return chats
}

export interface OnDemandHistoryShape {
  /** Announces the chats answered by a batch that has just been stored. */
  readonly stored: (batch: ReadonlyArray<BaileysEvent>) => Effect.Effect<void>
  /** The chats answered from now on, one set per stored batch that answered any. */
  readonly arrivals: Effect.Effect<Queue.Dequeue<ReadonlySet<string>>, never, Scope.Scope>
}

export class OnDemandHistory extends Context.Tag("@whatsapp-mcp/bridge/OnDemandHistory")<
  OnDemandHistory,
  OnDemandHistoryShape
>() {}

export const layer: Layer.Layer<OnDemandHistory> = Layer.effect(
  OnDemandHistory,
  Effect.map(PubSub.unbounded<ReadonlySet<string>>(), (hub) =>
    OnDemandHistory.of({
      stored: (batch) => {
        const chats = answeredChats(batch)
        return chats.size === 0 ? Effect.void : PubSub.publish(hub, chats).pipe(Effect.asVoid)
      },
      arrivals: PubSub.subscribe(hub),
    }),
  ),
)

/**
 * The store's sink, announcing each batch that answered a request once it is stored (a batch the
 * store failed to keep announces nothing: the request keeps waiting).
 */
export const sinkLayer: Layer.Layer<EventSink, never, EventSink | OnDemandHistory> = Layer.effect(
  EventSink,
  Effect.gen(function* () {
    const inner = yield* EventSink
    const history = yield* OnDemandHistory
    return EventSink.of({
      ingest: (batch) => inner.ingest(batch).pipe(Effect.zipRight(history.stored(batch))),
    })
  }),
)
