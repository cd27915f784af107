/** list_messages: search and filter messages across chats. */
import { NotAvailableYet, Params, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { MediaType, Message, renderMessage } from "../MessageSchemas.js"

export const listMessages = Tool.make({
  name: "list_messages",
  title: "List messages",
  description:
    "Search and list WhatsApp messages, newest first. Filters combine: a time range (after, before), a sender, a chat, full-text query (words and prefixes, accents ignored) and media type. Each hit can come with the messages around it for context.",
  input: Schema.Struct({
    after: Params.optional(Params.DateTimeInput, "Only messages at or after this time."),
    before: Params.optional(Params.DateTimeInput, "Only messages before this time."),
    sender_phone_number: Params.optional(
      Params.BoundedString(200, "sender_phone_number"),
      "Only messages from this person: phone number, phone JID or LID.",
    ),
    chat_jid: Params.optional(Params.BoundedString(200, "chat_jid"), "Only messages in this chat."),
    query: Params.optional(
      Params.BoundedString(500, "query"),
      "Words to search for in text, captions and file names.",
    ),
    media_type: Params.optional(MediaType, "Only messages with this kind of media."),
    limit: Params.limit(),
    page: Params.page,
    include_context: Params.withDefault(Schema.Boolean, true, "Add the messages around each hit."),
    context_before: Params.withDefault(
      Schema.Int.pipe(Schema.between(0, 20, { title: "context_before" })),
      1,
      "How many earlier messages to add around each hit (0-20).",
    ),
    context_after: Params.withDefault(
      Schema.Int.pipe(Schema.between(0, 20, { title: "context_after" })),
      1,
      "How many later messages to add around each hit (0-20).",
    ),
  }),
  output: Schema.Struct({ messages: Schema.Array(Message), ...Params.PageInfo.fields }),
  annotations: Tool.readOnly,
  render: ({ messages }) => messages.map(renderMessage).join("\n"),
  handler: () => Effect.fail(new NotAvailableYet({ tool: "list_messages" })),
})
