/** get_message_context: the conversation around one message. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Message, renderMessage } from "../MessageSchemas.js"

export const getMessageContext = Tool.make({
  name: "get_message_context",
  title: "Get message context",
  description:
    "Get the messages just before and after one message in its chat, to read a conversation around a search hit.",
  input: Schema.Struct({
    message_id: Params.BoundedString(200, "message_id").annotations({ description: "The message's id." }),
    chat_jid: Params.optional(
      Params.BoundedString(200, "chat_jid"),
      "The chat of the message; needed only when the id is not unique.",
    ),
    before: Params.withDefault(
      Schema.Int.pipe(Schema.between(0, 50, { title: "before" })),
      5,
      "How many earlier messages (0-50).",
    ),
    after: Params.withDefault(
      Schema.Int.pipe(Schema.between(0, 50, { title: "after" })),
      5,
      "How many later messages (0-50).",
    ),
  }),
  output: Schema.Struct({ message: Message, before: Schema.Array(Message), after: Schema.Array(Message) }),
  annotations: Tool.readOnly,
  render: ({ message, before, after }) => [...before, message, ...after].map(renderMessage).join("\n"),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "get_message_context" })),
})
