/**
 * The ingestion's writes to chats, contacts and group participants: a chat's activity and unread
 * count only move forward, and a contact's names fill in without erasing what another event said.
 */

import type { ChatKind, ParticipantRole } from "@whatsapp-mcp/core/store"
import type Database from "better-sqlite3"

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

/** Prepared chat, contact and participant writes against one writer connection. */
export class ChatWriter {
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

  constructor(db: Database.Database) {
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
}
