/** get_last_interaction: Get the most recent message exchanged with a person, in any chat (direct or group). */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Chat, renderChat } from "../ChatSchemas.js"

export const getLastInteraction = Tool.make({
  name: "get_last_interaction",
  title: "Get last interaction",
  description: "Get the most recent message exchanged with a person, in any chat (direct or group).",
  input: Schema.Struct({
    jid: Params.BoundedString(200, "jid").annotations({
      description: "Phone number, phone JID or LID of the person.",
    }),
  }),
  output: Schema.Struct({ chat: Schema.NullOr(Chat) }),
  annotations: Tool.readOnly,
  render: ({ chat }) => (chat === null ? "No messages with this person." : renderChat(chat)),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "get_last_interaction" })),
})
