/** The plugin's SQL, in one module: how many messages each chat had in a time window. */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreQueries } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

export interface ChatCount {
  readonly chat_jid: string
  /** NULL when nothing in the store names the chat: `StoreQueries.fallbackName` names it then. */
  readonly chat_name: string | null
  readonly messages: number
  readonly sent_by_you: number
  /** Unix seconds (UTC), as the store keeps every time. */
  readonly last_message_time: number
}

/**
 * Messages per chat with `after <= timestamp < before` (Unix seconds), busiest chat first, at most
 * `limit` chats. System notices (someone joined, the group's name changed) and deleted messages do
 * not count. The messages_time index bounds the scan to the window.
 */
export const messageCountsPerChat = (
  after: number,
  before: number,
  limit: number,
): Effect.Effect<ReadonlyArray<ChatCount>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<ChatCount>`
      SELECT c.chat_jid,
        ${sql.literal(StoreQueries.chatNameSql("c.chat_jid", "ch.name", "co.display_name"))} AS chat_name,
        c.messages, c.sent_by_you, c.last_message_time
      FROM (
        SELECT chat_jid, count(*) AS messages, sum(from_me) AS sent_by_you, max(timestamp) AS last_message_time
        FROM messages
        WHERE timestamp >= ${after} AND timestamp < ${before} AND kind <> 'system' AND deleted IS NULL
        GROUP BY chat_jid
      ) c
      LEFT JOIN chats ch ON ch.jid = c.chat_jid
      LEFT JOIN contacts co ON co.jid = c.chat_jid
      ORDER BY c.messages DESC, c.last_message_time DESC
      LIMIT ${limit}`,
  )
