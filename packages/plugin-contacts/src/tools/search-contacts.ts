/** search_contacts: find people by name or number. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Contact } from "../ContactSchemas.js"

export const searchContacts = Tool.make({
  name: "search_contacts",
  title: "Search contacts",
  description:
    "Find WhatsApp contacts by name (address-book name, push name or business name) or by part of a phone number. Use it to turn a name the user mentions into a phone number or JID before calling other tools.",
  input: Schema.Struct({
    query: Params.BoundedString(200, "query").annotations({
      description: "Part of a name or phone number, e.g. 'Chloé' or '555 0142'.",
    }),
    limit: Params.limit(),
    page: Params.page,
  }),
  output: Schema.Struct({ contacts: Schema.Array(Contact), ...Params.PageInfo.fields }),
  annotations: Tool.readOnly,
  render: ({ contacts }) => contacts.map((c) => `${c.name} ${c.phone_number ?? ""} ${c.jid}`).join("\n"),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "search_contacts" })),
})
