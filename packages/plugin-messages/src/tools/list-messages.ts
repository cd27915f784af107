/** list_messages: search and filter messages across chats, each hit with its neighbours. */
import { InvalidArgument, Params, Render, StoreQueries, TimeZone, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Either, Schema } from "effect"
import { loadMessages } from "../MessageLoader.js"
import { latestTexts, neighboursOf, search, snippets } from "../MessageQueries.js"
import {
  asNeighbour,
  lineFormat,
  MediaType,
  Message,
  messageLines,
  Neighbour,
  neighbourCount,
} from "../MessageSchemas.js"
import { frequentWords } from "../SearchHint.js"

/** How many of the latest messages searched an empty result's hint reads for their frequent words. */
const searchedForHint = 300

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
        "Neighbouring messages in the hit's chat, oldest first: context for the hit, not hits themselves. Only when a query, sender or media type leaves messages out between the hits; a message already on the page (a hit, or context of a newer hit) is not repeated.",
    }),
  ),
})
export type Hit = typeof Hit.Type

const Output = Schema.Struct({
  messages: Schema.Array(Hit).annotations({ description: "Matching messages, newest first." }),
  frequent_words: Schema.optional(Schema.Array(Schema.String)).annotations({
    description:
      "Only when a query found nothing: the most frequent words of the latest messages searched (with the same chat, sender, time and media filters), to retry in the language they are written in.",
  }),
  ...Params.PageInfo.fields,
})

/** What to try when a query found nothing: the words, and so the languages, of what it searched. */
const noMatch = (frequent: ReadonlyArray<string> | undefined): string => {
  if (frequent === undefined) return "No messages match."
  if (frequent.length === 0)
    return "No messages match: the messages searched (with these chat, sender, time and media filters) hold no words. Widen or drop a filter."
  return `No messages match. Words match whole as written, in the language of the message (accents and case ignored). Frequent words in the latest messages searched: ${frequent
    .map((word) => Render.quote(word, 40))
    .join(", ")}. Retry with words in their language, or end a word with * to match its beginning.`
}

const render = (output: typeof Output.Type): string => {
  if (output.messages.length === 0)
    return output.page > 0 ? "No more messages." : noMatch(output.frequent_words)
  const out = messageLines(
    new Set(
      output.messages.flatMap((m) => [
        m.id,
        ...[...(m.context?.before ?? []), ...(m.context?.after ?? [])].map((n) => n.id),
      ]),
    ),
  )
  const withContext = output.messages.some(
    (m) => (m.context?.before.length ?? 0) + (m.context?.after.length ?? 0) > 0,
  )
  out.push(Render.untrustedNote)
  // Each chat under one heading, chats in the order of their newest hit, and within a chat its
  // hits and their context as one conversation, oldest first, as the chat reads on the phone and
  // in get_message_context: a reply follows what it answers, and the date is said once per day
  // rather than again each time the page steps back to an older hit. The structured result keeps
  // the page newest first.
  const chats = new Map<
    string,
    { readonly name: string; readonly lines: Array<{ m: Neighbour; hit?: Hit }> }
  >()
  for (const hit of output.messages) {
    if (!chats.has(hit.chat_jid)) chats.set(hit.chat_jid, { name: hit.chat_name, lines: [] })
  }
  for (const hit of [...output.messages].reverse()) {
    const lines = chats.get(hit.chat_jid)?.lines ?? []
    for (const m of hit.context?.before ?? []) lines.push({ m })
    lines.push({ m: hit, hit })
    for (const m of hit.context?.after ?? []) lines.push({ m })
  }
  for (const [jid, { name, lines }] of chats) {
    out.chat(name, jid)
    // stable: messages of the same second keep the store's order
    lines.sort((a, b) => Date.parse(a.m.time) - Date.parse(b.m.time))
    for (const { m, hit } of lines) {
      if (hit === undefined) out.message(m)
      else
        out.message(
          hit,
          withContext ? "> " : "",
          // The whole text is on the line already unless it was long or the match is in the file name.
          hit.snippet === undefined ||
            (hit.text !== null && hit.text.length <= 300 && hit.file_name === undefined)
            ? ""
            : ` match: ${Render.quote(hit.snippet)}`,
        )
    }
  }
  if (output.has_more) out.push(`More results: call again with page ${output.page + 1}.`)
  return out.lines.join("\n")
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
  description: `Search and list WhatsApp messages, newest first. Use it to answer questions about what was said: filters combine — a time range (after, before), a sender (sender_phone_number), a chat (chat_jid), full-text query, media type, and unread_only for exactly what the user has not read yet. The query matches whole words in text, captions and file names, accents and case ignored; all words must appear, end a word with * to match its beginning (e.g. 'dinn* sunday'). Each hit comes with the messages around it as context (include_context). To read more of a conversation around a hit, call get_message_context. Find a chat's JID with list_chats and a person's number with search_contacts. ${lineFormat} The text groups the page by chat, the chat with the newest hit first, and reads each chat oldest first, as a conversation; with context, > marks the hits and the lines around them are context.`,
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
    unread_only: Params.withDefault(
      Schema.Boolean,
      false,
      "Only unread messages: those other people sent since the user last read the chat (the chat's unread_count in list_chats), older ones included, never the user's own. With chat_jid, that chat's; without, every chat's.",
    ),
    limit: Params.limit(),
    page: Params.page,
    include_context: Params.withDefault(
      Schema.Boolean,
      true,
      "Add the messages around each hit (context_before and context_after of them).",
    ),
    context_before: neighbourCount(20, 1, "How many earlier messages to add before each hit"),
    context_after: neighbourCount(20, 1, "How many later messages to add after each hit"),
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
          : yield* Either.match(StoreQueries.fullTextQuery(input.query), {
              onLeft: (problem) => Effect.fail(new InvalidArgument({ argument: "query", problem })),
              onRight: Effect.succeed,
            })
      const chat =
        input.chat_jid === undefined ? undefined : yield* StoreQueries.resolveChat("chat_jid", input.chat_jid)
      const sender =
        input.sender_phone_number === undefined
          ? undefined
          : yield* StoreQueries.resolvePerson("sender_phone_number", input.sender_phone_number)

      const filters = {
        match,
        chatJid: chat?.canonical,
        senderJid: sender?.canonical,
        after,
        before,
        kind: input.media_type,
        unreadOnly: input.unread_only,
        limit: input.limit,
        offset: input.page * input.limit,
      }
      const rows = yield* search(filters, highlight)
      if (rows.length === 0 && match !== undefined && input.page === 0) {
        const texts = yield* latestTexts({ ...filters, match: undefined }, searchedForHint)
        return {
          messages: [],
          frequent_words: frequentWords(texts, 8),
          page: 0,
          limit: input.limit,
          has_more: false,
        }
      }
      const hits = rows.slice(0, input.limit).map((row) => row.row_id)
      // Without a filter that leaves messages out between them (a chat or time range alone), the
      // hits are each chat's consecutive messages already: context would only repeat them.
      const skipsMessages =
        match !== undefined || sender !== undefined || input.media_type !== undefined || input.unread_only
      const withContext =
        input.include_context && skipsMessages && (input.context_before > 0 || input.context_after > 0)
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

      // Each message is shown once on a page: a neighbour that is a hit itself, or already the
      // context of a newer hit, is left out of the context.
      const byAnchor = new Map<number, Array<(typeof neighbours)[number]>>()
      for (const n of neighbours) {
        const ofAnchor = byAnchor.get(n.anchor)
        if (ofAnchor === undefined) byAnchor.set(n.anchor, [n])
        else ofAnchor.push(n)
      }
      const shown = new Set(hits)
      const contextOf = new Map<number, { before: Array<Neighbour>; after: Array<Neighbour> }>()
      for (const anchor of hits) {
        const entry = { before: [] as Neighbour[], after: [] as Neighbour[] }
        for (const n of byAnchor.get(anchor) ?? []) {
          if (shown.has(n.row_id)) continue
          const message = messages.get(n.row_id)
          if (message === undefined) continue
          shown.add(n.row_id)
          entry[n.side].push(asNeighbour(message))
        }
        contextOf.set(anchor, entry)
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
          ...(withContext ? { context } : {}),
        })
      }
      return { messages: result, page: input.page, limit: input.limit, has_more: rows.length > input.limit }
    }),
})
