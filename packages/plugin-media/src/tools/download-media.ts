/** download_media: fetch and decrypt the media of a message into the local cache. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"

export const downloadMedia = Tool.make({
  name: "download_media",
  title: "Download media",
  description:
    "Download the photo, video, audio, voice note, document or sticker of a message to the local media cache and return its path, so it can be opened or sent on.",
  input: Schema.Struct({
    message_id: Params.BoundedString(200, "message_id").annotations({
      description: "The message with media.",
    }),
    chat_jid: Params.BoundedString(200, "chat_jid").annotations({ description: "The chat of the message." }),
  }),
  output: Schema.Struct({
    path: Schema.String,
    mimetype: Schema.String,
    size: Schema.Int,
    sha256: Schema.String,
    media_kind: Schema.String,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  render: (m) => `${m.media_kind} ${m.mimetype}, ${m.size} bytes: ${m.path}`,
  handler: () => Effect.fail(new NotAvailableYet({ tool: "download_media" })),
})
