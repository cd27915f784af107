/**
 * Turns chat rows into the chats the tools return, with every last message fetched in one statement
 * (and the names of people their notices mention in one more).
 */
import type { SqlClient, SqlError } from "@effect/sql"
import { type InvalidArgument, StoreQueries, type TimeZone } from "@whatsapp-mcp/runtime"
import { Clock, Effect } from "effect"
import { type ChatRow, lastMessages } from "./ChatQueries.js"
import { type Chat, toChat } from "./ChatSchemas.js"
import { missingChat } from "./MissingChat.js"

export const loadChats = (
  rows: ReadonlyArray<ChatRow>,
  includeLastMessage: boolean,
  zone: TimeZone.TimeZoneService,
): Effect.Effect<ReadonlyArray<Chat>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const last = includeLastMessage ? yield* lastMessages(rows.map((row) => row.jid)) : []
    const byChat = new Map(last.map((m) => [m.chat_jid, m]))
    // People named by notices shown as last messages, in one more query when there are any.
    const parties = last.flatMap((m) =>
      m.kind === "system" ? StoreQueries.noticeJids(m.stub_parameters) : [],
    )
    const names = parties.length === 0 ? new Map<string, string>() : yield* StoreQueries.personNames(parties)
    const nameOf = (jid: string) => names.get(jid) ?? StoreQueries.fallbackName(jid)
    const format = zone.format
    return rows.map((row) => toChat(row, byChat.get(row.jid), format, now, nameOf))
  })

/**
 * The first of `rows`, loaded as `loadChats` loads it, or the error saying no chat matches what the
 * argument `argument` gave (`given`) and how to find the right one.
 */
export const loadFirstChat = (
  rows: ReadonlyArray<ChatRow>,
  includeLastMessage: boolean,
  zone: TimeZone.TimeZoneService,
  argument: string,
  given: string,
): Effect.Effect<{ readonly chat: Chat }, SqlError.SqlError | InvalidArgument, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const [chat] = yield* loadChats(rows.slice(0, 1), includeLastMessage, zone)
    if (chat === undefined) return yield* missingChat(argument, given)
    return { chat }
  })
