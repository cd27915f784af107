/**
 * The digest's SQL, in one module: the chats with unread messages, and the latest incoming messages
 * of each, in two statements whatever the number of chats.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreQueries } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

export interface UnreadChat {
  readonly jid: string
  readonly kind: string
  readonly unread_count: number
  readonly last_message_time: number
}

export interface IncomingMessage extends StoreQueries.ContentRow {
  readonly chat_jid: string
  readonly id: string
  readonly sender_jid: string | null
  readonly timestamp: number
}

/** Unread chats active at or after `since` (Unix seconds), most recently active first. */
export const unreadChats = (
  since: number,
  limit: number,
): Effect.Effect<ReadonlyArray<UnreadChat>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<UnreadChat>`
      SELECT jid, kind, unread_count, last_message_time FROM chats
      WHERE unread_count > 0 AND last_message_time >= ${since}
      ORDER BY last_message_time DESC
      LIMIT ${limit}`,
  )

/**
 * The latest `perChat` messages others sent in each chat, at or after `since`, newest first.
 * A window over each chat's recent messages: the (chat_jid, timestamp) index bounds the scan.
 */
export const latestIncoming = (
  chats: ReadonlyArray<string>,
  since: number,
  perChat: number,
): Effect.Effect<ReadonlyArray<IncomingMessage>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<IncomingMessage>`
      SELECT chat_jid, id, sender_jid, timestamp, kind, text, media_file_name, deleted, stub_type, stub_parameters
      FROM (
        SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.chat_jid ORDER BY m.timestamp DESC) AS position
        FROM json_each(${StoreQueries.jsonList(chats)}) c
        JOIN messages m ON m.chat_jid = c.value AND m.timestamp >= ${since}
        WHERE m.from_me = 0 AND m.kind <> 'system'
      )
      WHERE position <= ${perChat}
      ORDER BY chat_jid, timestamp DESC`,
  )
