/** get_contact: one person, whichever identifier the model has. */
import { InvalidArgument, Params, StoreQueries, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { contactByJid } from "../ContactQueries.js"
import { Contact, renderContact, toContact, untrustedNote } from "../ContactSchemas.js"

export const getContact = Tool.make({
  name: "get_contact",
  title: "Get contact",
  description:
    "Look up one WhatsApp contact by phone number (any formatting, with country code), phone JID (…@s.whatsapp.net) or LID (…@lid); the same person is found whichever form WhatsApp used. Returns their names, phone number, JID and LID, and whether they are a business. To find someone by name, use search_contacts.",
  input: Schema.Struct({
    identifier: Params.BoundedString(200).annotations({
      description: "Phone number with country code (e.g. +1 555 0142), phone JID or LID.",
    }),
  }),
  output: Schema.Struct({ contact: Contact }),
  annotations: Tool.readOnly,
  render: ({ contact }) => `${untrustedNote}\n${renderContact(contact)}`,
  handler: (input) =>
    Effect.gen(function* () {
      const person = yield* StoreQueries.resolvePerson("identifier", input.identifier)
      const rows = yield* contactByJid(person.jids)
      const row = rows[0]
      if (row === undefined) {
        return yield* new InvalidArgument({
          argument: "identifier",
          problem: `no contact with ${input.identifier} is in the store. Call search_contacts with part of their name or number.`,
        })
      }
      return { contact: toContact(row) }
    }),
})
