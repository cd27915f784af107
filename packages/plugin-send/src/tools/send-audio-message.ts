/** send_audio_message: send an audio file from an allowed folder as a voice note (converted to Ogg/Opus). */
import { BridgeClient, Confirmation, Limits, Params, Store, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { explain } from "../BridgeFailure.js"
import * as SendConfirmation from "../SendConfirmation.js"
import { admitSendTo, SendPolicy } from "../SendPolicy.js"
import { confirmFirst, IdempotencyKey, Recipient, sendResult, toSent } from "../SendSchemas.js"

export const sendAudioMessage = Tool.make({
  name: "send_audio_message",
  title: "Send voice note",
  description: `Send an audio file (mp3, m4a, wav, ogg, opus, flac…) as a WhatsApp voice note; it is converted to Ogg/Opus when needed. Only files below the folders the user allowed in the config can be sent. ${confirmFirst}`,
  input: Schema.Struct({
    recipient: Recipient,
    media_path: Params.BoundedString(Limits.MaxFilePathLength).annotations({
      description: "Absolute path of the audio file (~/ is the home folder).",
    }),
    idempotency_key: IdempotencyKey,
  }),
  ...sendResult,
  handler: (input) =>
    Effect.gen(function* () {
      const policy = yield* SendPolicy
      const confirmation = yield* Confirmation.Confirmation
      const store = yield* Store.Store
      const file = yield* policy.checkFile("media_path", input.media_path, store)
      const { recipient, key } = yield* admitSendTo(
        input.recipient,
        input.idempotency_key,
        confirmation,
        (to) => SendConfirmation.voiceMessage(to, file),
      )
      const bridge = yield* BridgeClient.BridgeClient
      const zone = yield* TimeZone.TimeZone
      const result = yield* bridge
        .sendVoice({ recipient, path: file.path, idempotency_key: key })
        .pipe(explain({ what: "the voice note", idempotencyKey: key }))
      return yield* toSent(result, key, zone)
    }),
})
