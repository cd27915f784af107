/** get_contact: one person, whichever identifier the model has. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { Contact } from "../ContactSchemas.js"

export const getContact = Tool.make({
  name: "get_contact",
  title: "Get contact",
  description:
    "Look up one WhatsApp contact by phone number (any formatting, with country code), phone JID (…@s.whatsapp.net) or LID (…@lid). Returns their names, phone number, JID and LID.",
  input: Schema.Struct({
    identifier: Params.BoundedString(200, "identifier").annotations({
      description: "Phone number with country code (e.g. +1 555 0142), phone JID or LID.",
    }),
  }),
  output: Schema.Struct({ contact: Contact }),
  annotations: Tool.readOnly,
  render: ({ contact }) => `${contact.name} ${contact.phone_number ?? ""} ${contact.jid}`,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "get_contact" })),
})
