/**
 * Every SQL statement of the contacts plugin. Names are matched with an accent- and case-blind
 * GLOB over the contacts table (tens of thousands of rows at most, no message table involved).
 *
 * A list parameter is joined with CROSS JOIN, which keeps it the outer loop: the planner cannot
 * know how short the list is and, on a store with few rows, would read the whole table instead.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { StoreQueries } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

export interface ContactRow {
  readonly jid: string
  readonly lid: string | null
  readonly phone: string | null
  readonly address_book_name: string | null
  readonly verified_name: string | null
  readonly push_name: string | null
  readonly display_name: string | null
}

/** `display_name` as every tool names the person: the user as "<your name> (You)". */
const columns = `c.jid, c.lid, c.phone, c.address_book_name, c.verified_name, c.push_name,
  ${StoreQueries.personNameSql("c.jid", "c.display_name")} AS display_name`

export interface SearchFilters {
  /** `StoreQueries.containsPattern` of the query. */
  readonly pattern: string
  /** The query's digits, matched inside phone numbers; undefined when it has too few to mean one. */
  readonly digits: string | undefined
  /** The query looks like (part of) a JID. */
  readonly jidLike: boolean
  readonly limit: number
  readonly offset: number
}

/** One page of contacts whose names, number or JID contain the query (one more row to tell if there is more). */
export const searchContacts = (
  filters: SearchFilters,
): Effect.Effect<ReadonlyArray<ContactRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    // Each GLOB costs a pass over every contact: JIDs are only worth matching when the query
    // could be part of one.
    const matches = [
      sql`c.address_book_name GLOB ${filters.pattern}`,
      sql`c.push_name GLOB ${filters.pattern}`,
      sql`c.verified_name GLOB ${filters.pattern}`,
    ]
    if (filters.digits !== undefined) {
      matches.push(sql`instr(c.phone, ${filters.digits}) > 0`, sql`c.lid GLOB ${filters.pattern}`)
    }
    if (filters.jidLike) matches.push(sql`c.jid GLOB ${filters.pattern}`, sql`c.lid GLOB ${filters.pattern}`)
    return sql<ContactRow>`
      SELECT ${sql.literal(columns)} FROM contacts c
      WHERE ${sql.or(matches)}
      ORDER BY c.display_name COLLATE NOCASE, c.jid LIMIT ${filters.limit + 1} OFFSET ${filters.offset}`
  })

/**
 * The contact stored under any of these JIDs, or whose LID is one of them (the first one listed
 * wins). Two lookups rather than one join with OR, which SQLite may answer by reading every contact.
 */
export const contactByJid = (
  jids: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<ContactRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const list = StoreQueries.jsonList(jids)
    return sql<ContactRow>`
      SELECT ${sql.literal(columns)}, j.key AS position FROM json_each(${list}) j
      CROSS JOIN contacts c ON c.jid = j.value
      UNION ALL
      SELECT ${sql.literal(columns)}, j.key AS position FROM json_each(${list}) j
      CROSS JOIN contacts c ON c.lid = j.value
      ORDER BY position LIMIT 1`
  })
