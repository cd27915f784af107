/** get_contact_chats: every chat a person takes part in, direct and group. */
import { Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadChats } from "../ChatLoader.js"
import { chatsOfPerson } from "../ChatQueries.js"
import { Chat, renderChats } from "../ChatSchemas.js"

export const getContactChats = Tool.make({
  name: "get_contact_chats",
  title: "Get contact's chats",
  description:
    "List every chat a person takes part in: the direct chat with them and the groups you share with them (as a member or where they wrote), most recently active first. Give their phone number, phone JID or LID (search_contacts finds them by name).",
  input: Schema.Struct({
    jid: Params.BoundedString(200).annotations({
      description:
        "The person: phone number with country code (e.g. +44 7700 900123), phone JID (…@s.whatsapp.net) or LID (…@lid).",
    }),
    limit: Params.limit(),
    page: Params.page,
  }),
  output: Schema.Struct({ chats: Schema.Array(Chat), ...Params.PageInfo.fields }),
  annotations: Tool.readOnly,
  render: ({ chats, page, has_more }) => renderChats(chats, page, has_more),
  handler: (input) =>
    Effect.gen(function* () {
      const zone = yield* TimeZone.TimeZone
      const person = yield* StoreQueries.resolvePerson("jid", input.jid)
      const rows = yield* chatsOfPerson(person.jids, input.limit, input.page * input.limit)
      const chats = yield* loadChats(rows.slice(0, input.limit), true, zone)
      return { chats, page: input.page, limit: input.limit, has_more: rows.length > input.limit }
    }),
})
