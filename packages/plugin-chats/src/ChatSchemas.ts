/** The chat as the chats tools return it. */
import { Schema } from "effect"

export const ChatKind = Schema.Literal("direct", "group", "broadcast", "newsletter")

export const LastMessage = Schema.Struct({
  id: Schema.String,
  time: Schema.String.annotations({ description: "ISO-8601 with offset." }),
  sender: Schema.String.annotations({ description: 'Sender name, "You" for the user.' }),
  preview: Schema.String,
})

export const Chat = Schema.Struct({
  jid: Schema.String,
  name: Schema.String,
  kind: ChatKind,
  last_active: Schema.NullOr(Schema.String),
  unread_count: Schema.Int,
  archived: Schema.Boolean,
  pinned: Schema.Boolean,
  muted: Schema.Boolean,
  participant_count: Schema.NullOr(Schema.Int),
  last_message: Schema.NullOr(LastMessage),
})
export type Chat = typeof Chat.Type

export const renderChat = (chat: Chat): string =>
  `${chat.name} (${chat.kind}, ${chat.jid})${chat.unread_count > 0 ? ` ${chat.unread_count} unread` : ""}${
    chat.last_message === null
      ? ""
      : ` — ${chat.last_message.time} ${chat.last_message.sender}: ${chat.last_message.preview}`
  }`
