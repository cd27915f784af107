/** send_reaction: react to a message with an emoji, or remove the reaction. */
import {
  BridgeClient,
  Confirmation,
  InvalidArgument,
  Limits,
  Params,
  Render,
  StoreQueries,
  TimeZone,
  Tool,
} from "@whatsapp-mcp/runtime"
import { Clock, Effect, Schema } from "effect"
import { explain } from "../BridgeFailure.js"
import * as SendConfirmation from "../SendConfirmation.js"
import { confirmSend, SendPolicy } from "../SendPolicy.js"
import { confirmFirst, quoted } from "../SendSchemas.js"

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** One grapheme that is a pictograph, a flag or a keycap: what WhatsApp shows as a reaction. */
const isOneEmoji = (text: string): boolean => {
  const parts = [...graphemes.segment(text)]
  return (
    parts.length === 1 &&
    /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(parts[0]?.segment ?? "")
  )
}

export const sendReaction = Tool.make({
  name: "send_reaction",
  title: "React to message",
  description: `React to a WhatsApp message with an emoji; an empty emoji removes your reaction. ${confirmFirst}`,
  input: Schema.Struct({
    chat_jid: Params.BoundedString(Limits.MaxIdentifierLength).annotations({
      description:
        "The chat of the message: group JID (…@g.us), or the person's phone number with country code, phone JID or LID for a direct chat.",
    }),
    message_id: Params.BoundedString(Limits.MaxMessageIdLength).annotations({
      description: "The id of the message to react to, as list_messages shows it.",
    }),
    emoji: Params.BoundedString(Limits.MaxEmojiLength, 0).annotations({
      description: 'One emoji, e.g. "👍"; an empty string removes your reaction.',
    }),
  }),
  output: Schema.Struct({
    chat_jid: Schema.String,
    chat_name: Schema.String,
    message_id: Schema.String.annotations({ description: "The message reacted to." }),
    emoji: Schema.String,
    removed: Schema.Boolean.annotations({ description: "True when the reaction was removed." }),
    time: Schema.String.annotations({ description: "ISO-8601 with offset." }),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  render: (r) =>
    r.removed
      ? `Removed your reaction from message ${Render.token(r.message_id)} in ${quoted(r.chat_name)} (${Render.token(r.chat_jid)}) at ${Render.time(r.time)}.`
      : `Reacted ${Render.reaction(r.emoji)} to message ${Render.token(r.message_id)} in ${quoted(r.chat_name)} (${Render.token(r.chat_jid)}) at ${Render.time(r.time)}.`,
  handler: (input) =>
    Effect.gen(function* () {
      const policy = yield* SendPolicy
      const confirmation = yield* Confirmation.Confirmation
      const bridge = yield* BridgeClient.BridgeClient
      const zone = yield* TimeZone.TimeZone
      if (input.emoji !== "" && !isOneEmoji(input.emoji)) {
        return yield* new InvalidArgument({
          argument: "emoji",
          problem: `"${input.emoji}" is not a single emoji: give one emoji such as "👍", or "" to remove your reaction.`,
        })
      }
      const chat = yield* policy.checkChat("chat_jid", input.chat_jid)
      yield* confirmSend(confirmation, SendConfirmation.reactionMessage(chat, input.message_id, input.emoji))
      // Removing a reaction takes nothing back from the budget.
      if (input.emoji !== "") yield* policy.admitSend
      const result = yield* bridge
        .react({ chat_jid: chat.canonical, message_id: input.message_id, emoji: input.emoji })
        .pipe(explain({ what: "the reaction" }))
      const now = yield* Clock.currentTimeMillis
      // The bridge answers with the JID WhatsApp addressed, which may be a LID: shown as every tool shows it.
      const named = yield* StoreQueries.namedChat(result.chat_jid)
      return {
        chat_jid: named.jid,
        chat_name: named.name,
        message_id: result.message_id,
        emoji: result.emoji,
        removed: result.removed,
        time: zone.format(Math.floor(now / 1000)),
      }
    }),
})
