/** list_chats: the user's chats, most recently active first, with each one's last message. */
import { Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { loadChats } from "../ChatLoader.js"
import { listChats as queryChats } from "../ChatQueries.js"
import { Chat, renderChats } from "../ChatSchemas.js"

const Output = Schema.Struct({ chats: Schema.Array(Chat), ...Params.PageInfo.fields })

export const listChats = Tool.make({
  name: "list_chats",
  title: "List chats",
  description:
    "List the user's WhatsApp chats (direct and group), most recently active first, each with its last message, unread count and whether it is pinned, archived or muted. Use it to see what is going on, to find a chat's JID by name (query matches chat and contact names, accents and case ignored, phone numbers and JIDs), or to list groups only (kind). Then read a chat with list_messages(chat_jid=…).",
  input: Schema.Struct({
    query: Params.optional(
      Params.BoundedString(200),
      "Part of a chat name, contact name, phone number or JID to look for (accents and case ignored), e.g. 'football' or '+44 7700'.",
    ),
    limit: Params.limit(),
    page: Params.page,
    include_last_message: Params.withDefault(Schema.Boolean, true, "Include each chat's last message."),
    sort_by: Params.withDefault(
      Schema.Literal("last_active", "name"),
      "last_active",
      "Order of the chats: last_active (most recently active first) or name (alphabetical).",
    ),
    kind: Params.withDefault(
      Schema.Literal("all", "direct", "group"),
      "all",
      "Which chats to list: all, direct (one-to-one chats with a person) or group.",
    ),
  }),
  output: Output,
  annotations: Tool.readOnly,
  render: ({ chats, page, has_more }) => renderChats(chats, page, has_more),
  handler: (input) =>
    Effect.gen(function* () {
      const zone = yield* TimeZone.TimeZone
      const query = input.query?.trim()
      const digits = query?.replace(/\D/g, "")
      const rows = yield* queryChats({
        pattern: query === undefined || query === "" ? undefined : StoreQueries.containsPattern(query),
        digits: digits !== undefined && digits.length >= 3 ? digits : undefined,
        kind: input.kind,
        sortBy: input.sort_by,
        limit: input.limit,
        offset: input.page * input.limit,
      })
      const chats = yield* loadChats(rows.slice(0, input.limit), input.include_last_message, zone)
      return { chats, page: input.page, limit: input.limit, has_more: rows.length > input.limit }
    }),
})
