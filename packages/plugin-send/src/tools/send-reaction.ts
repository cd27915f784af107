/** send_reaction: react to a message with an emoji, or remove the reaction. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { confirmFirst, renderSent, Sent } from "../SendSchemas.js"

export const sendReaction = Tool.make({
  name: "send_reaction",
  title: "React to message",
  description: `React to a WhatsApp message with an emoji; an empty emoji removes your reaction. ${confirmFirst}`,
  input: Schema.Struct({
    chat_jid: Params.BoundedString(200, "chat_jid").annotations({ description: "The chat of the message." }),
    message_id: Params.BoundedString(200, "message_id").annotations({
      description: "The message to react to.",
    }),
    emoji: Schema.String.pipe(Schema.maxLength(32, { title: "emoji" })).annotations({
      description: 'One emoji, e.g. "👍"; an empty string removes your reaction.',
    }),
  }),
  output: Sent,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  render: renderSent,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "send_reaction" })),
})
