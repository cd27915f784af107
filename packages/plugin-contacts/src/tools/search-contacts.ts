/** search_contacts: find people by name or number. */
import { Params, StoreQueries, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { searchContacts as queryContacts } from "../ContactQueries.js"
import { Contact, renderContact, toContact, untrustedNote } from "../ContactSchemas.js"

const Output = Schema.Struct({ contacts: Schema.Array(Contact), ...Params.PageInfo.fields })

export const searchContacts = Tool.make({
  name: "search_contacts",
  title: "Search contacts",
  description:
    "Find WhatsApp contacts by part of a name (address-book name, push name or business name; accents and case ignored) or part of a phone number. Use it to turn a name the user mentions into a phone number or JID before calling the chat and message tools.",
  input: Schema.Struct({
    query: Params.BoundedString(200).annotations({
      description: "Part of a name or phone number, e.g. 'Chloé' or '555 0142'.",
    }),
    limit: Params.limit(),
    page: Params.page,
  }),
  output: Output,
  annotations: Tool.readOnly,
  render: ({ contacts, page, has_more }) =>
    contacts.length === 0
      ? page > 0
        ? "No more contacts."
        : "No contacts match. Try part of the name, or list_chats with the same query."
      : [
          untrustedNote,
          ...contacts.map(renderContact),
          ...(has_more ? [`More contacts: call again with page ${page + 1}.`] : []),
        ].join("\n"),
  handler: (input) =>
    Effect.gen(function* () {
      const query = input.query.trim()
      const digits = query.replace(/\D/g, "")
      const rows = yield* queryContacts({
        pattern: StoreQueries.containsPattern(query),
        digits: digits.length >= 3 ? digits : undefined,
        jidLike: query.includes("@"),
        limit: input.limit,
        offset: input.page * input.limit,
      })
      return {
        contacts: rows.slice(0, input.limit).map(toContact),
        page: input.page,
        limit: input.limit,
        has_more: rows.length > input.limit,
      }
    }),
})
