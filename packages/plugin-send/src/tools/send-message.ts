/** send_message: send a text message to a person or a group, optionally as a reply. */
import {
  BridgeClient,
  Confirmation,
  InvalidArgument,
  Limits,
  Params,
  TimeZone,
  Tool,
} from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { explain } from "../BridgeFailure.js"
import * as SendConfirmation from "../SendConfirmation.js"
import { admitSendTo, SendPolicy } from "../SendPolicy.js"
import { confirmFirst, IdempotencyKey, Recipient, ReplyTo, sendResult, toSent } from "../SendSchemas.js"

export const sendMessage = Tool.make({
  name: "send_message",
  title: "Send message",
  description: `Send a WhatsApp text message to a person or a group, optionally as a reply to a message. ${confirmFirst}`,
  input: Schema.Struct({
    recipient: Recipient,
    message: Params.BoundedString(Limits.MaxTextLength).annotations({
      description: "The text to send, as plain text (WhatsApp formatting such as *bold* works).",
    }),
    reply_to_message_id: ReplyTo,
    idempotency_key: IdempotencyKey,
  }),
  ...sendResult,
  handler: (input) =>
    Effect.gen(function* () {
      if (input.message.trim() === "") {
        return yield* new InvalidArgument({ argument: "message", problem: "it is empty or only spaces." })
      }
      const policy = yield* SendPolicy
      const confirmation = yield* Confirmation.Confirmation
      const bridge = yield* BridgeClient.BridgeClient
      const zone = yield* TimeZone.TimeZone
      yield* policy.checkText("message", input.message)
      const { recipient, key } = yield* admitSendTo(
        input.recipient,
        input.idempotency_key,
        confirmation,
        (to) => SendConfirmation.textMessage(to, input.message, input.reply_to_message_id),
      )
      const result = yield* bridge
        .sendText({
          recipient,
          text: input.message,
          idempotency_key: key,
          ...(input.reply_to_message_id === undefined
            ? {}
            : { reply_to_message_id: input.reply_to_message_id }),
        })
        .pipe(explain({ what: "the message", idempotencyKey: key }))
      return yield* toSent(result, key, zone)
    }),
})
