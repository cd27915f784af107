/** get_chat: Get one WhatsApp chat by its JID (a group JID …@g.us, a phone JID or LID, or a phone number), with its last message. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Chat, renderChat } from "../ChatSchemas.js"

export const getChat = Tool.make({
  name: "get_chat",
  title: "Get chat",
  description:
    "Get one WhatsApp chat by its JID (a group JID …@g.us, a phone JID or LID, or a phone number), with its last message.",
  input: Schema.Struct({
    chat_jid: Params.BoundedString(200, "chat_jid").annotations({
      description: "Chat JID, LID or phone number.",
    }),
    include_last_message: Params.withDefault(Schema.Boolean, true, "Include the chat's last message."),
  }),
  output: Schema.Struct({ chat: Chat }),
  annotations: Tool.readOnly,
  render: ({ chat }) => renderChat(chat),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "get_chat" })),
})
