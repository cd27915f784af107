/**
 * Binds the bridge to its message store: live events go to the Ingestor, and the actions and
 * Baileys read what they need (raw messages, unread keys, LID ↔ phone aliases, group members)
 * straight from `messages.db` through the store's one writer connection.
 */

import { visibleToMe } from "@whatsapp-mcp/core/store"
import { type GroupMetadata, proto } from "@whiskeysockets/baileys"
import { Context, Effect, Layer, Option } from "effect"
import { Ingestor } from "./ingest/Ingestor.js"
import { EventSink } from "./socket/EventSink.js"
import { MessageStore, type StoreOpenError } from "./store/MessageStore.js"
import { StoreAccess } from "./store/StoreAccess.js"
import { StoreLookup } from "./store/StoreLookup.js"

const decodeRaw = (raw: unknown): proto.IWebMessageInfo | undefined => {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined
  try {
    return proto.WebMessageInfo.decode(raw)
  } catch {
    return undefined
  }
}

export const make = Effect.gen(function* () {
  const { db } = yield* MessageStore
  const ingestor = yield* Ingestor

  const aliasOf = db.prepare<[string, string], { other: string }>(
    "SELECT pn AS other FROM jid_aliases WHERE lid = ? UNION ALL SELECT lid AS other FROM jid_aliases WHERE pn = ? LIMIT 1",
  )
  const rawById = db.prepare<[string, string, string], { raw: Uint8Array | null }>(
    "SELECT raw FROM messages WHERE id = ? AND chat_jid IN (?, ?) LIMIT 1",
  )
  const unreadCount = db.prepare<[string, string], { unread_count: number; marked_unread: number }>(
    "SELECT unread_count, marked_unread FROM chats WHERE jid IN (?, ?) LIMIT 1",
  )
  const lastIncoming = db.prepare<[string, string, number], { raw: Uint8Array | null }>(
    // The messages list_messages shows as unread (docs/store.md): the same ones are marked read.
    `SELECT raw FROM messages WHERE chat_jid IN (?, ?) AND from_me = 0 AND ${visibleToMe()} ORDER BY timestamp DESC, row_id DESC LIMIT ?`,
  )
  const counts = db.prepare<[], { chats: number; contacts: number; messages: number }>(
    "SELECT (SELECT count(*) FROM chats) AS chats, (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM messages) AS messages",
  )
  const groupChat = db.prepare<
    [string],
    { name: string | null; description: string | null; created_at: number | null }
  >("SELECT name, description, created_at FROM chats WHERE jid = ? AND kind = 'group'")
  const participants = db.prepare<[string], { participant_jid: string; role: string }>(
    "SELECT participant_jid, role FROM group_participants WHERE group_jid = ?",
  )
  const oldestInChat = db.prepare<[string, string], { raw: Uint8Array | null; timestamp: number }>(
    "SELECT raw, timestamp FROM messages WHERE chat_jid IN (?, ?) AND raw IS NOT NULL ORDER BY timestamp ASC, row_id ASC LIMIT 1",
  )
  const countBefore = db.prepare<[string, string, number], { count: number; oldest: number | null }>(
    "SELECT count(*) AS count, min(timestamp) AS oldest FROM messages WHERE chat_jid IN (?, ?) AND timestamp < ?",
  )
  const knownJid = db.prepare<[string, string, string], { hit: number }>(
    "SELECT 1 AS hit FROM contacts WHERE jid = ? UNION ALL SELECT 1 FROM chats WHERE jid = ? UNION ALL SELECT 1 FROM jid_aliases WHERE pn = ? LIMIT 1",
  )

  const alternate = (jid: string): string | undefined => aliasOf.get(jid, jid)?.other

  const findRaw = (chatJid: string, id: string) => {
    const other = alternate(chatJid) ?? chatJid
    return decodeRaw(rawById.get(id, chatJid, other)?.raw)
  }

  const access = StoreAccess.of({
    counts: Effect.sync(() => counts.get() ?? { chats: 0, contacts: 0, messages: 0 }).pipe(Effect.orDie),
    findMessage: (chatJid, id) => Effect.sync(() => Option.fromNullable(findRaw(chatJid, id))),
    unreadIncoming: (chatJid) =>
      Effect.sync(() => {
        const other = alternate(chatJid) ?? chatJid
        const chat = unreadCount.get(chatJid, other)
        if (chat === undefined) return []
        const count = Math.min(500, Math.max(chat.unread_count, chat.marked_unread ? 1 : 0))
        if (count === 0) return []
        return lastIncoming
          .all(chatJid, other, count)
          .map((row) => decodeRaw(row.raw)?.key)
          .filter((key): key is proto.IMessageKey => key != null)
          .reverse()
      }),
    alternateJid: (jid) => Effect.sync(() => Option.fromNullable(alternate(jid))),
    oldestMessage: (chatJid) =>
      Effect.sync(() => {
        const row = oldestInChat.get(chatJid, alternate(chatJid) ?? chatJid)
        const key = decodeRaw(row?.raw)?.key
        return row === undefined || key == null || !key.id || !key.remoteJid
          ? Option.none()
          : Option.some({ key, timestamp: row.timestamp })
      }),
    storedBefore: (chatJid, timestamp) =>
      Effect.sync(
        () =>
          countBefore.get(chatJid, alternate(chatJid) ?? chatJid, timestamp) ?? { count: 0, oldest: null },
      ),
    knowsJid: (jid) => Effect.sync(() => knownJid.get(jid, jid, jid) !== undefined),
  })

  const lookup = StoreLookup.of({
    getMessage: (key) =>
      Effect.sync(() =>
        key.remoteJid && key.id ? (findRaw(key.remoteJid, key.id)?.message ?? undefined) : undefined,
      ),
    groupMetadata: (jid) =>
      Effect.sync((): GroupMetadata | undefined => {
        const chat = groupChat.get(jid)
        const members = participants.all(jid)
        // Without members Baileys must ask WhatsApp; an empty list would send to nobody.
        if (chat === undefined || members.length === 0) return undefined
        return {
          id: jid,
          subject: chat.name ?? "",
          ...(chat.description === null ? {} : { desc: chat.description }),
          ...(chat.created_at === null ? {} : { creation: chat.created_at }),
          addressingMode: members.some((m) => m.participant_jid.endsWith("@lid")) ? "lid" : "pn",
          participants: members.map((m) => ({
            id: m.participant_jid,
            admin: m.role === "admin" ? "admin" : m.role === "superadmin" ? "superadmin" : null,
          })),
        } as GroupMetadata
      }),
  })

  const sink = EventSink.of({ ingest: (batch) => ingestor.ingest(batch).pipe(Effect.asVoid) })

  return { access, lookup, sink }
})

/** The store's services for the bridge, over an opened store and its ingestor. */
export const layer = (
  storeDir: string,
): Layer.Layer<StoreAccess | StoreLookup | EventSink | MessageStore, StoreOpenError> =>
  Layer.effectContext(
    Effect.map(make, ({ access, lookup, sink }) =>
      Context.make(StoreAccess, access).pipe(Context.add(StoreLookup, lookup), Context.add(EventSink, sink)),
    ),
  ).pipe(
    Layer.provideMerge(Ingestor.Default),
    Layer.provideMerge(MessageStore.layer({ directory: storeDir })),
  )
