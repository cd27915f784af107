/**
 * The ingestion's writes about who is who: the LID↔phone pairs WhatsApp reveals, with the re-keying
 * of every row written under a LID once its phone JID is known, and the linked account's identity.
 */

import { PlaceholderMessageKinds, sqlList } from "@whatsapp-mcp/core/store"
import type Database from "better-sqlite3"

const placeholderKinds = sqlList(PlaceholderMessageKinds)

/**
 * Moves the reactions keyed by a LID in `column` to the phone JID. One person's reaction to one
 * message exists once, so where both keys hold one, the newer is kept.
 */
const rekeyReactions = (
  column: "chat_jid" | "sender_jid",
  other: "chat_jid" | "sender_jid",
): ReadonlyArray<string> => [
  `DELETE FROM reactions AS r WHERE r.${column} = @lid AND EXISTS (
    SELECT 1 FROM reactions AS p WHERE p.${column} = @pn AND p.${other} = r.${other}
      AND p.message_id = r.message_id AND p.timestamp >= r.timestamp)`,
  `UPDATE OR REPLACE reactions SET ${column} = @pn WHERE ${column} = @lid`,
]

/** The names a contact goes by. */
const contactNames = ["address_book_name", "verified_name", "push_name", "username"]

/** When a LID's row folds into its phone JID's, the phone's row keeps each of `columns` it has. */
const keepStored = (table: "chats" | "contacts", columns: ReadonlyArray<string>): string =>
  columns.map((column) => `${column} = COALESCE(${table}.${column}, excluded.${column})`).join(",\n")

/** Prepared identity writes against one writer connection. */
export class IdentityWriter {
  private readonly putAliasStatement: Database.Statement
  private readonly rekeyStatements: ReadonlyArray<Database.Statement>
  private readonly putAccountStatement: Database.Statement
  private readonly claimOwnMessagesStatements: ReadonlyArray<Database.Statement>

  constructor(db: Database.Database) {
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
      ...rekeyReactions("chat_jid", "sender_jid").map((sql) => db.prepare(sql)),
      ...rekeyReactions("sender_jid", "chat_jid").map((sql) => db.prepare(sql)),
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
          ${keepStored("chats", ["pinned_at", "muted_until", "ephemeral_seconds"])}`),
      db.prepare("DELETE FROM chats WHERE jid = @lid"),
      // contacts: fold the LID contact into the phone contact, the phone contact's names first
      db.prepare(`
        INSERT INTO contacts (jid, lid, phone, ${contactNames.join(", ")})
        SELECT @pn, @lid, NULL, ${contactNames.join(", ")} FROM contacts WHERE jid = @lid
        ON CONFLICT (jid) DO UPDATE SET
          lid = @lid,
          ${keepStored("contacts", contactNames)}`),
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
}
