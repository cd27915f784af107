/**
 * Every SQL statement of the chats plugin. Chats are listed from the chats table (a few thousand
 * rows, index-ordered by activity); the last message of every chat on a page comes from one
 * statement that reads the newest row of each chat from the (chat_jid, timestamp) index.
 *
 * A list parameter is joined with CROSS JOIN, which keeps it the outer loop: the planner cannot
 * know how short the list is and, on a store with few rows, would read the whole table instead.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreQueries, StoreSchema } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

export interface ChatRow {
  readonly jid: string
  readonly kind: string
  readonly name: string | null
  readonly phone: string | null
  readonly last_message_time: number | null
  readonly unread_count: number
  readonly marked_unread: number
  readonly archived: number
  readonly pinned_at: number | null
  readonly muted_until: number | null
  readonly participant_count: number | null
}

/** A chat's name as every tool shows it (the note-to-self chat included), over `chats c` and `contacts co`. */
const chatName = StoreQueries.chatNameSql("c.jid", "c.name", "co.display_name")

const chatColumns = `c.jid, c.kind, ${chatName} AS name, co.phone,
  c.last_message_time, c.unread_count, c.marked_unread, c.archived, c.pinned_at, c.muted_until,
  CASE WHEN c.kind = 'group' THEN
    (SELECT NULLIF(COUNT(*), 0) FROM group_participants p WHERE p.group_jid = c.jid) END
    AS participant_count`

export interface ListFilters {
  /** `StoreQueries.containsPattern` of the query, matched against names and JIDs. */
  readonly pattern: string | undefined
  /** The query's digits, matched inside phone numbers; undefined when it has too few to mean one. */
  readonly digits: string | undefined
  readonly kind: "all" | "direct" | "group"
  readonly sortBy: "last_active" | "name"
  readonly limit: number
  readonly offset: number
}

/** One page of chats (and one more row, to tell whether there is another page). */
export const listChats = (
  filters: ListFilters,
): Effect.Effect<ReadonlyArray<ChatRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const conditions = []
    if (filters.kind !== "all") conditions.push(sql`c.kind = ${filters.kind}`)
    if (filters.pattern !== undefined) {
      const matches = [
        sql`${sql.literal(chatName)} GLOB ${filters.pattern}`,
        sql`co.push_name GLOB ${filters.pattern}`,
        sql`c.jid GLOB ${filters.pattern}`,
      ]
      if (filters.digits !== undefined) matches.push(sql`instr(co.phone, ${filters.digits}) > 0`)
      conditions.push(sql.or(matches))
    }
    const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.and(conditions)}`
    // Ties broken by rowid, which the indexes carry, so that pages never overlap or skip.
    const order =
      filters.sortBy === "name"
        ? sql`ORDER BY COALESCE(${sql.literal(chatName)}, c.jid) COLLATE NOCASE, c.rowid`
        : sql`ORDER BY c.last_message_time DESC, c.rowid DESC`
    return yield* sql<ChatRow>`
      SELECT ${sql.literal(chatColumns)} FROM chats c LEFT JOIN contacts co ON co.jid = c.jid
      ${where} ${order} LIMIT ${filters.limit + 1} OFFSET ${filters.offset}`
  })

/** The chats stored under any of these JIDs. */
export const chatsByJid = (
  jids: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<ChatRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<ChatRow>`
      SELECT ${sql.literal(chatColumns)} FROM json_each(${StoreQueries.jsonList(jids)}) j
      CROSS JOIN chats c ON c.jid = j.value LEFT JOIN contacts co ON co.jid = c.jid
      ORDER BY c.last_message_time DESC`,
  )

/**
 * The chats a person takes part in, most recent first: the direct chat with them, the groups that
 * list them as a participant, and the groups they wrote in (participant lists can be incomplete).
 */
export const chatsOfPerson = (
  jids: ReadonlyArray<string>,
  limit: number,
  offset: number,
): Effect.Effect<ReadonlyArray<ChatRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const list = StoreQueries.jsonList(jids)
    return sql<ChatRow>`
      WITH person(jid) AS (SELECT value FROM json_each(${list})),
      their(jid) AS (
        SELECT jid FROM person
        UNION SELECT group_jid FROM group_participants WHERE participant_jid IN (SELECT jid FROM person)
        UNION SELECT DISTINCT chat_jid FROM messages
          WHERE sender_jid IN (SELECT jid FROM person) AND chat_jid GLOB '*@g.us'
      )
      SELECT ${sql.literal(chatColumns)} FROM their t JOIN chats c ON c.jid = t.jid
      LEFT JOIN contacts co ON co.jid = c.jid
      ORDER BY c.last_message_time DESC, c.rowid DESC LIMIT ${limit + 1} OFFSET ${offset}`
  })

export interface LastMessageRow extends StoreQueries.ContentRow {
  readonly chat_jid: string
  readonly id: string
  readonly timestamp: number
  readonly from_me: number
  readonly sender_jid: string | null
  readonly sender_name: string | null
}

const lastMessageColumns = `m.chat_jid, m.id, m.timestamp, m.from_me, m.sender_jid, m.kind, m.text,
  m.media_file_name, m.deleted, m.stub_type, m.stub_parameters, sc.display_name AS sender_name`

/** The newest visible message of each of these chats, in one statement. */
export const lastMessages = (
  chatJids: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<LastMessageRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (chatJids.length === 0) return []
    const sql = yield* SqlClient.SqlClient
    return yield* sql<LastMessageRow>`
      SELECT ${sql.literal(lastMessageColumns)}
      FROM json_each(${StoreQueries.jsonList(chatJids)}) j
      CROSS JOIN messages m ON m.row_id = (
        SELECT x.row_id FROM messages x WHERE x.chat_jid = j.value AND ${sql.literal(StoreSchema.visibleToMe("x"))}
        ORDER BY x.timestamp DESC, x.row_id DESC LIMIT 1)
      LEFT JOIN contacts sc ON sc.jid = m.sender_jid`
  })

/**
 * The newest message exchanged with a person: in the direct chat (either way), written by them in
 * a group, or a reply of the user's to them. Each branch is a walk down one index.
 */
export const lastInteraction = (
  personJid: string,
): Effect.Effect<ReadonlyArray<LastMessageRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<LastMessageRow>`
      WITH latest(row_id, timestamp) AS (
        SELECT * FROM (SELECT row_id, timestamp FROM messages
          WHERE chat_jid = ${personJid} AND ${sql.literal(StoreSchema.visibleToMe())} ORDER BY timestamp DESC, row_id DESC LIMIT 1)
        UNION ALL
        SELECT * FROM (SELECT row_id, timestamp FROM messages
          WHERE sender_jid = ${personJid} AND ${sql.literal(StoreSchema.visibleToMe())} ORDER BY timestamp DESC, row_id DESC LIMIT 1)
        UNION ALL
        SELECT * FROM (SELECT row_id, timestamp FROM messages
          WHERE quoted_sender_jid = ${personJid} AND from_me = 1 AND ${sql.literal(StoreSchema.visibleToMe())}
          ORDER BY timestamp DESC, row_id DESC LIMIT 1)
      )
      SELECT ${sql.literal(lastMessageColumns)}
      FROM (SELECT row_id FROM latest ORDER BY timestamp DESC, row_id DESC LIMIT 1) l
      JOIN messages m ON m.row_id = l.row_id
      LEFT JOIN contacts sc ON sc.jid = m.sender_jid`,
  )

export interface TranscriptRow extends StoreQueries.ContentRow {
  readonly id: string
  readonly sender_jid: string | null
  readonly from_me: number
  readonly timestamp: number
}

/** The newest `limit` messages of a chat, newest first (the (chat_jid, timestamp) index, backwards). */
export const recentMessages = (
  chatJid: string,
  limit: number,
): Effect.Effect<ReadonlyArray<TranscriptRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<TranscriptRow>`
      SELECT id, sender_jid, from_me, timestamp, kind, text, media_file_name, deleted, stub_type, stub_parameters
      FROM messages WHERE chat_jid = ${chatJid} AND ${sql.literal(StoreSchema.visibleToMe())}
      ORDER BY timestamp DESC LIMIT ${limit}`,
  )
