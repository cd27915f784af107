/** mark_messages_read: mark messages of a chat as read on the phone. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"

export const markMessagesRead = Tool.make({
  name: "mark_messages_read",
  title: "Mark messages read",
  description:
    "Mark messages in a chat as read (blue ticks are sent to the senders). Without message_ids, everything unread in the chat is marked read.",
  input: Schema.Struct({
    chat_jid: Params.BoundedString(200, "chat_jid").annotations({ description: "The chat." }),
    message_ids: Params.optional(
      Schema.Array(Params.BoundedString(200, "message_id")).pipe(Schema.maxItems(1000)),
      "The messages to mark; default: every unread message in the chat.",
    ),
  }),
  output: Schema.Struct({ chat_jid: Schema.String, marked: Schema.Int }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  render: ({ chat_jid, marked }) => `Marked ${marked} messages read in ${chat_jid}.`,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "mark_messages_read" })),
})
