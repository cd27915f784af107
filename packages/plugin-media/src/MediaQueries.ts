/**
 * Every SQL statement of the media plugin: the thumbnail the bridge stored with a message, shown
 * when the media itself cannot be downloaded.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreSchema } from "@whatsapp-mcp/runtime"
import { Effect, Option } from "effect"

export interface StoredThumbnail {
  readonly kind: string
  readonly mimetype: string | null
  readonly fileName: string | null
  readonly thumbnail: Uint8Array
}

/** The stored thumbnail of a message still visible to the user, if the bridge kept one. */
export const storedThumbnail = (
  chatJid: string,
  messageId: string,
): Effect.Effect<Option.Option<StoredThumbnail>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{
      kind: string
      media_mimetype: string | null
      media_file_name: string | null
      media_thumbnail: Uint8Array
    }>`
      SELECT kind, media_mimetype, media_file_name, media_thumbnail FROM messages
      WHERE chat_jid = ${chatJid} AND id = ${messageId} AND media_thumbnail IS NOT NULL
        AND ${sql.literal(StoreSchema.visibleToMe())}`
    return Option.map(Option.fromNullable(rows[0]), (row) => ({
      kind: row.kind,
      mimetype: row.media_mimetype,
      fileName: row.media_file_name,
      thumbnail: row.media_thumbnail,
    }))
  })
