/**
 * What the person reads when asked to confirm a send: the recipient by the name they know and by
 * number, then exactly what goes out. Names come from other people, so they are quoted; the content
 * comes from the model and is shown whole, below its heading, as it will be sent.
 */
import type { SqlClient, SqlError } from "@effect/sql"
import { Jid, MediaType, Render, StoreQueries, TimeZone } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"
import type { CheckedFile } from "./SendPolicy.js"
import { storedMessage } from "./SendQueries.js"

type Described = Effect.Effect<string, SqlError.SqlError, SqlClient.SqlClient>

const name = (value: string): string => Render.quote(value, 80)

/** `"Zoé Lefèvre" (+12025550101)`, `the group "Family" (…@g.us)`, or the number alone when nothing names it. */
export const recipientLine = (recipient: StoreQueries.Resolved): Described =>
  Effect.gen(function* () {
    const named = yield* StoreQueries.namedChat(recipient.canonical)
    if (Jid.kindOf(recipient.canonical) === "group") {
      return `the group ${name(named.name)} (${recipient.canonical})`
    }
    const number = recipient.phone !== undefined ? `+${recipient.phone}` : recipient.canonical
    return named.name === number ? number : `${name(named.name)} (${number})`
  })

/** Sizes as a person reads them: 820 bytes, 45.2 KB, 3.1 MB. */
export const size = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} bytes`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`

/** A file's type as the bridge will tell it from its first bytes, and how WhatsApp will show it. */
export const fileType = (file: CheckedFile): string => {
  const type = MediaType.sniff(file.head, file.name)
  const shown = type.kind === "image" || type.kind === "audio" ? `an ${type.kind}` : `a ${type.kind}`
  return `${type.mimetype}, sent as ${shown}`
}

/** The message a reply quotes or a reaction answers, as one line: who wrote it, when, and what it says. */
const messageLine = (chatJids: ReadonlyArray<string>, id: string) =>
  Effect.gen(function* () {
    const found = yield* storedMessage(chatJids, id)
    if (found === undefined) return `message ${Render.token(id)} (not in the store)`
    const zone = yield* TimeZone.TimeZone
    const author =
      found.fromMe || found.sender === null
        ? "you"
        : name((yield* StoreQueries.personNames([found.sender])).get(found.sender) ?? found.sender)
    return `the message from ${author} at ${Render.time(zone.format(found.timestamp))}: ${name(found.preview)}`
  })

export const textMessage = (
  recipient: StoreQueries.Resolved,
  text: string,
  replyTo: string | undefined,
): Effect.Effect<string, SqlError.SqlError, SqlClient.SqlClient | TimeZone.TimeZone> =>
  Effect.gen(function* () {
    const lines = ["Send this WhatsApp message?", `To: ${yield* recipientLine(recipient)}`]
    if (replyTo !== undefined) lines.push(`In reply to ${yield* messageLine(recipient.jids, replyTo)}`)
    lines.push("Message:", text)
    return lines.join("\n")
  })

export const fileMessage = (
  recipient: StoreQueries.Resolved,
  file: CheckedFile,
  caption: string | undefined,
  replyTo: string | undefined,
): Effect.Effect<string, SqlError.SqlError, SqlClient.SqlClient | TimeZone.TimeZone> =>
  Effect.gen(function* () {
    const lines = ["Send this file on WhatsApp?", `To: ${yield* recipientLine(recipient)}`]
    if (replyTo !== undefined) lines.push(`In reply to ${yield* messageLine(recipient.jids, replyTo)}`)
    lines.push(`File: ${name(file.name)}, ${fileType(file)}, ${size(file.size)}`)
    if (caption !== undefined) lines.push("Caption:", caption)
    return lines.join("\n")
  })

export const voiceMessage = (recipient: StoreQueries.Resolved, file: CheckedFile): Described =>
  Effect.gen(function* () {
    return [
      "Send this audio file as a WhatsApp voice note?",
      `To: ${yield* recipientLine(recipient)}`,
      `Audio: ${name(file.name)}, ${MediaType.sniff(file.head, file.name).mimetype}, ${size(file.size)}`,
    ].join("\n")
  })

export const reactionMessage = (
  chat: StoreQueries.Resolved,
  messageId: string,
  emoji: string,
): Effect.Effect<string, SqlError.SqlError, SqlClient.SqlClient | TimeZone.TimeZone> =>
  Effect.gen(function* () {
    const target = yield* messageLine(chat.jids, messageId)
    return [
      emoji === "" ? "Remove your WhatsApp reaction?" : `React with ${Render.reaction(emoji)} on WhatsApp?`,
      `Chat: ${yield* recipientLine(chat)}`,
      `To ${target}`,
    ].join("\n")
  })
