/**
 * Queries over the store that every plugin needs the same way: turning whatever identifier a model
 * gives into the person or chat the store knows (through the LID ↔ phone alias table), and the names
 * people and chats are shown with. Lists travel to SQLite as one JSON parameter, so each statement's
 * text is fixed and SQLite prepares it once.
 *
 * A list parameter is joined with CROSS JOIN, which keeps it the outer loop: the planner cannot
 * know how short the list is and, on a store with few rows, would read the whole table instead.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import * as Jid from "@whatsapp-mcp/core/jid"
import { MessageDeletion, type MessageKind, type StubTypeName, StubTypes } from "@whatsapp-mcp/core/store"
import { Effect, Either } from "effect"
import { InvalidArgument } from "./ToolErrors.js"

/** A person or chat as the store knows it, whichever form the caller used. */
export interface Resolved {
  /** What the caller gave, normalised. */
  readonly identifier: Jid.Identifier
  /** The form the store keys it under: the phone JID when one is known, else the LID (groups: their JID). */
  readonly canonical: string
  /** Every JID the same person or chat may be stored under (canonical first), for `IN` filters. */
  readonly jids: ReadonlyArray<string>
  /** The phone number's digits, when known. */
  readonly phone: string | undefined
}

/** A JSON array for `json_each(?)`: one parameter whatever the list's length. */
export const jsonList = (values: ReadonlyArray<string | number>): string => JSON.stringify(values)

/** Resolves a parsed identifier to every form the store may hold it under. */
export const resolve = (
  identifier: Jid.Identifier,
): Effect.Effect<Resolved, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (!Jid.isPerson(identifier)) {
      return { identifier, canonical: identifier.jid, jids: [identifier.jid], phone: undefined }
    }
    const sql = yield* SqlClient.SqlClient
    // Both columns are indexed; a LID may have been learnt only from the contact list.
    const rows = yield* sql<{ pn: string | null; lid: string | null }>`
      SELECT pn, lid FROM jid_aliases WHERE lid = ${identifier.jid} OR pn = ${identifier.jid}
      UNION
      SELECT CASE WHEN jid LIKE '%@s.whatsapp.net' THEN jid END, lid FROM contacts
      WHERE lid = ${identifier.jid} OR jid = ${identifier.jid}`
    const phoneJid =
      identifier.kind === "phone" ? identifier.jid : (rows.find((row) => row.pn !== null)?.pn ?? undefined)
    const jids = new Set<string>()
    if (phoneJid !== undefined) jids.add(phoneJid)
    jids.add(identifier.jid)
    for (const row of rows) {
      if (row.pn !== null && row.pn === phoneJid && row.lid !== null) jids.add(row.lid)
    }
    const list = [...jids]
    return {
      identifier,
      canonical: list[0] ?? identifier.jid,
      jids: list,
      phone: phoneJid === undefined ? undefined : Jid.phoneOf(phoneJid),
    }
  })

/** Parses an argument as an identifier, failing with an error that names the argument. */
export const parseArgument = (
  argument: string,
  input: string,
): Effect.Effect<Jid.Identifier, InvalidArgument> =>
  Either.match(Jid.parse(input), {
    onLeft: (problem) => Effect.fail(new InvalidArgument({ argument, problem })),
    onRight: Effect.succeed,
  })

/** Parses and resolves an argument naming a person; a group JID is refused with a reason. */
export const resolvePerson = (
  argument: string,
  input: string,
): Effect.Effect<Resolved, InvalidArgument | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    parseArgument(argument, input),
    (identifier): Effect.Effect<Resolved, InvalidArgument | SqlError.SqlError, SqlClient.SqlClient> =>
      Jid.isPerson(identifier)
        ? resolve(identifier)
        : Effect.fail(
            new InvalidArgument({
              argument,
              problem: `"${input}" is a ${identifier.kind} JID, not a person: give the person's phone number, phone JID or LID (search_contacts finds them by name)`,
            }),
          ),
  )

/**
 * Parses and resolves an argument naming a chat, and checks the store has it. Returns the JID the
 * chat is stored under. An unknown chat fails with an error saying how to find the right one.
 */
export const resolveChat = (
  argument: string,
  input: string,
): Effect.Effect<Resolved, InvalidArgument | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const resolved = yield* Effect.flatMap(parseArgument(argument, input), resolve)
    const sql = yield* SqlClient.SqlClient
    const found = yield* sql<{ jid: string }>`
      SELECT c.jid FROM json_each(${jsonList(resolved.jids)}) j CROSS JOIN chats c ON c.jid = j.value
      ORDER BY j.key LIMIT 1`
    const stored = found[0]?.jid
    if (stored === undefined) {
      return yield* new InvalidArgument({
        argument,
        problem: `no chat with ${input} is in the store. Call list_chats (by name) or search_contacts (for a person's number) to find the chat's JID.`,
      })
    }
    return { ...resolved, canonical: stored, jids: [stored, ...resolved.jids.filter((j) => j !== stored)] }
  })

/** SQL: the linked account's own JIDs (phone JID and LID), as a list for `IN (…)`. */
const selfJidsSql = "SELECT value FROM account WHERE key IN ('self_jid', 'self_lid')"

/** The linked account's own JIDs (phone JID and LID), so its messages and reactions show as "You". */
export const selfJids = (): Effect.Effect<ReadonlyArray<string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql<{ value: string }>`${sql.literal(selfJidsSql)}`, (rows) => rows.map((row) => row.value)),
  )

/**
 * The name a person is shown with: address-book name, then business name, then push name, then
 * `+<phone>`; a JID the store has no name for shows as its phone number or as itself.
 */
export const fallbackName = (jid: string): string => {
  const phone = Jid.phoneOf(jid)
  return phone === undefined ? jid : `+${phone}`
}

/**
 * SQL naming a chat, for statements that read chats or messages: `jid` is the chat's canonical
 * JID, `chatName` its `chats.name` (a group's subject, a direct chat's contact name) and
 * `contactName` the direct chat's `contacts.display_name` (all three are column expressions of the
 * caller's statement). The chat with oneself is named as WhatsApp's chat list names it, "<your
 * name> (You)", so that it never reads as a stranger's number. NULL when nothing names the chat:
 * the caller falls back to `fallbackName`.
 */
export const chatNameSql = (jid: string, chatName: string, contactName: string): string =>
  `CASE WHEN ${jid} IN (${selfJidsSql}) THEN COALESCE(
    (SELECT value FROM account WHERE key = 'self_name'), ${contactName},
    CASE WHEN ${jid} GLOB '*@s.whatsapp.net' THEN '+' || substr(${jid}, 1, instr(${jid}, '@') - 1) END,
    'You') || ' (You)'
  ELSE COALESCE(${chatName}, ${contactName}) END`

/**
 * SQL naming a person: `jid` is their canonical JID and `displayName` their `contacts.display_name`
 * (column expressions of the caller's statement). The user is "<your name> (You)", as their chat
 * with themself is (`chatNameSql`). NULL when nothing names them: the caller falls back to
 * `fallbackName`.
 */
export const personNameSql = (jid: string, displayName: string): string =>
  chatNameSql(jid, displayName, displayName)

/**
 * SQL: the canonical JID of `jid`, a column expression holding a device-less JID in any form: a
 * LID the store knows the phone number of becomes that phone JID (the form every table keys people
 * and direct chats by); anything else stays as it is.
 */
const canonicalSql = (jid: string): string =>
  `COALESCE((SELECT a.pn FROM jid_aliases a WHERE a.lid = ${jid}),
    (SELECT k.jid FROM contacts k WHERE k.lid = ${jid}), ${jid})`

/** Drops device and agent parts (`123:4@s.whatsapp.net`) so any JID form can be looked up. */
const deviceless = (jid: string): string =>
  Either.match(Jid.parse(jid), { onLeft: () => jid, onRight: (identifier) => identifier.jid })

/** A chat as every tool names it. */
export interface NamedChat {
  /** The JID the store keys the chat by (the phone JID of a person whose LID was given). */
  readonly jid: string
  /** Its display name: see `chatNameSql`, then `fallbackName`. */
  readonly name: string
}

/**
 * Chats by any JID they may be given as (phone JID, LID, device JID, group), each with the JID the
 * store keys it by and the name every tool shows it with, in one query. Keyed by the JID given.
 */
export const namedChats = (
  jids: ReadonlyArray<string>,
): Effect.Effect<ReadonlyMap<string, NamedChat>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const named = new Map<string, NamedChat>()
    if (jids.length === 0) return named
    const given = [...new Set(jids)]
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ given: string; jid: string; name: string | null }>`
      WITH g(given, jid) AS (
        SELECT j.value, ${sql.literal(canonicalSql("j.value"))}
        FROM json_each(${jsonList(given.map(deviceless))}) j)
      SELECT g.given, g.jid, ${sql.literal(chatNameSql("g.jid", "ch.name", "co.display_name"))} AS name
      FROM g LEFT JOIN chats ch ON ch.jid = g.jid LEFT JOIN contacts co ON co.jid = g.jid`
    const byDeviceless = new Map(rows.map((row) => [row.given, row]))
    for (const jid of given) {
      const row = byDeviceless.get(deviceless(jid))
      const canonical = row?.jid ?? jid
      named.set(jid, { jid: canonical, name: row?.name ?? fallbackName(canonical) })
    }
    return named
  })

/** The chat a JID in any form names, with the name every tool shows it with. */
export const namedChat = (jid: string): Effect.Effect<NamedChat, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(namedChats([jid]), (named) => named.get(jid) ?? { jid, name: fallbackName(jid) })

/**
 * Display names of people (`personNameSql`), by JID in any form (a LID whose phone number is known
 * gets the contact's name), in one query. JIDs without a contact get `fallbackName`.
 */
export const personNames = (
  jids: ReadonlyArray<string>,
): Effect.Effect<ReadonlyMap<string, string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const names = new Map<string, string>()
    if (jids.length === 0) return names
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ given: string; jid: string; name: string | null }>`
      WITH g(given, jid) AS (
        SELECT j.value, ${sql.literal(canonicalSql("j.value"))} FROM json_each(${jsonList([...new Set(jids)])}) j)
      SELECT g.given, g.jid, ${sql.literal(personNameSql("g.jid", "c.display_name"))} AS name
      FROM g LEFT JOIN contacts c ON c.jid = g.jid`
    for (const row of rows) names.set(row.given, row.name ?? fallbackName(row.jid))
    return names
  })

/**
 * Display names of chats, by the JID given (any form), in one query: see `namedChats`, which
 * also gives the JID the store keys each chat by.
 */
export const chatNames = (
  jids: ReadonlyArray<string>,
): Effect.Effect<ReadonlyMap<string, string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(namedChats(jids), (named) => new Map([...named].map(([jid, chat]) => [jid, chat.name])))

/** Latin letters with their accented forms, built once from Unicode's own decompositions. */
const letterVariants: ReadonlyMap<string, string> = (() => {
  const groups = new Map<string, Set<string>>()
  const add = (base: string, variant: string) => {
    const set = groups.get(base) ?? new Set<string>([base])
    set.add(variant)
    groups.set(base, set)
  }
  // Latin-1 and Latin Extended-A hold the accents of European languages; Romanian's commas too.
  // Fewer variants per letter keep each GLOB character class short, and the match fast.
  const codes = [...Array.from({ length: 0x17f - 0x41 + 1 }, (_, i) => 0x41 + i), 0x218, 0x219, 0x21a, 0x21b]
  for (const code of codes) {
    const char = String.fromCodePoint(code)
    const base = char
      .normalize("NFD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
    if (base.length !== 1 || !/[a-z]/.test(base)) continue
    add(base, char)
    add(base, char.toLowerCase())
    add(base, char.toUpperCase())
  }
  // Letters that do not decompose but that people type without their stroke.
  for (const [base, variant] of [
    ["o", "ø"],
    ["o", "Ø"],
    ["l", "ł"],
    ["l", "Ł"],
    ["d", "đ"],
    ["d", "Đ"],
  ] as const) {
    add(base, variant)
  }
  return new Map([...groups].map(([base, set]) => [base, [...set].join("")]))
})()

const foldLetter = (char: string): string =>
  char
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()

/** Words as unicode61 sees them: runs of letters, digits and combining marks. */
const ftsWord = /[\p{L}\p{N}\p{M}]+(\*)?/gu

/** More words than this add nothing to a search and only slow it down. */
const ftsMaxWords = 16

/**
 * Turns what a user or model types into an expression for the store's full-text index
 * (`messages_fts MATCH …`) that can never be a syntax error: every word becomes a quoted string (so
 * AND, NEAR, parentheses, colons and quotes are plain text), all words must appear, and a word ending
 * in `*` matches as a prefix. Accents and case are ignored by the index's tokenizer (`unicode61
 * remove_diacritics 2`), on the query as on the text. Left: the reason there is nothing to search for.
 * Bind the result as a parameter.
 */
export const fullTextQuery = (query: string): Either.Either<string, string> => {
  const terms: Array<string> = []
  for (const found of query.normalize("NFC").matchAll(ftsWord)) {
    const text = found[0]
    const prefix = text.endsWith("*")
    const bare = prefix ? text.slice(0, -1) : text
    // The word holds only letters, digits and marks, so it needs no escaping inside the quotes.
    terms.push(prefix ? `"${bare}"*` : `"${bare}"`)
    if (terms.length === ftsMaxWords) break
  }
  if (terms.length === 0) {
    return Either.left(
      `"${query.slice(0, 80)}" has no words to search for; give one or more words (end a word with * to match its beginning).`,
    )
  }
  return Either.right(terms.join(" "))
}

/**
 * A GLOB pattern matching any text that contains `query`, ignoring case and accents ("chloe"
 * finds "Chloé", "CHLOÉ" finds "chloe"). GLOB rather than LIKE because SQLite's LIKE folds ASCII
 * case only; the caller binds the pattern as a parameter.
 */
export const containsPattern = (query: string): string => {
  let pattern = "*"
  for (const char of query) {
    const base = foldLetter(char)
    const variants = letterVariants.get(base)
    if (variants !== undefined) pattern += `[${variants}]`
    else if (char === "]") pattern += "[]]"
    else if (char === "*" || char === "?" || char === "[") pattern += `[${char}]`
    else if (char.toLowerCase() !== char.toUpperCase())
      pattern += `[${char.toLowerCase()}${char.toUpperCase()}]`
    else pattern += char
  }
  return `${pattern}*`
}

/** WhatsApp notices (`messages.stub_type`, proto `WebMessageInfo.StubType`) as a person reads them. */
const noticeText: Readonly<Record<number, string>> = {
  [StubTypes.REVOKE]: "message deleted",
  [StubTypes.CIPHERTEXT]: "waiting for this message",
  [StubTypes.GROUP_CREATE]: "created the group",
  [StubTypes.GROUP_CHANGE_SUBJECT]: "changed the group subject",
  [StubTypes.GROUP_CHANGE_ICON]: "changed the group icon",
  [StubTypes.GROUP_CHANGE_INVITE_LINK]: "reset the group invite link",
  [StubTypes.GROUP_CHANGE_DESCRIPTION]: "changed the group description",
  [StubTypes.GROUP_CHANGE_RESTRICT]: "changed who can edit group info",
  [StubTypes.GROUP_CHANGE_ANNOUNCE]: "changed who can send messages",
  [StubTypes.GROUP_PARTICIPANT_ADD]: "added",
  [StubTypes.GROUP_PARTICIPANT_REMOVE]: "removed",
  [StubTypes.GROUP_PARTICIPANT_PROMOTE]: "made admin",
  [StubTypes.GROUP_PARTICIPANT_DEMOTE]: "dismissed as admin",
  [StubTypes.GROUP_PARTICIPANT_INVITE]: "joined via invite link",
  [StubTypes.GROUP_PARTICIPANT_LEAVE]: "left",
  [StubTypes.GROUP_PARTICIPANT_CHANGE_NUMBER]: "changed their phone number",
  [StubTypes.E2E_IDENTITY_CHANGED]: "security code changed",
  [StubTypes.E2E_ENCRYPTED]: "messages are end-to-end encrypted",
  [StubTypes.CALL_MISSED_VOICE]: "missed voice call",
  [StubTypes.CALL_MISSED_VIDEO]: "missed video call",
  [StubTypes.INDIVIDUAL_CHANGE_NUMBER]: "changed their phone number",
  [StubTypes.GROUP_DELETE]: "deleted the group",
  [StubTypes.CALL_MISSED_GROUP_VOICE]: "missed group voice call",
  [StubTypes.CALL_MISSED_GROUP_VIDEO]: "missed group video call",
  [StubTypes.GROUP_PARTICIPANT_ADD_REQUEST_JOIN]: "asked to join",
  [StubTypes.CHANGE_EPHEMERAL_SETTING]: "changed the disappearing messages setting",
  [StubTypes.VIEWED_ONCE]: "view-once message opened",
  [StubTypes.BIZ_PRIVACY_MODE_INIT_FB]: "business chat privacy notice",
  [StubTypes.BIZ_PRIVACY_MODE_INIT_BSP]: "business chat privacy notice",
  [StubTypes.BIZ_PRIVACY_MODE_TO_FB]: "business chat privacy notice",
  [StubTypes.BIZ_PRIVACY_MODE_TO_BSP]: "business chat privacy notice",
  [StubTypes.GROUP_PARTICIPANT_ACCEPT]: "joined",
  [StubTypes.GROUP_MEMBERSHIP_JOIN_APPROVAL_REQUEST]: "asked to join",
  [StubTypes.SILENCED_UNKNOWN_CALLER_AUDIO]: "silenced a voice call from an unknown number",
  [StubTypes.SILENCED_UNKNOWN_CALLER_VIDEO]: "silenced a video call from an unknown number",
  [StubTypes.PINNED_MESSAGE_IN_CHAT]: "pinned a message",
} satisfies Record<(typeof StubTypes)[StubTypeName], string>

const noticeParameters = (stubParameters: string | null): ReadonlyArray<string> => {
  if (stubParameters === null || stubParameters === "") return []
  let parsed: unknown
  try {
    parsed = JSON.parse(stubParameters)
  } catch {
    return [stubParameters]
  }
  const list: ReadonlyArray<unknown> = Array.isArray(parsed) ? parsed : [parsed]
  return list.flatMap((item): Array<string> => {
    if (typeof item === "number") return [String(item)]
    if (typeof item !== "string") return []
    // Participants come as JSON objects `{"id": "…@lid", "phoneNumber": "…@s.whatsapp.net"}`.
    if (item.startsWith("{")) {
      try {
        const party = JSON.parse(item) as { id?: unknown; phoneNumber?: unknown }
        const jid = typeof party.phoneNumber === "string" ? party.phoneNumber : party.id
        return typeof jid === "string" ? [jid] : []
      } catch {
        return [item]
      }
    }
    return [item]
  })
}

const isJid = (text: string): boolean => Jid.kindOf(text) !== undefined && /^[\w.:-]+@[\w.]+$/.test(text)

/** The JIDs a notice names (people added, removed, promoted…), to look their names up in one query. */
export const noticeJids = (stubParameters: string | null): ReadonlyArray<string> =>
  noticeParameters(stubParameters)
    .filter(isJid)
    .flatMap((jid) => Either.match(Jid.parse(jid), { onLeft: () => [], onRight: (id) => [id.jid] }))

/**
 * What a WhatsApp notice says, with its parameters (people, numbers, a new subject); people are
 * shown by `nameOf` (default: their phone number).
 */
export const describeNotice = (
  stubType: number | null,
  stubParameters: string | null,
  nameOf: (jid: string) => string = fallbackName,
): string => {
  const base = stubType === null ? "notice" : (noticeText[stubType] ?? `notice ${stubType}`)
  const shown = noticeParameters(stubParameters)
    .map((p) =>
      isJid(p) ? Either.match(Jid.parse(p), { onLeft: () => p, onRight: (id) => nameOf(id.jid) }) : p,
    )
    .slice(0, 5)
  return shown.length === 0 ? base : `${base}: ${shown.join(", ")}`
}

/** The parts of a message row a one-line preview is made from. */
export interface ContentRow {
  readonly kind: MessageKind
  readonly text: string | null
  readonly media_file_name: string | null
  readonly deleted: MessageDeletion | null
  readonly stub_type: number | null
  readonly stub_parameters: string | null
}

/**
 * A one-line summary of a message's content, for chat lists and quoted messages. A deleted message
 * never shows its content; a media message shows its kind with its caption or file name; people a
 * notice names are shown by `nameOf` (default: their phone number).
 */
export const previewOf = (
  row: ContentRow,
  maxLength = 120,
  nameOf: (jid: string) => string = fallbackName,
): string => {
  if (row.deleted === MessageDeletion.revoked) return "(message deleted)"
  if (row.kind === "system") return `(${describeNotice(row.stub_type, row.stub_parameters, nameOf)})`
  if (row.kind === "ciphertext") return "(waiting for this message)"
  if (row.kind === "view_once") return "(view-once media: open it on the phone)"
  if (row.kind === "unknown") return "(message not in the store)"
  const text = (row.text ?? "").replace(/\s+/g, " ").trim()
  const clipped = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
  if (row.kind === "text") return clipped
  const label = row.media_file_name !== null ? `${row.kind} ${row.media_file_name}` : row.kind
  return clipped === "" ? `(${label})` : `(${label}) ${clipped}`
}
