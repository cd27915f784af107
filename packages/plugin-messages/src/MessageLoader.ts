/**
 * Loads messages by row id as the tools return them: names instead of numbers, "You" for the
 * user, the quoted message, reactions, edit and delete flags, delivery status. One statement for any
 * number of messages.
 */
import type { SqlClient, SqlError } from "@effect/sql"
import { StoreQueries } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"
import { type MessageRow, messagesByRowId } from "./MessageQueries.js"
import type { DeliveryStatus, Message } from "./MessageSchemas.js"

/** `messages.status` (proto `WebMessageInfo.Status`) by number. */
const statusNames: ReadonlyArray<typeof DeliveryStatus.Type> = [
  "error",
  "pending",
  "sent",
  "delivered",
  "read",
  "played",
]

const you = "You"

const nameOf = (jid: string | null, name: string | null): string =>
  name ?? (jid === null ? "unknown" : StoreQueries.fallbackName(jid))

/** `messages.poll_options` is a JSON array of option names; anything else reads as no options. */
const pollOptions = (raw: string | null): ReadonlyArray<string> | null => {
  if (raw === null) return null
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) ? parsed.filter((o): o is string => typeof o === "string") : null
  } catch {
    return null
  }
}

type ReactionTuple = readonly [emoji: string, fromMe: number, senderJid: string, senderName: string | null]

const reactionsOf = (raw: string | null): NonNullable<Message["reactions"]> => {
  if (raw === null) return []
  const tuples = JSON.parse(raw) as ReadonlyArray<ReactionTuple>
  return tuples.map(([emoji, fromMe, senderJid, senderName]) => ({
    emoji,
    sender: fromMe === 1 ? you : nameOf(senderJid, senderName),
    // The store keeps '' for the account's own reactions until it learns the account's JID; a
    // message's sender is null in that case, and a reaction's is too.
    sender_jid: senderJid === "" ? null : senderJid,
    from_me: fromMe === 1,
  }))
}

// WhatsApp writes a mention into the text as `@` and the person's number, or their LID's digits in
// LID-addressed groups; the phone shows their name instead, and so does a message read here.
const mentionPattern = /@(\d{5,20})\b/g
const mentionJids = (text: string | null): ReadonlyArray<string> =>
  text === null
    ? []
    : [...text.matchAll(mentionPattern)].flatMap((match) => [`${match[1]}@lid`, `${match[1]}@s.whatsapp.net`])

/** `@digits` replaced by `@Name` where the store knows who those digits are; left as written otherwise. */
const withMentionNames = (text: string | null, nameOf: (jid: string) => string | undefined): string | null =>
  text === null
    ? null
    : text.replace(mentionPattern, (written, digits: string) => {
        const name = nameOf(`${digits}@lid`) ?? nameOf(`${digits}@s.whatsapp.net`)
        return name === undefined ? written : `@${name}`
      })

const toMessage = (
  row: MessageRow,
  format: (unix: number) => string,
  nameOfParty: (jid: string) => string,
  nameOfMention: (jid: string) => string | undefined = () => undefined,
): Message => {
  const fromMe = row.from_me === 1
  const deleted = row.deleted === "revoked"
  const text = deleted
    ? null
    : row.kind === "system"
      ? StoreQueries.describeNotice(row.stub_type, row.stub_parameters, nameOfParty)
      : withMentionNames(row.text, nameOfMention)
  // Fields the message does not have are left out, not null (see MessageSchemas).
  const message: { -readonly [K in keyof Message]: Message[K] } = {
    id: row.id,
    chat_jid: row.chat_jid,
    chat_name: nameOf(row.chat_jid, row.chat_name),
    time: format(row.timestamp),
    sender: fromMe ? you : nameOf(row.sender_jid, row.sender_name),
    sender_jid: row.sender_jid,
    from_me: fromMe,
    kind: row.kind,
    text,
    edited: row.edited_at !== null && !deleted,
    deleted,
  }
  if (!deleted) {
    if (row.media_file_name !== null) message.file_name = row.media_file_name
    if (row.media_mimetype !== null) message.mimetype = row.media_mimetype
    if (row.latitude !== null && row.longitude !== null)
      message.location = { latitude: row.latitude, longitude: row.longitude }
    const options = pollOptions(row.poll_options)
    if (options !== null) message.poll_options = options
  }
  if (row.quoted_id !== null) {
    message.quoted = {
      id: row.quoted_id,
      sender: row.quoted_from_me === 1 ? you : nameOf(row.quoted_sender_jid, row.quoted_sender_name),
      from_me: row.quoted_from_me === 1,
      snippet:
        row.quoted_kind === null
          ? null
          : StoreQueries.previewOf(
              {
                kind: row.quoted_kind,
                text: row.quoted_text,
                media_file_name: row.quoted_file_name,
                deleted: row.quoted_deleted,
                stub_type: row.quoted_stub_type,
                stub_parameters: row.quoted_stub_parameters,
              },
              80,
            ),
    }
  }
  const status = fromMe && row.status !== null ? statusNames[row.status] : undefined
  if (status !== undefined) message.status = status
  const reactions = reactionsOf(row.reactions)
  if (reactions.length > 0) message.reactions = reactions
  return message
}

/** The messages with these row ids, by row id, times printed by `format`. Unknown ids are left out. */
export const loadMessages = (
  rowIds: ReadonlyArray<number>,
  format: (unixSeconds: number) => string,
): Effect.Effect<ReadonlyMap<number, Message>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const unique = [...new Set(rowIds)]
    if (unique.length === 0) return new Map()
    const rows = yield* messagesByRowId(unique)
    // People named by notices (added, removed, promoted…), in one more query when there are any.
    const parties = rows.flatMap((row) =>
      row.kind === "system"
        ? StoreQueries.noticeJids(row.stub_parameters)
        : row.deleted === "revoked"
          ? []
          : mentionJids(row.text),
    )
    const [names, self] =
      parties.length === 0
        ? [new Map<string, string>(), []]
        : yield* Effect.all([StoreQueries.personNames(parties), StoreQueries.selfJids()])
    const nameOfParty = (jid: string) =>
      self.includes(jid) ? you : (names.get(jid) ?? StoreQueries.fallbackName(jid))
    const messages = new Map<number, Message>()
    // A mention is renamed only to a name or number the store knows, never to a bare JID.
    const nameOfMention = (jid: string) => {
      if (self.includes(jid)) return you
      const name = names.get(jid)
      return name === undefined || name === jid || name === StoreQueries.fallbackName(jid) ? undefined : name
    }
    for (const row of rows) {
      messages.set(row.row_id, toMessage(row, format, nameOfParty, nameOfMention))
    }
    return messages
  })
