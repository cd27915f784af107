/**
 * load_older_messages: asks the phone for the messages of a chat before the oldest one stored, for
 * when the history synced after linking stops short of what the user asks about.
 */
import {
  BridgeClient,
  type BridgeErrors,
  Limits,
  Params,
  Render,
  StoreQueries,
  TimeZone,
  Tool,
  ToolError,
} from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadMessages } from "../MessageLoader.js"
import { hasMessages, search } from "../MessageQueries.js"
import { lineFormat, Message, messageLines } from "../MessageSchemas.js"

/** No query: nothing is highlighted. */
const noHighlight = { open: "", close: "" } as const

const Output = Schema.Struct({
  chat_jid: Schema.String.annotations({ description: "The chat, as the store keys it." }),
  requested: Schema.Int.annotations({ description: "How many older messages the phone was asked for." }),
  before: Schema.String.annotations({
    description:
      "The time of the oldest message stored when asking (ISO-8601 with offset): the phone was asked for what came before it.",
  }),
  answered: Schema.Boolean.annotations({
    description:
      "True when the phone's answer arrived in time; false when it may still come (it is stored when it does).",
  }),
  arrived: Schema.Int.annotations({ description: "Messages of the chat now stored from before `before`." }),
  oldest: Schema.NullOr(Schema.String).annotations({
    description: "The time of the oldest of them (ISO-8601 with offset); null when none arrived.",
  }),
  messages: Schema.Array(Message).annotations({
    description: "The newest `limit` of the messages from before `before`, newest first.",
  }),
  has_more: Schema.Boolean.annotations({
    description: "More of them than shown: read on with list_messages (chat_jid and before) and its pages.",
  }),
})
type Output = typeof Output.Type

const render = (output: Output): string => {
  if (!output.answered && output.arrived === 0)
    return `Asked the phone for up to ${output.requested} messages before ${Render.time(output.before)}; it has not answered yet. The phone must be online with WhatsApp able to reach the internet. Its answer is stored when it comes: in a minute, call list_messages with chat_jid ${Render.token(output.chat_jid)} and before ${Render.token(output.before)} to read it.`
  if (output.arrived === 0)
    return `The phone has no messages of this chat before ${Render.time(output.before)}: the chat starts there, as far as the phone keeps it.`
  const out = messageLines(new Set(output.messages.map((m) => m.id)))
  out.push(
    `${output.arrived} message(s) from before ${Render.time(output.before)} are stored now, back to ${Render.time(output.oldest ?? output.before)}${output.answered ? "" : " (the phone's answer may still be coming)"}.`,
  )
  out.push(Render.untrustedNote)
  for (const m of [...output.messages].reverse()) {
    out.chat(m.chat_name, m.chat_jid)
    out.message(m)
  }
  if (output.has_more)
    out.push(
      `Older ones are stored too: call list_messages with chat_jid ${Render.token(output.chat_jid)} and before ${Render.token(output.before)}, page 1 onwards with the same limit.`,
    )
  out.push("To reach back further, call load_older_messages again.")
  return out.lines.join("\n")
}

/** What a failed request means for the model; the bridge's message already says what to do. */
const explain = <A, R>(
  request: Effect.Effect<A, BridgeErrors.BridgeClientError, R>,
): Effect.Effect<A, ToolError, R> =>
  Effect.mapError(request, (error) => {
    switch (error._tag) {
      case "BridgeError":
        return new ToolError({
          message:
            error.code === "whatsapp_not_connected"
              ? `Older messages can only be asked for while WhatsApp is connected: ${error.message}`
              : error.message,
        })
      default:
        return new ToolError({
          message: `Older messages come from the phone through the bridge: ${error.message}`,
        })
    }
  })

export const loadOlderMessages = Tool.make({
  name: "load_older_messages",
  title: "Load older messages",
  description: `Ask the user's phone for the messages of one chat from before the oldest one stored, and return them once they arrive. Use it when list_messages stops short of what the user asks about (an older conversation, "last year"): the history synced after linking covers only part of each chat. Each call asks for up to ${Limits.MaxHistoryRequestCount} messages before the oldest stored one and waits up to wait_seconds for the phone; call it again to reach back further. The phone must be online. When it answers late, its messages are stored as they arrive: read them with list_messages. ${lineFormat}`,
  input: Schema.Struct({
    chat_jid: Params.BoundedString(Limits.MaxIdentifierLength).annotations({
      description:
        "The chat: group JID (…@g.us), or for a direct chat the person's phone number with country code, phone JID (…@s.whatsapp.net) or LID (…@lid).",
    }),
    count: Params.withDefault(
      Params.IntBetween(1, Limits.MaxHistoryRequestCount),
      Limits.MaxHistoryRequestCount,
      `How many older messages to ask the phone for, a whole number from 1 to ${Limits.MaxHistoryRequestCount}.`,
    ),
    wait_seconds: Params.withDefault(
      Params.IntBetween(0, Limits.MaxHistoryWaitSeconds),
      Limits.DefaultHistoryWaitSeconds,
      `How long to wait for the phone's answer, in seconds from 0 to ${Limits.MaxHistoryWaitSeconds}; 0 only asks.`,
    ),
    limit: Params.limit(20, 50, "How many of the older messages to return"),
  }),
  output: Output,
  // It changes nothing anyone sees on WhatsApp: the local copy gains what the phone already has.
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  render,
  handler: (input) =>
    Effect.gen(function* () {
      const chat = yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      if (!(yield* hasMessages(chat.canonical))) {
        return yield* new ToolError({
          message: `No message of ${input.chat_jid} is stored, so there is no oldest message to ask the phone for what came before: WhatsApp answers only for a chat with messages on this device. Its messages appear once someone writes in it.`,
        })
      }
      const bridge = yield* BridgeClient.BridgeClient
      const result = yield* bridge
        .fetchHistory({ chat_jid: chat.canonical, count: input.count, wait_seconds: input.wait_seconds })
        .pipe(explain)
      const rows =
        result.arrived === 0
          ? []
          : yield* search(
              {
                match: undefined,
                chatJid: chat.canonical,
                senderJid: undefined,
                after: undefined,
                before: result.before,
                kind: undefined,
                unreadOnly: false,
                limit: input.limit,
                offset: 0,
              },
              noHighlight,
            )
      const zone = yield* TimeZone.TimeZone
      const shown = rows.slice(0, input.limit).map((row) => row.row_id)
      const loaded = yield* loadMessages(shown, zone.format)
      return {
        chat_jid: chat.canonical,
        requested: result.requested,
        before: zone.format(result.before),
        answered: result.answered,
        arrived: result.arrived,
        oldest: result.oldest === null ? null : zone.format(result.oldest),
        messages: shown.flatMap((id) => {
          const message = loaded.get(id)
          return message === undefined ? [] : [message]
        }),
        has_more: rows.length > input.limit,
      }
    }),
})
