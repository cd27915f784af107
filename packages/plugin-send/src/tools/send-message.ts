/** send_message: Send a WhatsApp text message to a person or a group, optionally as a reply to a message. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { confirmFirst, IdempotencyKey, Recipient, ReplyTo, renderSent, Sent } from "../SendSchemas.js"

export const sendMessage = Tool.make({
  name: "send_message",
  title: "Send message",
  description: `Send a WhatsApp text message to a person or a group, optionally as a reply to a message. ${confirmFirst}`,
  input: Schema.Struct({
    recipient: Recipient,
    message: Params.BoundedString(65536, "message").annotations({ description: "The text to send." }),
    reply_to_message_id: ReplyTo,
    idempotency_key: IdempotencyKey,
  }),
  output: Sent,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  render: renderSent,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "send_message" })),
})
