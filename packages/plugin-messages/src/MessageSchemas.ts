/** The message as the messages tools return it. */
import { Schema } from "effect"

export const MediaType = Schema.Literal("image", "video", "audio", "voice", "document", "sticker")

export const Message = Schema.Struct({
  id: Schema.String,
  chat_jid: Schema.String,
  chat_name: Schema.String,
  time: Schema.String.annotations({ description: "ISO-8601 with offset." }),
  sender: Schema.String.annotations({ description: 'Sender name, "You" for the user.' }),
  sender_jid: Schema.String,
  from_me: Schema.Boolean,
  kind: Schema.String,
  text: Schema.NullOr(Schema.String),
})
export type Message = typeof Message.Type

export const renderMessage = (m: Message): string =>
  `${m.time} [${m.chat_name}] ${m.sender}: ${m.text ?? `<${m.kind}>`} (id ${m.id})`
