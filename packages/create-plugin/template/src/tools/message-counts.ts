/** message_counts: which chats were busiest in a time window. */
import {
  InvalidArgument,
  Params,
  Render,
  StoreQueries,
  TimeZone,
  Tool,
  ToolError,
} from "@whatsapp-mcp/runtime"
import { Effect, Either, Schema } from "effect"
import { messageCountsPerChat } from "../MessageCountsQueries.js"

/** Reads an optional time argument in the user's time zone; `fallback` when it was not given. */
const timeArgument = (argument: string, value: string | undefined, fallback: number) =>
  Effect.gen(function* () {
    if (value === undefined) return fallback
    const zone = yield* TimeZone.TimeZone
    const parsed = zone.parse(value)
    if (Either.isLeft(parsed)) return yield* new InvalidArgument({ argument, problem: parsed.left })
    return parsed.right
  })

export const messageCounts = Tool.make({
  name: "message_counts",
  title: "Messages per chat",
  description:
    "How many messages each chat had in a time window, busiest chat first, with how many of them the user sent and when the last one was. Use it for questions like 'which chats were busiest last week?' or 'who did I write to most in March?'. System notices and deleted messages do not count.",
  input: Schema.Struct({
    after: Params.optional(
      Params.DateTimeInput,
      "Count messages sent at or after this time. Default: from the first message in the store.",
    ),
    before: Params.optional(
      Params.DateTimeInput,
      "Count messages sent before this time. Default: up to now.",
    ),
    limit: Params.limit(10, 50, "How many chats to list, busiest first"),
  }),
  output: Schema.Struct({
    after: Schema.NullOr(Schema.String),
    before: Schema.NullOr(Schema.String),
    chats: Schema.Array(
      Schema.Struct({
        chat_jid: Schema.String,
        chat_name: Schema.String,
        messages: Schema.Int,
        sent_by_you: Schema.Int,
        last_message_time: Schema.String,
      }),
    ),
  }),
  annotations: Tool.readOnly,
  // Chat names are chosen by other people: quoted, under the note that says they are data.
  render: ({ chats }) =>
    chats.length === 0
      ? "No messages in that time window."
      : [
          Render.untrustedNote,
          ...chats.map(
            (chat) =>
              `${Render.quote(chat.chat_name)} ${Render.token(chat.chat_jid)}: ${chat.messages} messages (${chat.sent_by_you} by you), last ${Render.time(chat.last_message_time)}`,
          ),
        ].join("\n"),
  handler: ({ after, before, limit }) =>
    Effect.gen(function* () {
      const zone = yield* TimeZone.TimeZone
      const from = yield* timeArgument("after", after, 0)
      const to = yield* timeArgument("before", before, Math.floor(Date.now() / 1000) + 1)
      if (from >= to) {
        return yield* new InvalidArgument({
          argument: "before",
          problem: `it must be later than "after" (${zone.format(from)}).`,
        })
      }
      const rows = yield* messageCountsPerChat(from, to, limit)
      return {
        after: after === undefined ? null : zone.format(from),
        before: before === undefined ? null : zone.format(to),
        chats: rows.map((row) => ({
          chat_jid: row.chat_jid,
          chat_name: row.chat_name ?? StoreQueries.fallbackName(row.chat_jid),
          messages: row.messages,
          sent_by_you: row.sent_by_you,
          last_message_time: zone.format(row.last_message_time),
        })),
      }
    }).pipe(
      Effect.catchTag("SqlError", (error) =>
        Effect.fail(new ToolError({ message: `The message store could not be read: ${error.message}` })),
      ),
    ),
})
