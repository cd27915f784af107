/** get_last_interaction: the most recent message exchanged with a person, in any chat. */
import { Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadChats } from "../ChatLoader.js"
import { chatsByJid, lastInteraction } from "../ChatQueries.js"
import {
  Chat,
  LastMessage,
  renderChat,
  renderLastMessage,
  toLastMessage,
  untrustedNote,
} from "../ChatSchemas.js"

const Output = Schema.Struct({
  message: Schema.NullOr(LastMessage).annotations({
    description: "The newest message with the person (by them or by the user), or null if there is none.",
  }),
  chat: Schema.NullOr(Chat).annotations({ description: "The chat the message is in." }),
})

export const getLastInteraction = Tool.make({
  name: "get_last_interaction",
  title: "Get last interaction",
  description:
    "Get the most recent message exchanged with a person, in any chat: the direct chat (either way), a group message they wrote, or the user's reply to them in a group. Use it for 'when did I last talk to …'. Give their phone number, phone JID or LID (search_contacts finds them by name).",
  input: Schema.Struct({
    jid: Params.BoundedString(200).annotations({
      description:
        "The person: phone number with country code (e.g. +44 7700 900123), phone JID (…@s.whatsapp.net) or LID (…@lid).",
    }),
  }),
  output: Output,
  annotations: Tool.readOnly,
  render: ({ message, chat }) =>
    message === null || chat === null
      ? "No messages with this person are in the store."
      : `${untrustedNote}\n${renderLastMessage(message)}\nin ${renderChat({ ...chat, last_message: null })}`,
  handler: (input) =>
    Effect.gen(function* () {
      const person = yield* StoreQueries.resolvePerson("jid", input.jid)
      const zone = yield* TimeZone.TimeZone
      const found = yield* lastInteraction(person.canonical)
      const row = found[0]
      if (row === undefined) return { message: null, chat: null }
      const chats = yield* loadChats(yield* chatsByJid([row.chat_jid]), false, zone)
      return { message: toLastMessage(row, zone.format), chat: chats[0] ?? null }
    }),
})
