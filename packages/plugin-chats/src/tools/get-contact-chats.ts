/** get_contact_chats: List every chat a person takes part in: the direct chat with them and the groups you share, most recent first. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Chat, renderChat } from "../ChatSchemas.js"

export const getContactChats = Tool.make({
  name: "get_contact_chats",
  title: "Get contact's chats",
  description:
    "List every chat a person takes part in: the direct chat with them and the groups you share, most recent first.",
  input: Schema.Struct({
    jid: Params.BoundedString(200, "jid").annotations({
      description: "Phone number, phone JID or LID of the person.",
    }),
    limit: Params.limit(),
    page: Params.page,
  }),
  output: Schema.Struct({ chats: Schema.Array(Chat), ...Params.PageInfo.fields }),
  annotations: Tool.readOnly,
  render: ({ chats }) => chats.map(renderChat).join("\n"),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "get_contact_chats" })),
})
