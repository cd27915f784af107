// What a model reads from list_messages, against the original project's rendering of the same rows:
// the typical calls and the original's format, shared by `bench/rendering-bytes.mjs`, which prints
// the figures, and the test that keeps ours from costing more.

/** A message as list_messages returns it, as far as the original's format prints it. */
interface Shown {
  readonly id: string
  readonly time: string
  readonly sender: string
  readonly from_me: boolean
  readonly kind: string
  readonly text: string | null
}
interface Hit extends Shown {
  readonly chat_jid: string
  readonly chat_name: string
  readonly context?: { readonly before: ReadonlyArray<Shown>; readonly after: ReadonlyArray<Shown> }
}
interface ListedChat {
  readonly jid: string
  readonly kind: string
  readonly phone_number: string | null
  readonly last_message: unknown
}

/**
 * Five calls a model typically makes, with arguments from the store itself (`list_chats` with
 * limit 50): the latest messages, a word, its most active group, the person of its most active
 * direct chat, and two words that must both appear.
 */
export const typicalCalls = (
  chats: ReadonlyArray<ListedChat>,
): ReadonlyArray<readonly [label: string, args: Record<string, unknown>]> => {
  const group = chats.find((c) => c.kind === "group")
  const direct = chats.find((c) => c.kind === "direct" && c.phone_number !== null && c.last_message != null)
  if (group === undefined || direct === undefined) throw new Error("the store has no group or direct chat")
  return [
    ["latest messages", {}],
    ["a word", { query: "dimanche" }],
    ["a group", { chat_jid: group.jid }],
    ["a person", { sender_phone_number: direct.phone_number }],
    ["words, all must appear", { query: "merci pour" }],
  ]
}

const media = new Set(["image", "video", "audio", "voice", "document", "sticker"])

/**
 * The original's text of the same rows, hits and their context: one line per message,
 * `[2026-01-02 15:32:00] Chat: NAME From: SENDER: text`, media as
 * `[image - Message ID: … - Chat JID: …] caption`; its time had no offset, and the chat is on every line.
 */
export const originalRendering = (hits: ReadonlyArray<Hit>): string => {
  let text = ""
  for (const hit of hits) {
    const around = hit.context ?? { before: [], after: [] }
    for (const m of [...around.before, hit, ...around.after]) {
      const time = `${m.time.slice(0, 10)} ${m.time.slice(11, 19)}`
      const sender = m.from_me ? "Me" : m.sender
      const prefix = media.has(m.kind) ? `[${m.kind} - Message ID: ${m.id} - Chat JID: ${hit.chat_jid}] ` : ""
      text += `[${time}] Chat: ${hit.chat_name} From: ${sender}: ${prefix}${m.text ?? ""}\n`
    }
  }
  return text
}

/** Every message a page shows: its hits and their context. */
export const shownOf = (hits: ReadonlyArray<Hit>): ReadonlyArray<Shown> =>
  hits.flatMap((hit) => [...(hit.context?.before ?? []), hit, ...(hit.context?.after ?? [])])

export const bytes = (text: string): number => Buffer.byteLength(text, "utf8")
