/** list_chats: List WhatsApp chats (direct and group), most recently active first by default, with the last message of each. Filter by name or JID with query, by kind with kind. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Chat, renderChat } from "../ChatSchemas.js"

export const listChats = Tool.make({
  name: "list_chats",
  title: "List chats",
  description:
    "List WhatsApp chats (direct and group), most recently active first by default, with the last message of each. Filter by name or JID with query, by kind with kind.",
  input: Schema.Struct({
    query: Params.optional(Params.BoundedString(200, "query"), "Part of a chat name, phone number or JID."),
    limit: Params.limit(),
    page: Params.page,
    include_last_message: Params.withDefault(Schema.Boolean, true, "Include each chat's last message."),
    sort_by: Params.withDefault(Schema.Literal("last_active", "name"), "last_active", "Order of the chats."),
    kind: Params.withDefault(Schema.Literal("all", "direct", "group"), "all", "Which chats to list."),
  }),
  output: Schema.Struct({ chats: Schema.Array(Chat), ...Params.PageInfo.fields }),
  annotations: Tool.readOnly,
  render: ({ chats }) => chats.map(renderChat).join("\n"),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "list_chats" })),
})
