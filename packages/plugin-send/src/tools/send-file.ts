/** send_file: Send a file (image, video, document) from the computer to a person or a group, with an optional caption. Only files below the configured allowed folders can be sent. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { confirmFirst, IdempotencyKey, Recipient, ReplyTo, renderSent, Sent } from "../SendSchemas.js"

export const sendFile = Tool.make({
  name: "send_file",
  title: "Send file",
  description: `Send a file (image, video, document) from the computer to a person or a group, with an optional caption. Only files below the configured allowed folders can be sent. ${confirmFirst}`,
  input: Schema.Struct({
    recipient: Recipient,
    media_path: Params.BoundedString(4096, "media_path").annotations({
      description: "Absolute path of the file to send.",
    }),
    caption: Params.optional(Params.BoundedString(65536, "caption"), "Text shown under the file."),
    reply_to_message_id: ReplyTo,
    idempotency_key: IdempotencyKey,
  }),
  output: Sent,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  render: renderSent,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "send_file" })),
})
