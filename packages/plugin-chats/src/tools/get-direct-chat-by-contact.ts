/** get_direct_chat_by_contact: Find the one-to-one chat with a person, given their phone number (any formatting, with country code), phone JID or LID. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Chat, renderChat } from "../ChatSchemas.js"

export const getDirectChatByContact = Tool.make({
  name: "get_direct_chat_by_contact",
  title: "Get direct chat by contact",
  description:
    "Find the one-to-one chat with a person, given their phone number (any formatting, with country code), phone JID or LID.",
  input: Schema.Struct({
    sender_phone_number: Params.BoundedString(200, "sender_phone_number").annotations({
      description: "Phone number with country code, phone JID or LID of the person.",
    }),
  }),
  output: Schema.Struct({ chat: Chat }),
  annotations: Tool.readOnly,
  render: ({ chat }) => renderChat(chat),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "get_direct_chat_by_contact" })),
})
