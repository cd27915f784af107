/** get_message_context: the conversation around one message. */
import { InvalidArgument, Params, Render, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadMessages } from "../MessageLoader.js"
import { findMessage, neighboursOf } from "../MessageQueries.js"
import {
  asNeighbour,
  lineFormat,
  Message,
  messageLines,
  Neighbour,
  neighbourCount,
} from "../MessageSchemas.js"

const Output = Schema.Struct({
  message: Message,
  before: Schema.Array(Neighbour).annotations({
    description: "Earlier messages in the message's chat, oldest first.",
  }),
  after: Schema.Array(Neighbour).annotations({ description: "Later messages in its chat, oldest first." }),
})

export const getMessageContext = Tool.make({
  name: "get_message_context",
  title: "Get message context",
  description: `Read the conversation around one message: the messages just before and after it in its chat, oldest first. Use it after list_messages found a message, to see what it answered or what followed. Message ids come from list_messages; give chat_jid too when you have it. ${lineFormat} > marks the message asked for.`,
  input: Schema.Struct({
    message_id: Params.BoundedString(200).annotations({
      description: "The message's id, as list_messages shows it (e.g. 3EB0C767D26A1B2C3D4E).",
    }),
    chat_jid: Params.optional(
      Params.BoundedString(200),
      "The chat of the message: group JID (…@g.us), or the person's phone number with country code, phone JID or LID for a direct chat. Needed only when the id is not unique.",
    ),
    before: neighbourCount(50, 5, "How many earlier messages to return"),
    after: neighbourCount(50, 5, "How many later messages to return"),
  }),
  output: Output,
  annotations: Tool.readOnly,
  render: ({ message, before, after }) => {
    const out = messageLines(new Set([message, ...before, ...after].map((m) => m.id)))
    out.push(Render.untrustedNote)
    out.chat(message.chat_name, message.chat_jid)
    for (const m of before) out.message(m)
    out.message(message, "> ")
    for (const m of after) out.message(m)
    return out.lines.join("\n")
  },
  handler: (input) =>
    Effect.gen(function* () {
      const chat =
        input.chat_jid === undefined ? undefined : yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      const found = yield* findMessage(input.message_id, chat?.canonical)
      const anchor = found[0]
      if (anchor === undefined) {
        return yield* new InvalidArgument({
          argument: "message_id",
          problem: `no message with id ${JSON.stringify(input.message_id)} is in the store${
            chat === undefined ? "" : ` in chat ${chat.canonical}`
          }. Message ids come from list_messages; copy one exactly.`,
        })
      }
      if (found.length > 1) {
        return yield* new InvalidArgument({
          argument: "chat_jid",
          problem: `the id ${JSON.stringify(input.message_id)} is in several chats (${found
            .map((f) => f.chat_jid)
            .join(", ")}); give chat_jid to say which one`,
        })
      }
      const neighbours = yield* neighboursOf([anchor.row_id], input.before, input.after)
      const zone = yield* TimeZone.TimeZone
      const messages = yield* loadMessages([anchor.row_id, ...neighbours.map((n) => n.row_id)], zone.format)
      const pick = (side: "before" | "after") =>
        neighbours.flatMap((n) => {
          const m = n.side === side ? messages.get(n.row_id) : undefined
          return m === undefined ? [] : [asNeighbour(m)]
        })
      const message = messages.get(anchor.row_id)
      if (message === undefined) {
        return yield* new InvalidArgument({
          argument: "message_id",
          problem: `the message ${input.message_id} disappeared while it was read; try again`,
        })
      }
      return { message, before: pick("before"), after: pick("after") }
    }),
})
