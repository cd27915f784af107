/**
 * A small in-memory stand-in for the message store, enough for the bridge's actions: it keeps raw
 * messages by (chat, id), applies reactions, status updates and LID mappings, and answers the reads
 * the actions make. The real store has its own tests; this keeps the action tests independent.
 */
import { proto, type WAMessage } from "@whiskeysockets/baileys"
import { Effect, Layer, Option } from "effect"
import type { BaileysEvent } from "../../src/recording/BaileysEvent.js"
import { EventSink } from "../../src/socket/EventSink.js"
import { StoreAccess } from "../../src/store/StoreAccess.js"
import { StoreLookup } from "../../src/store/StoreLookup.js"

export interface MemoryStore {
  readonly messages: Map<string, WAMessage>
  readonly reactions: Map<string, Map<string, string>>
  readonly aliases: Map<string, string>
  readonly layer: Layer.Layer<EventSink | StoreAccess | StoreLookup>
  readonly find: (chat: string, id: string) => WAMessage | undefined
}

const keyOf = (chat: string, id: string) => `${chat}|${id}`

export const makeMemoryStore = (): MemoryStore => {
  const messages = new Map<string, WAMessage>()
  const reactions = new Map<string, Map<string, string>>()
  const aliases = new Map<string, string>()
  const canonical = (jid: string) => (jid.endsWith("@lid") ? (aliases.get(jid) ?? jid) : jid)

  const apply = (event: BaileysEvent) => {
    switch (event.event) {
      case "messages.upsert":
        for (const m of event.data.messages) {
          if (m.key.remoteJid && m.key.id) messages.set(keyOf(canonical(m.key.remoteJid), m.key.id), m)
        }
        break
      case "messaging-history.set":
        for (const m of event.data.messages) {
          if (m.key.remoteJid && m.key.id) messages.set(keyOf(canonical(m.key.remoteJid), m.key.id), m)
        }
        break
      case "messages.update":
        for (const { key, update } of event.data) {
          const existing =
            key.remoteJid && key.id ? messages.get(keyOf(canonical(key.remoteJid), key.id)) : undefined
          if (existing !== undefined && update.status != null) existing.status = update.status
        }
        break
      case "messages.reaction":
        for (const { key, reaction } of event.data) {
          if (!key.remoteJid || !key.id) continue
          const target = keyOf(canonical(key.remoteJid), key.id)
          const bySender = reactions.get(target) ?? new Map<string, string>()
          const sender = reaction.key?.fromMe
            ? "me"
            : (reaction.key?.participant ?? reaction.key?.remoteJid ?? "?")
          if (reaction.text) bySender.set(sender, reaction.text)
          else bySender.delete(sender)
          reactions.set(target, bySender)
        }
        break
      case "lid-mapping.update":
        aliases.set(event.data.lid, event.data.pn)
        aliases.set(event.data.pn, event.data.lid)
        break
      default:
        break
    }
  }

  const find = (chat: string, id: string) => messages.get(keyOf(canonical(chat), id))
  const inChat = (chat: string) =>
    [...messages.values()].filter((m) => canonical(m.key.remoteJid ?? "") === canonical(chat))
  const time = (m: WAMessage) => Number(m.messageTimestamp ?? 0)

  const layer = Layer.mergeAll(
    Layer.succeed(EventSink, { ingest: (batch) => Effect.sync(() => batch.forEach(apply)) }),
    Layer.succeed(
      StoreAccess,
      StoreAccess.of({
        counts: Effect.sync(() => ({
          chats: new Set([...messages.values()].map((m) => m.key.remoteJid)).size,
          contacts: 0,
          messages: messages.size,
        })),
        findMessage: (chat, id) => Effect.sync(() => Option.fromNullable(find(chat, id))),
        unreadIncoming: (chat) =>
          Effect.sync(() =>
            [...messages.values()]
              .filter(
                (m) =>
                  canonical(m.key.remoteJid ?? "") === canonical(chat) &&
                  !m.key.fromMe &&
                  m.status !== proto.WebMessageInfo.Status.READ,
              )
              .map((m) => m.key),
          ),
        alternateJid: (jid) => Effect.sync(() => Option.fromNullable(aliases.get(jid))),
        oldestMessage: (chat) =>
          Effect.sync(() => {
            const [oldest] = inChat(chat).sort((a, b) => time(a) - time(b))
            return oldest === undefined
              ? Option.none()
              : Option.some({ key: oldest.key, timestamp: time(oldest) })
          }),
        storedBefore: (chat, timestamp) =>
          Effect.sync(() => {
            const times = inChat(chat)
              .map(time)
              .filter((t) => t < timestamp)
            return { count: times.length, oldest: times.length === 0 ? null : Math.min(...times) }
          }),
        knowsJid: (jid) => Effect.sync(() => [...messages.values()].some((m) => m.key.remoteJid === jid)),
      }),
    ),
    Layer.succeed(StoreLookup, {
      getMessage: (key) =>
        Effect.sync(() =>
          key.remoteJid && key.id ? (find(key.remoteJid, key.id)?.message ?? undefined) : undefined,
        ),
      groupMetadata: () => Effect.succeed(undefined),
    }),
  )
  return { messages, reactions, aliases, layer, find }
}
