/** get_chat: one chat by JID, LID or phone number, with its last message. */
import { Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadFirstChat } from "../ChatLoader.js"
import { chatsByJid } from "../ChatQueries.js"
import { oneChatResult } from "../ChatSchemas.js"

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
  ...oneChatResult,
  annotations: Tool.readOnly,
  handler: (input) =>
    Effect.gen(function* () {
      const zone = yield* TimeZone.TimeZone
      const resolved = yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      const rows = yield* chatsByJid([resolved.canonical])
      return yield* loadFirstChat(rows, input.include_last_message, zone, "chat_jid", input.chat_jid)
    }),
})
