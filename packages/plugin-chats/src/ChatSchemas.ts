/**
 * The chat as the chats tools return it, how it is assembled from store rows, and its one-line
 * rendering. Names and message previews are other people's words: printed through `Render`, as
 * quoted data, never bare.
 */
import { Render, StoreQueries } from "@whatsapp-mcp/runtime"
import { Schema } from "effect"
import type { ChatRow, LastMessageRow } from "./ChatQueries.js"

export const ChatKind = Schema.Literal("direct", "group", "broadcast", "newsletter")

export const LastMessage = Schema.Struct({
  id: Schema.String,
  time: Schema.String.annotations({ description: "ISO-8601 with offset." }),
  sender: Schema.String.annotations({ description: 'Sender name, "You" for the user.' }),
  from_me: Schema.Boolean,
  preview: Schema.String.annotations({
    description:
      "The start of the message; media as (kind) with its caption; deleted ones as (message deleted).",
  }),
})
export type LastMessage = typeof LastMessage.Type

export const Chat = Schema.Struct({
  jid: Schema.String.annotations({ description: "The chat's JID: pass it as chat_jid to other tools." }),
  name: Schema.String,
  kind: ChatKind,
  phone_number: Schema.NullOr(Schema.String).annotations({
    description: "For a direct chat, the person's phone number with + and country code, when known.",
  }),
  last_active: Schema.NullOr(Schema.String).annotations({
    description: "Time of the last message, ISO-8601.",
  }),
  unread_count: Schema.Int,
  marked_unread: Schema.Boolean.annotations({ description: "The user marked the chat as unread." }),
  archived: Schema.Boolean,
  pinned: Schema.Boolean,
  muted: Schema.Boolean,
  participant_count: Schema.NullOr(Schema.Int).annotations({
    description: "Groups only: how many members; null when the member list is not known yet.",
  }),
  last_message: Schema.NullOr(LastMessage),
})
export type Chat = typeof Chat.Type

const kinds = new Set<string>(ChatKind.literals)

export const toLastMessage = (
  row: LastMessageRow,
  format: (unix: number) => string,
  nameOf: (jid: string) => string = StoreQueries.fallbackName,
): LastMessage => ({
  id: row.id,
  time: format(row.timestamp),
  sender:
    row.from_me === 1
      ? "You"
      : (row.sender_name ?? StoreQueries.fallbackName(row.sender_jid ?? row.chat_jid)),
  from_me: row.from_me === 1,
  preview: StoreQueries.previewOf(row, 120, nameOf),
})

/** A chat from its row; `now` (Unix seconds) decides whether a timed mute is still on. */
export const toChat = (
  row: ChatRow,
  last: LastMessageRow | undefined,
  format: (unix: number) => string,
  now: number,
  nameOf: (jid: string) => string = StoreQueries.fallbackName,
): Chat => ({
  jid: row.jid,
  name: row.name ?? StoreQueries.fallbackName(row.jid),
  kind: kinds.has(row.kind) ? (row.kind as Chat["kind"]) : "direct",
  phone_number: row.phone === null ? null : `+${row.phone}`,
  last_active: row.last_message_time === null ? null : format(row.last_message_time),
  unread_count: row.unread_count,
  marked_unread: row.marked_unread === 1,
  archived: row.archived === 1,
  pinned: row.pinned_at !== null,
  muted: row.muted_until !== null && (row.muted_until < 0 || row.muted_until > now),
  participant_count: row.participant_count,
  last_message: last === undefined ? null : toLastMessage(last, format, nameOf),
})

/** Who wrote a message: the user bare, as `You`; anyone else by their quoted name, which they chose. */
const who = (sender: string, fromMe: boolean): string => (fromMe ? "You" : Render.quote(sender, 60))

/** A message on one line: time, sender, quoted preview, `#id`. */
export const renderLastMessage = (last: LastMessage): string =>
  `${Render.time(last.time)} ${who(last.sender, last.from_me)}: ${Render.quote(last.preview)} #${Render.token(last.id)}`

export const renderChat = (chat: Chat): string => {
  const flags = [
    chat.kind,
    chat.participant_count === null ? undefined : `${chat.participant_count} members`,
    chat.unread_count > 0 ? `${chat.unread_count} unread` : chat.marked_unread ? "marked unread" : undefined,
    chat.pinned ? "pinned" : undefined,
    chat.archived ? "archived" : undefined,
    chat.muted ? "muted" : undefined,
  ].filter((flag) => flag !== undefined)
  const last = chat.last_message
  return `${Render.quote(chat.name, 80)} ${Render.token(chat.jid)} (${flags.join(", ")})${
    last === null ? "" : ` last ${renderLastMessage(last)}`
  }`
}

/** Said first: chat names and previews are other people's words. */
export const untrustedNote = `${Render.untrustedNote} #… is a message id.`

/** What a tool that finds one chat answers, and how it is shown. */
export const oneChatResult = {
  output: Schema.Struct({ chat: Chat }),
  render: ({ chat }: { readonly chat: Chat }): string => `${untrustedNote}\n${renderChat(chat)}`,
} as const

export const renderChats = (chats: ReadonlyArray<Chat>, page: number, hasMore: boolean): string => {
  if (chats.length === 0) return page > 0 ? "No more chats." : "No chats match."
  const lines = [untrustedNote, ...chats.map(renderChat)]
  if (hasMore) lines.push(`More chats: call again with page ${page + 1}.`)
  return lines.join("\n")
}
