/** send_audio_message: Send an audio file as a WhatsApp voice note (converted to Ogg/Opus when needed). Only files below the configured allowed folders can be sent. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { confirmFirst, IdempotencyKey, Recipient, renderSent, Sent } from "../SendSchemas.js"

export const sendAudioMessage = Tool.make({
  name: "send_audio_message",
  title: "Send voice note",
  description: `Send an audio file as a WhatsApp voice note (converted to Ogg/Opus when needed). Only files below the configured allowed folders can be sent. ${confirmFirst}`,
  input: Schema.Struct({
    recipient: Recipient,
    media_path: Params.BoundedString(4096, "media_path").annotations({
      description: "Absolute path of the audio file.",
    }),
    idempotency_key: IdempotencyKey,
  }),
  output: Sent,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  render: renderSent,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "send_audio_message" })),
})
