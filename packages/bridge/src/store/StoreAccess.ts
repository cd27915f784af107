/**
 * The reads the bridge's actions make on its own store: counts for health, a stored message by
 * (chat, id) for replies, reactions, read marks and downloads, and the other identity of a person
 * (phone JID ↔ LID). Backed by the message store; a small interface so actions test in isolation.
 */
import type { proto } from "@whiskeysockets/baileys"
import { Context, type Effect, type Option } from "effect"

export interface StoreCounts {
  readonly chats: number
  readonly contacts: number
  readonly messages: number
}

/** A chat's oldest stored message: what a request for older history reaches back from. */
export interface OldestMessage {
  readonly key: proto.IMessageKey
  /** Unix seconds, UTC. */
  readonly timestamp: number
}

/** The messages of a chat stored from before a time. */
export interface StoredBefore {
  readonly count: number
  /** Unix seconds of the oldest of them; null when there are none. */
  readonly oldest: number | null
}

export interface StoreAccessShape {
  readonly counts: Effect.Effect<StoreCounts>
  /** The stored raw message; `chatJid` may be either identity of the chat. */
  readonly findMessage: (
    chatJid: string,
    messageId: string,
  ) => Effect.Effect<Option.Option<proto.IWebMessageInfo>>
  /** Keys of incoming messages in the chat not yet marked read by us, newest last. */
  readonly unreadIncoming: (chatJid: string) => Effect.Effect<ReadonlyArray<proto.IMessageKey>>
  /** The phone JID for a LID (or the LID for a phone JID), when known. */
  readonly alternateJid: (jid: string) => Effect.Effect<Option.Option<string>>
  /** The chat's oldest stored message with a key WhatsApp knows; `chatJid` may be either identity. */
  readonly oldestMessage: (chatJid: string) => Effect.Effect<Option.Option<OldestMessage>>
  /** How many messages of the chat are stored from before `timestamp` (Unix seconds). */
  readonly storedBefore: (chatJid: string, timestamp: number) => Effect.Effect<StoredBefore>
  /** Whether the store has this person or chat (the replay bridge's stand-in for "on WhatsApp"). */
  readonly knowsJid: (jid: string) => Effect.Effect<boolean>
}

export class StoreAccess extends Context.Tag("@whatsapp-mcp/bridge/StoreAccess")<
  StoreAccess,
  StoreAccessShape
>() {}
