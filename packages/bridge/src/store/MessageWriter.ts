/**
 * The ingestion's writes to messages and their reactions. Each is an idempotent upsert whose merge
 * rules live in the SQL: a replayed message changes nothing, a deletion is never undone by a late
 * copy of the message, an edit never by a late copy of the original.
 */

import {
  MessageDeletion,
  type MessageKind,
  PlaceholderMessageKinds,
  sqlList,
  visibleToMe,
} from "@whatsapp-mcp/core/store"
import type Database from "better-sqlite3"

// The store's closed sets, spelled as SQL literals once (core's values are fixed words, never input).
const forMe = `'${MessageDeletion.forMe}'`
const revoked = `'${MessageDeletion.revoked}'`
const placeholderKinds = sqlList(PlaceholderMessageKinds)

/** The content columns of a `messages` row. */
export interface MessageContentColumns {
  readonly kind: MessageKind
  readonly text: string | null
  readonly mediaMimetype: string | null
  readonly mediaFileName: string | null
  readonly mediaSize: number | null
  readonly mediaSeconds: number | null
  readonly mediaWidth: number | null
  readonly mediaHeight: number | null
  readonly mediaKey: Uint8Array | null
  readonly mediaDirectPath: string | null
  readonly mediaUrl: string | null
  readonly mediaSha256: Uint8Array | null
  readonly mediaEncSha256: Uint8Array | null
  /** the sender's small preview of a photo, video or sticker */
  readonly mediaThumbnail: Uint8Array | null
  readonly latitude: number | null
  readonly longitude: number | null
  readonly vcard: string | null
  /** JSON array of option names */
  readonly pollOptions: string | null
  readonly quotedId: string | null
  /** the quoted message's author as written on the wire (made canonical by the writer's caller) */
  readonly quotedSender: string | null
}

/** A `messages` row as the ingestion writes it. */
export interface MessageRow {
  readonly chatJid: string
  readonly id: string
  readonly fromMe: boolean
  readonly senderJid: string | null
  readonly timestamp: number
  readonly content: MessageContentColumns
  readonly quotedSenderJid: string | null
  readonly stubType: number | null
  readonly stubParameters: string | null
  readonly status: number | null
  readonly starred: boolean
  readonly deleted: MessageDeletion | null
  readonly deletedAt: number | null
  readonly raw: Uint8Array | null
}

const toBlob = (bytes: Uint8Array | null): Buffer | null =>
  bytes === null
    ? null
    : Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Content columns are taken from an incoming message unless it is a placeholder (`ciphertext`,
 * `view_once`, `unknown`) and real content is stored. Deleted rows never get content back; an edited text is
 * never reverted by a late copy of the original.
 */
const insertMessageSql = `
INSERT OR IGNORE INTO messages (
  chat_jid, id, from_me, sender_jid, timestamp, kind, text,
  media_mimetype, media_file_name, media_size, media_seconds, media_width, media_height,
  media_key, media_direct_path, media_url, media_sha256, media_enc_sha256, media_thumbnail,
  latitude, longitude, vcard, poll_options, quoted_id, quoted_sender_jid,
  stub_type, stub_parameters, status, starred, deleted, deleted_at, raw
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** What a message carries beside its text: media pointers, location, contact cards, poll options. */
const payloadColumns = [
  "media_mimetype",
  "media_file_name",
  "media_size",
  "media_seconds",
  "media_width",
  "media_height",
  "media_key",
  "media_direct_path",
  "media_url",
  "media_sha256",
  "media_enc_sha256",
  "media_thumbnail",
  "latitude",
  "longitude",
  "vcard",
  "poll_options",
]

const mergeMessageSql = `ON CONFLICT (id, chat_jid) DO UPDATE SET
  from_me = CASE WHEN ${replaces()} THEN excluded.from_me ELSE messages.from_me END,
  sender_jid = COALESCE(excluded.sender_jid, messages.sender_jid),
  timestamp = CASE WHEN ${replaces()} AND excluded.timestamp > 0 THEN excluded.timestamp ELSE messages.timestamp END,
  kind = CASE WHEN ${replaces()} THEN excluded.kind ELSE messages.kind END,
  text = CASE
    WHEN ${deletedAfter()} IS NOT NULL THEN NULL
    WHEN messages.edited_at IS NOT NULL OR NOT ${replaces()} THEN messages.text
    ELSE excluded.text
  END,
  ${[...payloadColumns, "quoted_id", "quoted_sender_jid"]
    .map(
      (column) =>
        `${column} = CASE WHEN ${deletedAfter()} IS NOT NULL THEN NULL WHEN ${replaces()} THEN excluded.${column} ELSE messages.${column} END`,
    )
    .join(",\n  ")},
  stub_type = CASE WHEN ${replaces()} THEN excluded.stub_type ELSE messages.stub_type END,
  stub_parameters = CASE WHEN ${replaces()} THEN excluded.stub_parameters ELSE messages.stub_parameters END,
  status = CASE
    WHEN messages.status IS NULL THEN excluded.status
    WHEN excluded.status IS NULL THEN messages.status
    ELSE max(messages.status, excluded.status)
  END,
  starred = max(messages.starred, excluded.starred),
  deleted = ${deletedAfter()},
  deleted_at = COALESCE(messages.deleted_at, excluded.deleted_at),
  raw = CASE WHEN ${deletedAfter()} IS NOT NULL THEN NULL WHEN ${replaces()} THEN excluded.raw ELSE messages.raw END`

function replaces(): string {
  return `(excluded.kind NOT IN ${placeholderKinds} OR messages.kind IN ${placeholderKinds})`
}

function deletedAfter(): string {
  return `(CASE WHEN messages.deleted = ${forMe} OR excluded.deleted = ${forMe} THEN ${forMe}
    ELSE COALESCE(messages.deleted, excluded.deleted) END)`
}

const contentColumnsCleared = ["text", ...payloadColumns, "raw"]
  .map((column) => `${column} = NULL`)
  .join(", ")

/** Prepared message and reaction writes against one writer connection. */
export class MessageWriter {
  private readonly insertStatement: Database.Statement
  private readonly upsertStatement: Database.Statement
  private readonly deleteStatement: Database.Statement
  private readonly deleteAllForMeStatement: Database.Statement
  private readonly editStatement: Database.Statement
  private readonly raiseStatusStatement: Database.Statement
  private readonly starStatement: Database.Statement
  private readonly putReactionStatement: Database.Statement
  private readonly removeReactionStatement: Database.Statement

  constructor(db: Database.Database) {
    this.insertStatement = db.prepare(insertMessageSql)
    this.upsertStatement = db.prepare(
      `${insertMessageSql.replace("INSERT OR IGNORE", "INSERT")}\n${mergeMessageSql}`,
    )
    this.deleteStatement = db.prepare(`
      INSERT INTO messages (chat_jid, id, from_me, sender_jid, timestamp, kind, deleted, deleted_at)
      VALUES (?, ?, ?, ?, ?, 'unknown', ?, ?)
      ON CONFLICT (id, chat_jid) DO UPDATE SET
        deleted = CASE WHEN messages.deleted = ${forMe} OR excluded.deleted = ${forMe} THEN ${forMe} ELSE ${revoked} END,
        deleted_at = COALESCE(messages.deleted_at, excluded.deleted_at),
        ${contentColumnsCleared}`)
    this.deleteAllForMeStatement = db.prepare(`
      UPDATE messages SET deleted = ${forMe}, ${contentColumnsCleared}
      WHERE chat_jid = ? AND ${visibleToMe()}`)
    this.editStatement = db.prepare(`
      INSERT INTO messages (chat_jid, id, from_me, sender_jid, timestamp, kind, text, edited_at)
      VALUES (?, ?, ?, ?, ?, 'text', ?, ?)
      ON CONFLICT (id, chat_jid) DO UPDATE SET
        text = CASE
          WHEN messages.deleted IS NOT NULL THEN NULL
          WHEN messages.edited_at IS NULL OR excluded.edited_at >= messages.edited_at THEN excluded.text
          ELSE messages.text
        END,
        edited_at = max(COALESCE(messages.edited_at, 0), excluded.edited_at)`)
    this.raiseStatusStatement = db.prepare(
      "UPDATE messages SET status = @status WHERE id = @id AND chat_jid = @chat AND (status IS NULL OR status < @status)",
    )
    this.starStatement = db.prepare("UPDATE messages SET starred = ? WHERE id = ? AND chat_jid = ?")
    this.putReactionStatement = db.prepare(`
      INSERT INTO reactions (chat_jid, message_id, sender_jid, from_me, emoji, timestamp) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (chat_jid, message_id, sender_jid) DO UPDATE SET
        emoji = excluded.emoji, timestamp = excluded.timestamp, from_me = excluded.from_me
      WHERE excluded.timestamp >= reactions.timestamp`)
    this.removeReactionStatement = db.prepare(
      "DELETE FROM reactions WHERE chat_jid = ? AND message_id = ? AND sender_jid = ? AND timestamp <= ?",
    )
  }

  /**
   * Stores a message, merging it into the row already stored under its key. A plain insert is
   * tried first: an upsert costs more even when nothing conflicts.
   */
  upsert(row: MessageRow): void {
    const c = row.content
    const args = [
      row.chatJid,
      row.id,
      row.fromMe ? 1 : 0,
      row.senderJid,
      row.timestamp,
      c.kind,
      c.text,
      c.mediaMimetype,
      c.mediaFileName,
      c.mediaSize,
      c.mediaSeconds,
      c.mediaWidth,
      c.mediaHeight,
      toBlob(c.mediaKey),
      c.mediaDirectPath,
      c.mediaUrl,
      toBlob(c.mediaSha256),
      toBlob(c.mediaEncSha256),
      toBlob(c.mediaThumbnail),
      c.latitude,
      c.longitude,
      c.vcard,
      c.pollOptions,
      c.quotedId,
      row.quotedSenderJid,
      row.stubType,
      row.stubParameters,
      row.status,
      row.starred ? 1 : 0,
      row.deleted,
      row.deletedAt,
      toBlob(row.raw),
    ]
    // spread, not the array: better-sqlite3 reads an array's items one API call at a time
    if (this.insertStatement.run(...args).changes === 0) this.upsertStatement.run(...args)
  }

  /**
   * Marks a message deleted (for everyone or for this account) and drops its content. A deletion
   * that arrives before its message leaves a tombstone the message cannot revive.
   */
  delete(
    chatJid: string,
    id: string,
    deletion: MessageDeletion,
    tombstone: { readonly fromMe: boolean; readonly senderJid: string | null; readonly at: number | null },
  ): void {
    this.deleteStatement.run(
      chatJid,
      id,
      tombstone.fromMe ? 1 : 0,
      tombstone.senderJid,
      tombstone.at ?? 0,
      deletion,
      tombstone.at,
    )
  }

  /** "Clear chat" on this account: every message of the chat is deleted for me. */
  deleteAllForMe(chatJid: string): void {
    this.deleteAllForMeStatement.run(chatJid)
  }

  /** Replaces a message's text with an edit, unless a later edit is already stored. */
  edit(
    chatJid: string,
    id: string,
    text: string | null,
    editedAt: number,
    original: { readonly fromMe: boolean; readonly senderJid: string | null },
  ): void {
    this.editStatement.run(chatJid, id, original.fromMe ? 1 : 0, original.senderJid, editedAt, text, editedAt)
  }

  /** Raises a message's delivery status; a lower one never replaces a higher one. */
  raiseStatus(chatJid: string, id: string, status: number): void {
    this.raiseStatusStatement.run({ status, chat: chatJid, id })
  }

  setStarred(chatJid: string, id: string, starred: boolean): void {
    this.starStatement.run(starred ? 1 : 0, id, chatJid)
  }

  /** Stores a person's reaction to a message, unless a newer one of theirs is stored. */
  putReaction(
    chatJid: string,
    messageId: string,
    senderJid: string,
    fromMe: boolean,
    emoji: string,
    timestamp: number,
  ): void {
    this.putReactionStatement.run(chatJid, messageId, senderJid, fromMe ? 1 : 0, emoji, timestamp)
  }

  /** Removes a person's reaction, unless they reacted again after the removal. */
  removeReaction(chatJid: string, messageId: string, senderJid: string, timestamp: number): void {
    this.removeReactionStatement.run(chatJid, messageId, senderJid, timestamp)
  }
}
