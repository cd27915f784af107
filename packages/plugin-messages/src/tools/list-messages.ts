/** list_messages: search and filter messages across chats, each hit with its neighbours. */
import { InvalidArgument, Params, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Either, Schema } from "effect"
import * as FtsQuery from "../FtsQuery.js"
import { loadMessages } from "../MessageLoader.js"
import { neighboursOf, search, snippets } from "../MessageQueries.js"
import {
  asNeighbour,
  MediaType,
  Message,
  Neighbour,
  renderMessage,
  untrustedNote,
} from "../MessageSchemas.js"

/** Marks the matched words in snippets; plain text, so it survives any client's rendering. */
const highlight = { open: "«", close: "»" } as const

export const Hit = Schema.Struct({
  ...Message.fields,
  snippet: Schema.optional(Schema.String).annotations({
    description: "With a query: the matching extract, matched words between « and ».",
  }),
  context: Schema.optional(
    Schema.Struct({ before: Schema.Array(Neighbour), after: Schema.Array(Neighbour) }).annotations({
      description:
        "Neighbouring messages in the hit's chat, oldest first: context for the hit, not hits themselves.",
    }),
  ),
})
export type Hit = typeof Hit.Type

const Output = Schema.Struct({
  messages: Schema.Array(Hit).annotations({ description: "Matching messages, newest first." }),
  ...Params.PageInfo.fields,
})

const render = (output: typeof Output.Type): string => {
  if (output.messages.length === 0) {
    return output.page > 0 ? "No more messages." : "No messages match."
  }
  // neighbours are in their hit's chat, which is printed on the hit's line or once above them all
  const oneChat = new Set(output.messages.map((m) => m.chat_jid)).size === 1
  const first = output.messages[0]
  const lines: Array<string> = [untrustedNote]
  if (oneChat && first !== undefined) lines.push(`Chat: ${first.chat_name} (${first.chat_jid})`)
  for (const hit of output.messages) {
    const context = hit.context
    for (const m of context?.before ?? []) lines.push(`  · ${renderMessage(m)}`)
    lines.push(
      `${context === undefined ? "" : "> "}${renderMessage(hit, oneChat ? undefined : hit.chat_name)}${
        // The whole text is on the line already unless it was long or the match is in the file name.
        hit.snippet === undefined ||
        (hit.text !== null && hit.text.length <= 300 && hit.file_name === undefined)
          ? ""
          : ` match: ${JSON.stringify(hit.snippet)}`
      }`,
    )
    for (const m of context?.after ?? []) lines.push(`  · ${renderMessage(m)}`)
  }
  if (output.messages.some((m) => m.context !== undefined)) {
    lines.push("(> marks a hit, · its neighbouring messages)")
  }
  if (output.has_more) lines.push(`More results: call again with page ${output.page + 1}.`)
  return lines.join("\n")
}

const parseTime = (argument: string, input: string | undefined) =>
  Effect.flatMap(TimeZone.TimeZone, (zone) =>
    input === undefined
      ? Effect.succeed(undefined)
      : Either.match(zone.parse(input), {
          onLeft: (problem) => Effect.fail(new InvalidArgument({ argument, problem })),
          onRight: (seconds) => Effect.succeed(seconds),
        }),
  )

export const listMessages = Tool.make({
  name: "list_messages",
  title: "List messages",
  description:
    "Search and list WhatsApp messages, newest first. Use it to answer questions about what was said: filters combine — a time range (after, before), a sender (sender_phone_number), a chat (chat_jid), full-text query and media type. The query matches whole words in text, captions and file names, accents and case ignored; all words must appear, end a word with * to match its beginning (e.g. 'dinn* sunday'). Each hit comes with the messages around it as context (include_context). To read more of a conversation around a hit, call get_message_context. Find a chat's JID with list_chats and a person's number with search_contacts.",
  input: Schema.Struct({
    after: Params.optional(Params.DateTimeInput, "Only messages at or after this time."),
    before: Params.optional(Params.DateTimeInput, "Only messages before this time."),
    sender_phone_number: Params.optional(
      Params.BoundedString(200),
      "Only messages from this person: phone number with country code (e.g. +44 7700 900123), phone JID (…@s.whatsapp.net) or LID (…@lid).",
    ),
    chat_jid: Params.optional(
      Params.BoundedString(200),
      "Only messages in this chat: group JID (…@g.us), or a person's phone number with country code, phone JID (…@s.whatsapp.net) or LID (…@lid) for the direct chat.",
    ),
    query: Params.optional(
      Params.BoundedString(500),
      "Words to search for in text, captions and file names (accents and case ignored; word* for a prefix).",
    ),
    media_type: Params.optional(
      MediaType,
      "Only messages with this kind of media: image, video, audio (a file), voice (a voice note), document or sticker.",
    ),
    limit: Params.limit(),
    page: Params.page,
    include_context: Params.withDefault(
      Schema.Boolean,
      true,
      "Add the messages around each hit (context_before and context_after of them).",
    ),
    context_before: Params.withDefault(
      Params.IntBetween(0, 20),
      1,
      "How many earlier messages to add before each hit, a whole number from 0 to 20.",
    ),
    context_after: Params.withDefault(
      Params.IntBetween(0, 20),
      1,
      "How many later messages to add after each hit, a whole number from 0 to 20.",
    ),
  }),
  output: Output,
  annotations: Tool.readOnly,
  render,
  handler: (input) =>
    Effect.gen(function* () {
      const after = yield* parseTime("after", input.after)
      const before = yield* parseTime("before", input.before)
      if (after !== undefined && before !== undefined && after >= before) {
        return yield* new InvalidArgument({
          argument: "before",
          problem: `${input.before} is not later than after (${input.after}); nothing can be between them`,
        })
      }
      const match =
        input.query === undefined
          ? undefined
          : yield* Either.match(FtsQuery.build(input.query), {
              onLeft: (problem) => Effect.fail(new InvalidArgument({ argument: "query", problem })),
              onRight: Effect.succeed,
            })
      const chat =
        input.chat_jid === undefined ? undefined : yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      const sender =
        input.sender_phone_number === undefined
          ? undefined
          : yield* StoreQueries.resolvePerson("sender_phone_number", input.sender_phone_number)

      const rows = yield* search(
        {
          match,
          chatJid: chat?.canonical,
          senderJid: sender?.canonical,
          after,
          before,
          kind: input.media_type,
          limit: input.limit,
          offset: input.page * input.limit,
        },
        highlight,
      )
      const hits = rows.slice(0, input.limit).map((row) => row.row_id)
      const withContext = input.include_context && (input.context_before > 0 || input.context_after > 0)
      // a search read from the time-keyed index brings its snippets along; others fetch them
      const carried = new Map(
        rows.flatMap((row) => (typeof row.snippet === "string" ? [[row.row_id, row.snippet] as const] : [])),
      )
      const [extracts, neighbours] = yield* Effect.all([
        match === undefined || carried.size > 0 ? Effect.succeed(carried) : snippets(match, hits, highlight),
        withContext ? neighboursOf(hits, input.context_before, input.context_after) : Effect.succeed([]),
      ])
      const zone = yield* TimeZone.TimeZone
      const messages = yield* loadMessages([...hits, ...neighbours.map((n) => n.row_id)], zone.format)

      const contextOf = new Map<number, { before: Array<Neighbour>; after: Array<Neighbour> }>()
      for (const n of neighbours) {
        const message = messages.get(n.row_id)
        if (message === undefined) continue
        const entry = contextOf.get(n.anchor) ?? { before: [], after: [] }
        entry[n.side].push(asNeighbour(message))
        contextOf.set(n.anchor, entry)
      }
      const result: Array<Hit> = []
      for (const rowId of hits) {
        const message = messages.get(rowId)
        if (message === undefined) continue
        const extract = extracts.get(rowId)
        const context = contextOf.get(rowId) ?? { before: [], after: [] }
        result.push({
          ...message,
          ...(extract === undefined ? {} : { snippet: extract }),
          ...(withContext
            ? {
                context,
              }
            : {}),
        })
      }
      return { messages: result, page: input.page, limit: input.limit, has_more: rows.length > input.limit }
    }),
})
