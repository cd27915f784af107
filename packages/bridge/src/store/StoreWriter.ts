/**
 * Every write the ingestion makes, as prepared statements compiled once per connection. Each write
 * is an idempotent upsert whose merge rules live in the SQL, so replaying an event is a no-op and
 * no write needs to read a row first.
 */

import {
  type ChatKind,
  MessageDeletion,
  type MessageKind,
  type ParticipantRole,
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

/** Contact fields; undefined leaves what is stored. */
export interface ContactFields {
  readonly lid?: string | undefined
  readonly phone?: string | undefined
  readonly addressBookName?: string | undefined
  readonly verifiedName?: string | undefined
  readonly pushName?: string | undefined
  readonly username?: string | undefined
}

/** Chat columns that a chat event sets one at a time. */
export type ChatField =
  | "name"
  | "description"
  | "archived"
  | "pinned_at"
  | "muted_until"
  | "read_only"
  | "ephemeral_seconds"
  | "created_at"

const chatFields: ReadonlyArray<ChatField> = [
  "name",
  "description",
  "archived",
  "pinned_at",
  "muted_until",
  "read_only",
  "ephemeral_seconds",
  "created_at",
]

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
  media_key, media_direct_path, media_url, media_sha256, media_enc_sha256,
  latitude, longitude, vcard, poll_options, quoted_id, quoted_sender_jid,
  stub_type, stub_parameters, status, starred, deleted, deleted_at, raw
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

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

/** Prepared writes against one writer connection. */
export class StoreWriter {
  private readonly insertMessageStatement: Database.Statement
  private readonly upsertMessageStatement: Database.Statement
  private readonly deleteMessageStatement: Database.Statement
  private readonly deleteAllForMeStatement: Database.Statement
  private readonly editMessageStatement: Database.Statement
  private readonly raiseStatusStatement: Database.Statement
  private readonly starStatement: Database.Statement
  private readonly putReactionStatement: Database.Statement
  private readonly removeReactionStatement: Database.Statement
  private readonly ensureChatStatement: Database.Statement
  private readonly touchChatStatement: Database.Statement
  private readonly chatFieldStatements: ReadonlyMap<ChatField, Database.Statement>
  private readonly chatNameSourceStatement: Database.Statement
  private readonly setUnreadStatement: Database.Statement
  private readonly addUnreadStatement: Database.Statement
  private readonly markReadStatement: Database.Statement
  private readonly markUnreadStatement: Database.Statement
  private readonly refreshDirectChatNameStatement: Database.Statement
  private readonly deleteChatStatements: ReadonlyArray<Database.Statement>
  private readonly upsertContactStatement: Database.Statement
  private readonly clearAddressBookNameStatement: Database.Statement
  private readonly putParticipantStatement: Database.Statement
  private readonly removeParticipantStatement: Database.Statement
  private readonly clearParticipantsStatement: Database.Statement
  private readonly putAliasStatement: Database.Statement
  private readonly rekeyStatements: ReadonlyArray<Database.Statement>
  private readonly putAccountStatement: Database.Statement
  private readonly claimOwnMessagesStatements: ReadonlyArray<Database.Statement>
  private readonly putHistoryChunkStatement: Database.Statement
  private readonly putHistoryStatusStatement: Database.Statement
  private readonly deferIndexingStatement: Database.Statement
  private readonly indexDeferredStatement: Database.Statement
  private readonly endDeferredIndexingStatement: Database.Statement
  private readonly savepointStatement: Database.Statement
  private readonly releaseStatement: Database.Statement
  private readonly rollbackToStatement: Database.Statement

  /**
   * Set while a new store is loaded without its full-text triggers (`MessageIndexes`): the index is
   * rebuilt once at the end, so batches skip their own indexing.
   */
  fullTextRebuiltLater = false

  constructor(readonly db: Database.Database) {
    this.insertMessageStatement = db.prepare(insertMessageSql)
    this.upsertMessageStatement = db.prepare(
      `${insertMessageSql.replace("INSERT OR IGNORE", "INSERT")}\n${mergeMessageSql}`,
    )
    this.deleteMessageStatement = db.prepare(`
      INSERT INTO messages (chat_jid, id, from_me, sender_jid, timestamp, kind, deleted, deleted_at)
      VALUES (?, ?, ?, ?, ?, 'unknown', ?, ?)
      ON CONFLICT (id, chat_jid) DO UPDATE SET
        deleted = CASE WHEN messages.deleted = ${forMe} OR excluded.deleted = ${forMe} THEN ${forMe} ELSE ${revoked} END,
        deleted_at = COALESCE(messages.deleted_at, excluded.deleted_at),
        ${contentColumnsCleared}`)
    this.deleteAllForMeStatement = db.prepare(`
      UPDATE messages SET deleted = ${forMe}, ${contentColumnsCleared}
      WHERE chat_jid = ? AND ${visibleToMe()}`)
    this.editMessageStatement = db.prepare(`
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
    this.ensureChatStatement = db.prepare(
      "INSERT INTO chats (jid, kind) VALUES (?, ?) ON CONFLICT (jid) DO NOTHING",
    )
    this.touchChatStatement = db.prepare(`
      INSERT INTO chats (jid, kind, last_message_time) VALUES (?, ?, ?)
      ON CONFLICT (jid) DO UPDATE SET last_message_time = max(COALESCE(last_message_time, 0), excluded.last_message_time)`)
    this.chatFieldStatements = new Map(
      chatFields.map((field) => [field, db.prepare(`UPDATE chats SET ${field} = ? WHERE jid = ?`)]),
    )
    this.chatNameSourceStatement = db.prepare("UPDATE chats SET name = ?, name_source = ? WHERE jid = ?")
    this.setUnreadStatement = db.prepare(`
      UPDATE chats SET unread_count = @count,
        unread_counted_to = COALESCE(max(unread_counted_to, @asOf), unread_counted_to, @asOf)
      WHERE jid = @jid AND (@asOf IS NULL OR unread_counted_to IS NULL OR @asOf >= unread_counted_to)`)
    this.addUnreadStatement = db.prepare(`
      UPDATE chats SET unread_count = unread_count + @count, unread_counted_to = @asOf
      WHERE jid = @jid AND @asOf > COALESCE(unread_counted_to, 0)`)
    this.markReadStatement = db.prepare("UPDATE chats SET unread_count = 0, marked_unread = 0 WHERE jid = ?")
    this.markUnreadStatement = db.prepare("UPDATE chats SET marked_unread = 1 WHERE jid = ?")
    this.refreshDirectChatNameStatement = db.prepare(`
      UPDATE chats SET
        name = COALESCE(
          (SELECT display_name FROM contacts WHERE contacts.jid = chats.jid),
          CASE WHEN jid LIKE '%@s.whatsapp.net' THEN '+' || substr(jid, 1, instr(jid, '@') - 1) END),
        name_source = COALESCE(
          (SELECT display_name_source FROM contacts WHERE contacts.jid = chats.jid),
          CASE WHEN jid LIKE '%@s.whatsapp.net' THEN 'phone' END)
      WHERE jid = ? AND kind = 'direct'`)
    this.deleteChatStatements = [
      db.prepare("DELETE FROM reactions WHERE chat_jid = ?"),
      db.prepare("DELETE FROM messages WHERE chat_jid = ?"),
      db.prepare("DELETE FROM chats WHERE jid = ?"),
    ]
    this.upsertContactStatement = db.prepare(`
      INSERT INTO contacts (jid, lid, phone, address_book_name, verified_name, push_name, username)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (jid) DO UPDATE SET
        lid = COALESCE(excluded.lid, contacts.lid),
        phone = COALESCE(excluded.phone, contacts.phone),
        address_book_name = COALESCE(excluded.address_book_name, contacts.address_book_name),
        verified_name = COALESCE(excluded.verified_name, contacts.verified_name),
        push_name = COALESCE(excluded.push_name, contacts.push_name),
        username = COALESCE(excluded.username, contacts.username)`)
    this.clearAddressBookNameStatement = db.prepare(
      "UPDATE contacts SET address_book_name = NULL WHERE jid = ?",
    )
    this.putParticipantStatement = db.prepare(`
      INSERT INTO group_participants (group_jid, participant_jid, role) VALUES (?, ?, ?)
      ON CONFLICT (group_jid, participant_jid) DO UPDATE SET role = excluded.role`)
    this.removeParticipantStatement = db.prepare(
      "DELETE FROM group_participants WHERE group_jid = ? AND participant_jid = ?",
    )
    this.clearParticipantsStatement = db.prepare("DELETE FROM group_participants WHERE group_jid = ?")
    this.putAliasStatement = db.prepare(
      "INSERT INTO jid_aliases (lid, pn) VALUES (?, ?) ON CONFLICT (lid) DO UPDATE SET pn = excluded.pn",
    )
    // Re-keying a LID to its phone JID (@lid → @pn). Where both keys
    // already hold a row, the rows are merged rather than duplicated.
    this.rekeyStatements = [
      // messages: a placeholder under the phone JID gives way to real content under the LID…
      db.prepare(`
        DELETE FROM messages WHERE chat_jid = @pn AND kind IN ${placeholderKinds}
          AND deleted IS NULL AND edited_at IS NULL
          AND id IN (SELECT id FROM messages WHERE chat_jid = @lid)`),
      // …otherwise the row already under the phone JID wins.
      db.prepare(
        "DELETE FROM messages WHERE chat_jid = @lid AND id IN (SELECT id FROM messages WHERE chat_jid = @pn)",
      ),
      db.prepare("UPDATE messages SET chat_jid = @pn WHERE chat_jid = @lid"),
      db.prepare("UPDATE messages SET sender_jid = @pn WHERE sender_jid = @lid"),
      db.prepare("UPDATE messages SET quoted_sender_jid = @pn WHERE quoted_sender_jid = @lid"),
      // reactions: keep the newer of two reactions by one person to one message
      db.prepare(`
        DELETE FROM reactions AS r WHERE r.chat_jid = @lid AND EXISTS (
          SELECT 1 FROM reactions AS p WHERE p.chat_jid = @pn AND p.message_id = r.message_id
            AND p.sender_jid = r.sender_jid AND p.timestamp >= r.timestamp)`),
      db.prepare("UPDATE OR REPLACE reactions SET chat_jid = @pn WHERE chat_jid = @lid"),
      db.prepare(`
        DELETE FROM reactions AS r WHERE r.sender_jid = @lid AND EXISTS (
          SELECT 1 FROM reactions AS p WHERE p.sender_jid = @pn AND p.chat_jid = r.chat_jid
            AND p.message_id = r.message_id AND p.timestamp >= r.timestamp)`),
      db.prepare("UPDATE OR REPLACE reactions SET sender_jid = @pn WHERE sender_jid = @lid"),
      db.prepare(
        "UPDATE OR IGNORE group_participants SET participant_jid = @pn WHERE participant_jid = @lid",
      ),
      db.prepare("DELETE FROM group_participants WHERE participant_jid = @lid"),
      // chats: fold the LID chat into the phone chat
      db.prepare(`
        INSERT INTO chats (jid, kind, name, name_source, description, last_message_time, unread_count,
          marked_unread, unread_counted_to, archived, pinned_at, muted_until, read_only, ephemeral_seconds, created_at)
        SELECT @pn, kind, name, name_source, description, last_message_time, unread_count,
          marked_unread, unread_counted_to, archived, pinned_at, muted_until, read_only, ephemeral_seconds, created_at
        FROM chats WHERE jid = @lid
        ON CONFLICT (jid) DO UPDATE SET
          last_message_time = max(COALESCE(chats.last_message_time, 0), COALESCE(excluded.last_message_time, 0)),
          unread_count = max(chats.unread_count, excluded.unread_count),
          marked_unread = max(chats.marked_unread, excluded.marked_unread),
          unread_counted_to = max(COALESCE(chats.unread_counted_to, 0), COALESCE(excluded.unread_counted_to, 0)),
          archived = max(chats.archived, excluded.archived),
          pinned_at = COALESCE(chats.pinned_at, excluded.pinned_at),
          muted_until = COALESCE(chats.muted_until, excluded.muted_until),
          ephemeral_seconds = COALESCE(chats.ephemeral_seconds, excluded.ephemeral_seconds)`),
      db.prepare("DELETE FROM chats WHERE jid = @lid"),
      // contacts: fold the LID contact into the phone contact, the phone contact's names first
      db.prepare(`
        INSERT INTO contacts (jid, lid, phone, address_book_name, verified_name, push_name, username)
        SELECT @pn, @lid, NULL, address_book_name, verified_name, push_name, username FROM contacts WHERE jid = @lid
        ON CONFLICT (jid) DO UPDATE SET
          lid = @lid,
          address_book_name = COALESCE(contacts.address_book_name, excluded.address_book_name),
          verified_name = COALESCE(contacts.verified_name, excluded.verified_name),
          push_name = COALESCE(contacts.push_name, excluded.push_name),
          username = COALESCE(contacts.username, excluded.username)`),
      db.prepare("DELETE FROM contacts WHERE jid = @lid"),
      db.prepare(`
        UPDATE contacts SET lid = @lid,
          phone = CASE WHEN @pn LIKE '%@s.whatsapp.net' THEN substr(@pn, 1, instr(@pn, '@') - 1) ELSE phone END
        WHERE jid = @pn`),
    ]
    this.putAccountStatement = db.prepare(
      "INSERT INTO account (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    this.claimOwnMessagesStatements = [
      db.prepare("UPDATE messages SET sender_jid = @self WHERE sender_jid IS NULL AND from_me = 1"),
      db.prepare("UPDATE OR REPLACE reactions SET sender_jid = @self WHERE sender_jid = '' AND from_me = 1"),
    ]
    this.putHistoryChunkStatement = db.prepare(`
      INSERT INTO history_sync_chunks (sync_type, chunk_order, progress, is_latest, messages, chats, contacts)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (sync_type, chunk_order) DO UPDATE SET
        progress = excluded.progress, is_latest = excluded.is_latest, messages = excluded.messages,
        chats = excluded.chats, contacts = excluded.contacts`)
    this.putHistoryStatusStatement = db.prepare(`
      INSERT INTO history_sync_status (sync_type, status, explicit) VALUES (?, ?, ?)
      ON CONFLICT (sync_type) DO UPDATE SET status = excluded.status, explicit = excluded.explicit`)
    this.deferIndexingStatement = db.prepare(
      "UPDATE messages_fts_pending SET watermark = (SELECT COALESCE(MAX(row_id), 0) FROM messages)",
    )
    this.indexDeferredStatement = db.prepare(`
      INSERT INTO messages_fts (rowid, text, media_file_name)
      SELECT search_key, text, media_file_name FROM messages
      WHERE row_id > (SELECT watermark FROM messages_fts_pending)
      ORDER BY search_key`)
    this.endDeferredIndexingStatement = db.prepare("UPDATE messages_fts_pending SET watermark = NULL")
    this.savepointStatement = db.prepare("SAVEPOINT ingest_event")
    this.releaseStatement = db.prepare("RELEASE ingest_event")
    this.rollbackToStatement = db.prepare("ROLLBACK TO ingest_event")
  }

  /**
   * Stores a message, merging it into the row already stored under its key. A plain insert is
   * tried first: an upsert costs twice as much even when nothing conflicts.
   */
  upsertMessage(row: MessageRow): void {
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
    if (this.insertMessageStatement.run(...args).changes === 0) this.upsertMessageStatement.run(...args)
  }

  /**
   * Marks a message deleted (for everyone or for this account) and drops its content. A deletion
   * that arrives before its message leaves a tombstone the message cannot revive.
   */
  deleteMessage(
    chatJid: string,
    id: string,
    deletion: MessageDeletion,
    tombstone: { readonly fromMe: boolean; readonly senderJid: string | null; readonly at: number | null },
  ): void {
    this.deleteMessageStatement.run(
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
  editMessage(
    chatJid: string,
    id: string,
    text: string | null,
    editedAt: number,
    original: { readonly fromMe: boolean; readonly senderJid: string | null },
  ): void {
    this.editMessageStatement.run(
      chatJid,
      id,
      original.fromMe ? 1 : 0,
      original.senderJid,
      editedAt,
      text,
      editedAt,
    )
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

  ensureChat(jid: string, kind: ChatKind): void {
    this.ensureChatStatement.run(jid, kind)
  }

  /** Creates the chat if needed and moves its last activity forward to `time`. */
  touchChat(jid: string, kind: ChatKind, time: number): void {
    this.touchChatStatement.run(jid, kind, time)
  }

  setChatField(jid: string, field: ChatField, value: string | number | null): void {
    this.chatFieldStatements.get(field)?.run(value, jid)
  }

  setChatName(jid: string, name: string, source: "subject" | "chat"): void {
    this.chatNameSourceStatement.run(name, source, jid)
  }

  /** Sets the unread count as WhatsApp reports it, unless a newer count is already stored. */
  setUnread(jid: string, count: number, asOf: number | null): void {
    this.setUnreadStatement.run({ jid, count, asOf })
  }

  /** Adds unread messages that arrived at `asOf`; a replay of the same arrival adds nothing. */
  addUnread(jid: string, count: number, asOf: number): void {
    this.addUnreadStatement.run({ jid, count, asOf })
  }

  markRead(jid: string): void {
    this.markReadStatement.run(jid)
  }

  markUnread(jid: string): void {
    this.markUnreadStatement.run(jid)
  }

  /** Recomputes a direct chat's name from its contact (or its phone number). */
  refreshDirectChatName(jid: string): void {
    this.refreshDirectChatNameStatement.run(jid)
  }

  /** Deletes a chat with its messages and reactions. */
  deleteChat(jid: string): void {
    for (const statement of this.deleteChatStatements) statement.run(jid)
  }

  upsertContact(jid: string, fields: ContactFields): void {
    this.upsertContactStatement.run(
      jid,
      fields.lid ?? null,
      fields.phone ?? null,
      fields.addressBookName ?? null,
      fields.verifiedName ?? null,
      fields.pushName ?? null,
      fields.username ?? null,
    )
  }

  /** The person was removed from the address book: their other names show again. */
  clearAddressBookName(jid: string): void {
    this.clearAddressBookNameStatement.run(jid)
  }

  putParticipant(groupJid: string, participantJid: string, role: ParticipantRole): void {
    this.putParticipantStatement.run(groupJid, participantJid, role)
  }

  removeParticipant(groupJid: string, participantJid: string): void {
    this.removeParticipantStatement.run(groupJid, participantJid)
  }

  clearParticipants(groupJid: string): void {
    this.clearParticipantsStatement.run(groupJid)
  }

  /** Records that a LID and a phone JID are one person, and re-keys every row written under the LID. */
  unifyIdentity(lid: string, pn: string): void {
    this.putAliasStatement.run(lid, pn)
    for (const statement of this.rekeyStatements) statement.run({ lid, pn })
  }

  putAccount(key: string, value: string): void {
    this.putAccountStatement.run(key, value)
  }

  /** Gives the user's own messages and reactions their sender once the account's JID is known. */
  claimOwnMessages(selfJid: string): void {
    for (const statement of this.claimOwnMessagesStatements) statement.run({ self: selfJid })
  }

  putHistoryChunk(chunk: {
    readonly syncType: string
    readonly chunkOrder: number
    readonly progress: number | null
    readonly isLatest: boolean
    readonly messages: number
    readonly chats: number
    readonly contacts: number
  }): void {
    this.putHistoryChunkStatement.run(
      chunk.syncType,
      chunk.chunkOrder,
      chunk.progress,
      chunk.isLatest ? 1 : 0,
      chunk.messages,
      chunk.chats,
      chunk.contacts,
    )
  }

  putHistoryStatus(syncType: string, status: string, explicit: boolean): void {
    this.putHistoryStatusStatement.run(syncType, status, explicit ? 1 : 0)
  }

  /**
   * Runs `apply` (inside the caller's transaction) with full-text indexing of new messages
   * deferred to one statement at the end; updates and deletes of older rows stay trigger-synced.
   */
  withDeferredIndexing<A>(apply: () => A): A {
    if (this.fullTextRebuiltLater) return apply()
    this.deferIndexingStatement.run()
    const result = apply()
    this.indexDeferredStatement.run()
    this.endDeferredIndexingStatement.run()
    return result
  }

  /** Runs `apply` inside a savepoint: if it throws, its writes are undone and the error rethrown. */
  withinSavepoint<A>(apply: () => A): A {
    this.savepointStatement.run()
    try {
      const result = apply()
      this.releaseStatement.run()
      return result
    } catch (error) {
      if (this.db.inTransaction) {
        this.rollbackToStatement.run()
        this.releaseStatement.run()
      }
      throw error
    }
  }
}
