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

// Every event name Baileys can emit, checked against its event map by the compiler, so a recorded
// line naming anything else is reported instead of reaching ingestion.
const eventNames: { readonly [K in BaileysEventName]: true } = {
  "connection.update": true,
  "creds.update": true,
  "messaging-history.set": true,
  "messaging-history.status": true,
  "chats.upsert": true,
  "chats.update": true,
  "lid-mapping.update": true,
  "chats.delete": true,
  "presence.update": true,
  "contacts.upsert": true,
  "contacts.update": true,
  "messages.delete": true,
  "messages.update": true,
  "messages.media-update": true,
  "messages.upsert": true,
  "messages.reaction": true,
  "message-receipt.update": true,
  "groups.upsert": true,
  "groups.update": true,
  "group-participants.update": true,
  "group.join-request": true,
  "group.member-tag.update": true,
  "blocklist.set": true,
  "blocklist.update": true,
  call: true,
  "labels.edit": true,
  "labels.association": true,
  "newsletter.reaction": true,
  "newsletter.view": true,
  "newsletter-participants.update": true,
  "newsletter-settings.update": true,
  "message-capping.update": true,
  "chats.lock": true,
  "settings.update": true,
}

export const baileysEventNames: ReadonlyArray<BaileysEventName> = Object.keys(
  eventNames,
) as Array<BaileysEventName>

export const isBaileysEventName = (name: unknown): name is BaileysEventName =>
  typeof name === "string" && Object.hasOwn(eventNames, name)

/** The events whose `data.messages` holds whole WebMessageInfo payloads. */
export const carriesMessages = (
  name: BaileysEventName,
): name is "messaging-history.set" | "messages.upsert" =>
  name === "messaging-history.set" || name === "messages.upsert"
