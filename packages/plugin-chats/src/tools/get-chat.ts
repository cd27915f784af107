/** get_chat: one chat by JID, LID or phone number, with its last message. */
import { Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadChats } from "../ChatLoader.js"
import { chatsByJid } from "../ChatQueries.js"
import { Chat, renderChat, untrustedNote } from "../ChatSchemas.js"
import { missingChat } from "../MissingChat.js"

export const getChat = Tool.make({
  name: "get_chat",
  title: "Get chat",
  description:
    "Get one WhatsApp chat: its name, kind, members count, unread count, pinned/archived/muted state and last message. Give the chat's JID from list_chats (a group JID …@g.us), or for a direct chat the person's phone number, phone JID or LID.",
  input: Schema.Struct({
    chat_jid: Params.BoundedString(200).annotations({
      description: "Group JID (…@g.us), or the person's phone number with country code, phone JID or LID.",
    }),
    include_last_message: Params.withDefault(Schema.Boolean, true, "Include the chat's last message."),
  }),
  output: Schema.Struct({ chat: Chat }),
  annotations: Tool.readOnly,
  render: ({ chat }) => `${untrustedNote}\n${renderChat(chat)}`,
  handler: (input) =>
    Effect.gen(function* () {
      const zone = yield* TimeZone.TimeZone
      const resolved = yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      const rows = yield* chatsByJid([resolved.canonical])
      const chats = yield* loadChats(rows.slice(0, 1), input.include_last_message, zone)
      const chat = chats[0]
      if (chat === undefined) return yield* missingChat("chat_jid", input.chat_jid)
      return { chat }
    }),
})
