/** get_direct_chat_by_contact: the one-to-one chat with a person, however they are identified. */
import { Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadFirstChat } from "../ChatLoader.js"
import { chatsByJid } from "../ChatQueries.js"
import { oneChatResult } from "../ChatSchemas.js"

export const getDirectChatByContact = Tool.make({
  name: "get_direct_chat_by_contact",
  title: "Get direct chat by contact",
  description:
    "Find the one-to-one chat with a person, given their phone number (any formatting, with country code), phone JID or LID; the same chat is found whichever form WhatsApp used for them. Use search_contacts first when you only have a name.",
  input: Schema.Struct({
    sender_phone_number: Params.BoundedString(200).annotations({
      description: "Phone number with country code (e.g. +44 7700 900123), phone JID or LID of the person.",
    }),
  }),
  ...oneChatResult,
  annotations: Tool.readOnly,
  handler: (input) =>
    Effect.gen(function* () {
      const zone = yield* TimeZone.TimeZone
      const person = yield* StoreQueries.resolvePerson("sender_phone_number", input.sender_phone_number)
      const rows = yield* chatsByJid(person.jids)
      return yield* loadFirstChat(rows, true, zone, "sender_phone_number", input.sender_phone_number)
    }),
})
