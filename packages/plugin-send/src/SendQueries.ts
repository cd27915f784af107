/** The send plugin's reads of the store: what a confirmation shows about the message reacted to. */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreQueries } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

/** A stored message as a confirmation names it: who wrote it, when, and a one-line preview. */
export interface StoredMessage {
  readonly fromMe: boolean
  readonly sender: string | null
  readonly timestamp: number
  readonly preview: string
}

/** The message `id` of the chat stored under any of `chatJids`, if the store has it. */
export const storedMessage = (
  chatJids: ReadonlyArray<string>,
  id: string,
): Effect.Effect<StoredMessage | undefined, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<
      StoreQueries.ContentRow & { from_me: number; sender_jid: string | null; timestamp: number }
    >`
      SELECT m.kind, m.text, m.media_file_name, m.deleted, m.stub_type, m.stub_parameters,
             m.from_me, m.sender_jid, m.timestamp
      FROM messages m
      WHERE m.id = ${id} AND m.chat_jid IN (SELECT value FROM json_each(${StoreQueries.jsonList(chatJids)}))
      LIMIT 1`
    const row = rows[0]
    if (row === undefined) return undefined
    return {
      fromMe: row.from_me === 1,
      sender: row.sender_jid,
      timestamp: row.timestamp,
      preview: StoreQueries.previewOf(row, 200),
    }
  })
