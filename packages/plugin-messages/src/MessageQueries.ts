/**
 * Every SQL statement of the messages plugin. A search returns row ids only; the rows, their
 * quoted messages, names, reactions and neighbours are then fetched for the whole page at once
 * (row ids travel as one JSON parameter), so a page costs a fixed handful of statements.
 *
 * A list parameter is joined with CROSS JOIN, which keeps it the outer loop: the planner cannot
 * know how short the list is and, on a store with few rows, would read the whole table instead.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreQueries, StoreSchema } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

/** Rows deleted "for me" are gone for the user; every read leaves them out. */
const visible = StoreSchema.visibleToMe

export interface SearchFilters {
  /** A ready FTS5 expression (see `StoreQueries.fullTextQuery`), or undefined for no full-text filter. */
  readonly match: string | undefined
  readonly chatJid: string | undefined
  readonly senderJid: string | undefined
  readonly after: number | undefined
  readonly before: number | undefined
  readonly kind: string | undefined
  /** Only the messages WhatsApp counts as unread (see `unreadRows`). */
  readonly unreadOnly: boolean
  readonly limit: number
  readonly offset: number
}

export interface SearchHit {
  readonly row_id: number
  /** the highlighted extract, when the search could take it along (see `search`) */
  readonly snippet?: string | null
}

/**
 * With a chat, sender or kind filter, a search first counts its matches (up to this many). Below
 * it, the matches are joined to their rows and sorted by time; above it, the newest rows are walked
 * down the chat, sender or kind index and each one checked against the set of matches, which stops
 * after one page. A common word is fast the second way and slow the first, because it has many
 * matches to sort and the newest rows soon reach a page of them; a rare word is the other way round.
 */
const sortMatchesUpTo = 2000

/** The lowest `search_key` of a time (see `docs/store.md`): keys order like `(timestamp, row_id)`. */
const searchKeyOf = (unixSeconds: number) => `(${Math.trunc(unixSeconds)} << 32)`

/** The conditions on `messages m` of every filter but the full-text one. */
const conditionsOf = (sql: SqlClient.SqlClient, filters: SearchFilters) => {
  const conditions = [sql.literal(visible("m"))]
  if (filters.chatJid !== undefined) conditions.push(sql`m.chat_jid = ${filters.chatJid}`)
  if (filters.senderJid !== undefined) conditions.push(sql`m.sender_jid = ${filters.senderJid}`)
  if (filters.after !== undefined) conditions.push(sql`m.timestamp >= ${filters.after}`)
  if (filters.before !== undefined) conditions.push(sql`m.timestamp < ${filters.before}`)
  if (filters.kind !== undefined) conditions.push(sql`m.kind = ${filters.kind}`)
  return conditions
}

/**
 * The text of the latest `limit` messages the filters select (the full-text one left out), newest
 * first: what a search that found nothing looked through.
 */
export const latestTexts = (
  filters: SearchFilters,
  limit: number,
): Effect.Effect<ReadonlyArray<string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ text: string }>`
      SELECT m.text FROM messages m WHERE ${sql.and(conditionsOf(sql, filters))} AND m.text IS NOT NULL
      ORDER BY m.timestamp DESC, m.row_id DESC LIMIT ${limit}`
    return rows.map((row) => row.text)
  })

/**
 * The page of matching row ids, newest first, with one extra row to tell whether there is more.
 * Each filter present adds one indexed condition; SQLite picks the most selective index.
 */
export const search = (
  filters: SearchFilters,
  marker: { readonly open: string; readonly close: string },
): Effect.Effect<ReadonlyArray<SearchHit>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const conditions = conditionsOf(sql, filters)
    const fetch = filters.limit + 1
    const order = sql`ORDER BY m.timestamp DESC, m.row_id DESC LIMIT ${fetch} OFFSET ${filters.offset}`
    if (filters.unreadOnly) {
      // The unread messages are few (each chat's count of them, at most): they drive the query and
      // every other filter, the full-text one included, is a test on each of them.
      if (filters.match !== undefined) {
        conditions.push(
          sql`m.search_key IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${filters.match})`,
        )
      }
      return yield* sql<SearchHit>`
        WITH RECURSIVE ${unreadRows(sql, filters.chatJid)}
        SELECT m.row_id FROM unread u CROSS JOIN messages m ON m.row_id = u.row_id
        WHERE ${sql.and(conditions)} ${order}`
    }
    if (filters.match === undefined) {
      return yield* sql<SearchHit>`SELECT m.row_id FROM messages m WHERE ${sql.and(conditions)} ${order}`
    }
    if (filters.chatJid === undefined && filters.senderJid === undefined && filters.kind === undefined) {
      // The full-text index is keyed by time: its newest matches come first, the time bounds are
      // bounds on the key, and reading stops after one page, however common the words. The
      // snippets come along: the index entry is at hand.
      const bounds = [
        ...(filters.after === undefined ? [] : [sql.literal(`f.rowid >= ${searchKeyOf(filters.after)}`)]),
        ...(filters.before === undefined ? [] : [sql.literal(`f.rowid < ${searchKeyOf(filters.before)}`)]),
      ]
      return yield* sql<SearchHit>`
        SELECT m.row_id, snippet(messages_fts, -1, ${marker.open}, ${marker.close}, '…', 24) AS snippet
        FROM messages_fts f CROSS JOIN messages m ON m.search_key = f.rowid
        WHERE messages_fts MATCH ${filters.match} AND ${sql.and([...bounds, sql.literal(visible("m"))])}
        ORDER BY f.rowid DESC LIMIT ${fetch} OFFSET ${filters.offset}`
    }
    // Counting stops as soon as the answer is known: only "none", "few" or "many" matter.
    const counted = yield* sql<{ matches: number }>`
      SELECT count(*) AS matches FROM (
        SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${filters.match} LIMIT ${sortMatchesUpTo + 1})`
    const matches = counted[0]?.matches ?? 0
    if (matches === 0) return []
    if (matches <= sortMatchesUpTo) {
      return yield* sql<SearchHit>`
        SELECT m.row_id FROM messages_fts f JOIN messages m ON m.search_key = f.rowid
        WHERE messages_fts MATCH ${filters.match} AND ${sql.and(conditions)} ${order}`
    }
    // The unary + keeps SQLite from driving the query by the match set: it walks the time,
    // chat, sender or kind index instead, newest first, and tests each row against the set.
    return yield* sql<SearchHit>`
      SELECT m.row_id FROM messages m
      WHERE +m.search_key IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${filters.match})
        AND ${sql.and(conditions)} ${order}`
  })

/**
 * A recursive CTE, `unread(chat_jid, remaining, row_id)`: the messages WhatsApp counts as unread,
 * in every chat or in one. WhatsApp keeps a count per chat, not a mark: a chat's `unread_count`
 * unread messages are the newest that many from other people (the user's own never are), whatever
 * the user wrote in between; the bridge marks the same ones read. Each step walks one message down
 * the chat's (chat_jid, timestamp) index from the last, so a chat costs its unread count in index
 * steps (plus the user's own messages stepped over), however long its history.
 */
const unreadRows = (sql: SqlClient.SqlClient, chatJid: string | undefined) => {
  const incoming = sql.literal(`x.from_me = 0 AND ${visible("x")}`)
  return sql`unread(chat_jid, remaining, row_id) AS (
    SELECT c.jid, c.unread_count, (
      SELECT x.row_id FROM messages x WHERE x.chat_jid = c.jid AND ${incoming}
      ORDER BY x.timestamp DESC, x.row_id DESC LIMIT 1)
    FROM chats c WHERE c.unread_count > 0 ${chatJid === undefined ? sql`` : sql`AND c.jid = ${chatJid}`}
    UNION ALL
    SELECT u.chat_jid, u.remaining - 1, (
      SELECT x.row_id FROM messages p CROSS JOIN messages x
      WHERE p.row_id = u.row_id AND x.chat_jid = u.chat_jid AND ${incoming}
        AND (x.timestamp, x.row_id) < (p.timestamp, p.row_id)
      ORDER BY x.timestamp DESC, x.row_id DESC LIMIT 1)
    FROM unread u WHERE u.remaining > 1 AND u.row_id IS NOT NULL)`
}

/** Highlighted extracts of the matching column for the given rows of a full-text search. */
export const snippets = (
  match: string,
  rowIds: ReadonlyArray<number>,
  marker: { readonly open: string; readonly close: string },
): Effect.Effect<ReadonlyMap<number, string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (rowIds.length === 0) return new Map()
    const sql = yield* SqlClient.SqlClient
    // the rows first (by their ids), then each one's entry in the full-text index by its key
    const rows = yield* sql<{ row_id: number; snippet: string }>`
      SELECT m.row_id AS row_id,
        snippet(messages_fts, -1, ${marker.open}, ${marker.close}, '…', 24) AS snippet
      FROM json_each(${StoreQueries.jsonList(rowIds)}) AS ids
      CROSS JOIN messages m ON m.row_id = ids.value
      CROSS JOIN messages_fts ON messages_fts.rowid = m.search_key
      WHERE messages_fts MATCH ${match}`
    return new Map(rows.map((row) => [row.row_id, row.snippet]))
  })

/** A message row with everything its rendering needs, names included. */
export interface MessageRow {
  readonly row_id: number
  readonly chat_jid: string
  readonly id: string
  readonly from_me: number
  readonly sender_jid: string | null
  readonly timestamp: number
  readonly kind: StoreSchema.MessageKind
  readonly text: string | null
  readonly media_mimetype: string | null
  readonly media_file_name: string | null
  readonly latitude: number | null
  readonly longitude: number | null
  readonly poll_options: string | null
  readonly stub_type: number | null
  readonly stub_parameters: string | null
  readonly status: number | null
  readonly edited_at: number | null
  readonly deleted: StoreSchema.MessageDeletion | null
  readonly chat_name: string | null
  readonly sender_name: string | null
  readonly quoted_id: string | null
  readonly quoted_sender_jid: string | null
  readonly quoted_sender_name: string | null
  readonly quoted_from_me: number | null
  readonly quoted_kind: StoreSchema.MessageKind | null
  readonly quoted_text: string | null
  readonly quoted_file_name: string | null
  readonly quoted_deleted: StoreSchema.MessageDeletion | null
  readonly quoted_stub_type: number | null
  readonly quoted_stub_parameters: string | null
  /** JSON array of `[emoji, from_me, sender_jid, sender_name]`, oldest first; removed reactions left out. */
  readonly reactions: string | null
}

/**
 * The rows with these ids, with chat and sender names, the message each one quotes and its
 * reactions (read from the reactions primary key, in the same statement).
 */
export const messagesByRowId = (
  rowIds: ReadonlyArray<number>,
): Effect.Effect<ReadonlyArray<MessageRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (rowIds.length === 0) return []
    const sql = yield* SqlClient.SqlClient
    return yield* sql<MessageRow>`
      SELECT m.row_id, m.chat_jid, m.id, m.from_me, m.sender_jid, m.timestamp, m.kind, m.text,
        m.media_mimetype, m.media_file_name, m.latitude, m.longitude, m.poll_options, m.stub_type, m.stub_parameters, m.status, m.edited_at, m.deleted,
        ${sql.literal(StoreQueries.chatNameSql("m.chat_jid", "ch.name", "cc.display_name"))} AS chat_name,
        sc.display_name AS sender_name,
        m.quoted_id,
        COALESCE(m.quoted_sender_jid, q.sender_jid) AS quoted_sender_jid,
        qc.display_name AS quoted_sender_name,
        CASE WHEN q.from_me = 1 OR COALESCE(m.quoted_sender_jid, q.sender_jid) IN
          (SELECT value FROM account WHERE key IN ('self_jid', 'self_lid')) THEN 1 ELSE 0 END AS quoted_from_me,
        q.kind AS quoted_kind, q.text AS quoted_text, q.media_file_name AS quoted_file_name,
        q.deleted AS quoted_deleted, q.stub_type AS quoted_stub_type, q.stub_parameters AS quoted_stub_parameters,
        (SELECT json_group_array(json_array(oldest.emoji, oldest.from_me, oldest.sender_jid, rc.display_name))
          FROM (SELECT * FROM reactions r WHERE r.chat_jid = m.chat_jid AND r.message_id = m.id AND r.emoji <> ''
            ORDER BY r.timestamp, r.sender_jid) oldest
          LEFT JOIN contacts rc ON rc.jid = oldest.sender_jid) AS reactions
      FROM json_each(${StoreQueries.jsonList(rowIds)}) j
      CROSS JOIN messages m ON m.row_id = j.value
      LEFT JOIN chats ch ON ch.jid = m.chat_jid
      LEFT JOIN contacts cc ON cc.jid = m.chat_jid
      LEFT JOIN contacts sc ON sc.jid = m.sender_jid
      LEFT JOIN messages q ON q.id = m.quoted_id AND q.chat_jid = m.chat_jid
      LEFT JOIN contacts qc ON qc.jid = COALESCE(m.quoted_sender_jid, q.sender_jid)`
  })

export interface NeighbourRow {
  /** The message the neighbour is context for. */
  readonly anchor: number
  readonly side: "before" | "after"
  readonly row_id: number
  readonly timestamp: number
}

/**
 * Up to `before` earlier and `after` later messages in the same chat around each anchor, in one
 * statement: each anchor walks the (chat_jid, timestamp) index backwards and forwards from itself.
 */
export const neighboursOf = (
  anchors: ReadonlyArray<number>,
  before: number,
  after: number,
): Effect.Effect<ReadonlyArray<NeighbourRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (anchors.length === 0 || (before === 0 && after === 0)) return []
    const sql = yield* SqlClient.SqlClient
    const list = StoreQueries.jsonList(anchors)
    return yield* sql<NeighbourRow>`
      SELECT h.row_id AS anchor, 'before' AS side, x.row_id, x.timestamp
      FROM json_each(${list}) j CROSS JOIN messages h ON h.row_id = j.value
      JOIN messages x ON x.row_id IN (
        SELECT y.row_id FROM messages y
        WHERE y.chat_jid = h.chat_jid AND (y.timestamp, y.row_id) < (h.timestamp, h.row_id) AND ${sql.literal(visible("y"))}
        ORDER BY y.timestamp DESC, y.row_id DESC LIMIT ${before})
      UNION ALL
      SELECT h.row_id AS anchor, 'after' AS side, x.row_id, x.timestamp
      FROM json_each(${list}) j CROSS JOIN messages h ON h.row_id = j.value
      JOIN messages x ON x.row_id IN (
        SELECT y.row_id FROM messages y
        WHERE y.chat_jid = h.chat_jid AND (y.timestamp, y.row_id) > (h.timestamp, h.row_id) AND ${sql.literal(visible("y"))}
        ORDER BY y.timestamp ASC, y.row_id ASC LIMIT ${after})
      ORDER BY 4, 3`
  })

/** The stored messages with this id (in one chat when given): more than one means the id is ambiguous. */
export const findMessage = (
  id: string,
  chatJid: string | undefined,
): Effect.Effect<
  ReadonlyArray<{ row_id: number; chat_jid: string }>,
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    chatJid === undefined
      ? sql<{ row_id: number; chat_jid: string }>`
          SELECT row_id, chat_jid FROM messages WHERE id = ${id} AND ${sql.literal(visible())} LIMIT 5`
      : sql<{ row_id: number; chat_jid: string }>`
          SELECT row_id, chat_jid FROM messages WHERE id = ${id} AND chat_jid = ${chatJid} AND ${sql.literal(visible())}`,
  )

/** A chat that needs attention: it has unread messages, or the user marked it unread. */
export interface UnreadChat {
  readonly jid: string
  readonly unread_count: number
  readonly marked_unread: number
}

/** The chats with unread messages or marked unread, the most recently active first. */
export const unreadChats = (): Effect.Effect<
  ReadonlyArray<UnreadChat>,
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<UnreadChat>`
      SELECT jid, unread_count, marked_unread FROM chats
      WHERE unread_count > 0 OR marked_unread = 1
      ORDER BY last_message_time DESC`,
  )

/** Whether the chat has any message the user can see: a request for older history needs one to start from. */
export const hasMessages = (
  chatJid: string,
): Effect.Effect<boolean, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ hit: number }>`
      SELECT 1 AS hit FROM messages m WHERE m.chat_jid = ${chatJid} AND ${sql.literal(visible("m"))} LIMIT 1`
    return rows.length > 0
  })
