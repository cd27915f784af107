/**
 * One Baileys event as the bridge handles it, live or replayed: the event's name and its payload,
 * typed by Baileys' own event map. Live sockets and recorded streams both produce these, so one
 * ingestion code path serves both.
 */
import type { BaileysEventMap } from "@whiskeysockets/baileys"

export type BaileysEventName = keyof BaileysEventMap

export type BaileysEvent = {
  readonly [K in BaileysEventName]: { readonly event: K; readonly data: BaileysEventMap[K] }
}[BaileysEventName]

/** The payload type of one named event. */
export type BaileysEventData<K extends BaileysEventName> = BaileysEventMap[K]
