/** mark_messages_read: mark messages of a chat (or all of it) as read on the phone. */
import { BridgeClient, Limits, Params, Render, StoreQueries, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { explain } from "../BridgeFailure.js"
import { quoted } from "../SendSchemas.js"

export const markMessagesRead = Tool.make({
  name: "mark_messages_read",
  title: "Mark messages read",
  description:
    "Mark messages in a chat as read (the senders see blue ticks if they have read receipts on). Without message_ids, everything unread in the chat is marked read. Only when the user asks for it.",
  input: Schema.Struct({
    chat_jid: Params.BoundedString(Limits.MaxIdentifierLength).annotations({
      description:
        "The chat to mark read: group JID (…@g.us), or the person's phone number with country code, phone JID or LID for a direct chat.",
    }),
    message_ids: Params.optional(
      Params.BoundedList(Params.BoundedString(Limits.MaxMessageIdLength), Limits.MaxMessageIdsPerRead),
      "Ids of the messages to mark (up to 1000), as list_messages shows them; default: every unread message in the chat.",
    ),
  }),
  output: Schema.Struct({
    chat_jid: Schema.String,
    chat_name: Schema.String,
    marked: Schema.Int.annotations({
      description: "How many messages were marked read (others' messages only; yours need no receipt).",
    }),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  render: ({ chat_jid, chat_name, marked }) =>
    marked === 0
      ? `Nothing to mark read in ${quoted(chat_name)} (${Render.token(chat_jid)}).`
      : `Marked ${marked} message${marked === 1 ? "" : "s"} read in ${quoted(chat_name)} (${Render.token(chat_jid)}).`,
  handler: (input) =>
    Effect.gen(function* () {
      const bridge = yield* BridgeClient.BridgeClient
      const chat = yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      const result = yield* bridge
        .markRead({
          chat_jid: chat.canonical,
          ...(input.message_ids === undefined ? {} : { message_ids: input.message_ids }),
        })
        .pipe(explain({ what: "the read marks" }))
      const named = yield* StoreQueries.namedChat(chat.canonical)
      return {
        chat_jid: named.jid,
        chat_name: named.name,
        marked: result.marked,
      }
    }),
})
