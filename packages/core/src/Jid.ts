/**
 * Reads any identifier a model or a user gives for a person or a chat (a phone number however it
 * is written, a `tel:` or `wa.me` link, a phone JID, a device JID, a LID, a group JID) into one
 * normalised form, or says precisely why it is not one; and the rules every JID follows, shared by
 * the bridge (which writes the store) and its readers. Pure: resolving a LID to its phone number
 * needs the store (`StoreQueries.resolve`).
 */
import { Either } from "effect"
import { MaxIdentifierLength } from "./Limits.js"
import type { ChatKind } from "./StoreSchema.js"

export const phoneServer = "s.whatsapp.net"
export const lidServer = "lid"
export const groupServer = "g.us"
export const broadcastServer = "broadcast"
export const newsletterServer = "newsletter"

/** Shortest full international number (country code included). */
export const MinPhoneDigits = 7
/** E.164 allows at most 15 digits, country code included. */
export const MaxPhoneDigits = 15

export type IdentifierKind = "phone" | "lid" | "group" | "broadcast" | "newsletter"

/** A normalised identifier: device and agent parts dropped, `@c.us` read as `@s.whatsapp.net`. */
export interface Identifier {
  readonly kind: IdentifierKind
  /** The device-less JID, e.g. `15551234567@s.whatsapp.net`, `1234567890@lid`, `120363…@g.us`. */
  readonly jid: string
  /** The phone number's digits with country code, for `phone` identifiers only. */
  readonly phone: string | undefined
}

// Servers whose user part is a number: phone JIDs (also the legacy `c.us` and the `hosted` forms of
// business accounts), LIDs, channels.
const digitServers: ReadonlySet<string> = new Set([
  phoneServer,
  "c.us",
  "hosted",
  lidServer,
  "hosted.lid",
  newsletterServer,
])

/**
 * Whether `user` is the shape of user part the server takes: digits for people and channels, digits
 * or `<creator>-<creation time>` for groups (old groups), a word for broadcast lists (`status`).
 * A masked or empty user part (`xx0740@…`, `@s.whatsapp.net`) comes from damaged or hand-edited
 * data, never from WhatsApp. Other servers (calls, bots) only need a user part.
 */
export const isWellFormedUser = (server: string, user: string): boolean => {
  if (digitServers.has(server)) return /^\d+$/.test(user)
  if (server === groupServer) return /^\d+(-\d+)?$/.test(user)
  if (server === broadcastServer) return /^[\w.-]+$/.test(user)
  return user.length > 0
}

const examples =
  "give a phone number with its country code (e.g. +1 555 0142 or 0044 20 7946 0958), a phone JID (…@s.whatsapp.net), a LID (…@lid) or a group JID (…@g.us)"

const fromPhoneDigits = (digits: string, original: string): Either.Either<Identifier, string> => {
  if (digits.length < MinPhoneDigits || digits.length > MaxPhoneDigits) {
    return Either.left(
      `"${original}" has ${digits.length} digits; a phone number with its country code has ${MinPhoneDigits} to ${MaxPhoneDigits}: ${examples}`,
    )
  }
  return Either.right({ kind: "phone", jid: `${digits}@${phoneServer}`, phone: digits })
}

/** Characters people put inside phone numbers: spaces (also no-break), dots, dashes, slashes, parentheses. */
const phoneSeparators = /[\s.\-/()\u00a0\u2010-\u2015]/g

/** Links that carry a phone number: `tel:`, `wa.me/<number>`, WhatsApp's "click to chat" URLs. */
const phoneLinks: ReadonlyArray<RegExp> = [
  /^tel:(?:\/\/)?(.*)$/i,
  /^(?:https?:\/\/)?(?:www\.)?(?:api\.)?wa\.me\/([^/?#]*)\/?(?:[?#].*)?$/i,
  /^(?:https?:\/\/)?(?:api|web|www)\.whatsapp\.com\/send\/?\?(?:[^#]*&)?phone=([^&#]*)/i,
  /^whatsapp:\/\/send\/?\?(?:[^#]*&)?phone=([^&#]*)/i,
]

const numberOfLink = (raw: string): string => {
  for (const form of phoneLinks) {
    const found = form.exec(raw)?.[1]
    if (found === undefined) continue
    try {
      return decodeURIComponent(found)
    } catch {
      return found
    }
  }
  return raw
}

const parsePhone = (raw: string): Either.Either<Identifier, string> => {
  const written = numberOfLink(raw).trim()
  // "+44 (0)20 7946 0958": the bracketed 0 is the trunk prefix dialled only inside the country.
  const international = /^(\+|00)/.test(written)
  const text = (international ? written.replace(/\(\s*0\s*\)/, "") : written).replace(phoneSeparators, "")
  if (text.startsWith("+") || text.startsWith("00")) {
    const digits = text.slice(text.startsWith("+") ? 1 : 2)
    if (!/^\d+$/.test(digits)) return Either.left(`"${raw}" is not a phone number or JID: ${examples}`)
    if (digits.startsWith("0")) {
      return Either.left(
        `"${raw}" has no country code after the international prefix (country codes never start with 0): write it as + and the country code, then the number without its leading 0, e.g. +44 20 7946 0958`,
      )
    }
    return fromPhoneDigits(digits, raw)
  }
  if (!/^\d+$/.test(text)) {
    return Either.left(
      `"${raw}" is not a phone number or JID. To find a person or chat by name, call search_contacts or list_chats first; otherwise ${examples}`,
    )
  }
  if (text.startsWith("0")) {
    return Either.left(
      `"${raw}" looks like a national number (it starts with 0): add the country code and drop the leading 0, e.g. +44 7700 900123 for the UK number 07700 900123`,
    )
  }
  return fromPhoneDigits(text, raw)
}

const parseJid = (raw: string, at: number): Either.Either<Identifier, string> => {
  const userPart = raw.slice(0, at).trim()
  const server = raw
    .slice(at + 1)
    .trim()
    .toLowerCase()
  // The user part may carry an agent (`_1`) and a device (`:4`): the person is the same on every device.
  const user = userPart.replace(/:\d+$/, "").replace(/_\d+$/, "")
  const bad = (why: string) => Either.left(`"${raw}" is not a valid JID (${why}): ${examples}`)
  switch (server) {
    case phoneServer:
    case "c.us":
    case "hosted": {
      if (!isWellFormedUser(server, user)) return bad("the part before @ must be the phone number's digits")
      return fromPhoneDigits(user, raw)
    }
    case lidServer:
    case "hosted.lid": {
      if (!isWellFormedUser(server, user)) return bad("the part before @lid must be digits")
      return Either.right({ kind: "lid", jid: `${user}@${lidServer}`, phone: undefined })
    }
    case groupServer: {
      // New groups are `120363…@g.us`; old ones `<creator phone>-<creation time>@g.us`.
      if (!isWellFormedUser(server, userPart))
        return bad("a group JID is digits, or digits-digits, before @g.us")
      return Either.right({ kind: "group", jid: `${userPart}@${groupServer}`, phone: undefined })
    }
    case broadcastServer: {
      if (!isWellFormedUser(server, userPart)) return bad("unexpected characters before @broadcast")
      return Either.right({ kind: "broadcast", jid: `${userPart}@${broadcastServer}`, phone: undefined })
    }
    case newsletterServer: {
      if (!isWellFormedUser(server, userPart)) return bad("a channel JID is digits before @newsletter")
      return Either.right({ kind: "newsletter", jid: `${userPart}@${newsletterServer}`, phone: undefined })
    }
    default:
      return bad(`unknown server "@${server}"`)
  }
}

/**
 * Parses an identifier. Left holds a sentence for the model saying what was wrong and what to give
 * instead; callers prefix it with the argument's name.
 */
export const parse = (input: string): Either.Either<Identifier, string> => {
  const raw = input.trim()
  if (raw.length === 0) return Either.left(`it is empty: ${examples}`)
  if (raw.length > MaxIdentifierLength) {
    return Either.left(
      `it is ${raw.length} characters long, too long for an identifier (at most ${MaxIdentifierLength}): ${examples}`,
    )
  }
  const at = raw.indexOf("@")
  if (at > 0 && at === raw.lastIndexOf("@")) return parseJid(raw, at)
  if (at >= 0) return Either.left(`"${raw}" is not a valid JID: ${examples}`)
  return parsePhone(raw)
}

/** True for a person (phone JID or LID), false for a group, broadcast list or channel. */
export const isPerson = (identifier: Identifier): boolean =>
  identifier.kind === "phone" || identifier.kind === "lid"

/** True for what a message can be sent to: a person or a group (not a broadcast list or a channel). */
export const canReceiveMessages = (identifier: Identifier): boolean =>
  isPerson(identifier) || identifier.kind === "group"

const serverOf = (jid: string): string => jid.slice(jid.lastIndexOf("@") + 1)

/** The kind a normalised JID names, read from its server part. */
export const kindOf = (jid: string): IdentifierKind | undefined => {
  switch (serverOf(jid)) {
    case phoneServer:
      return "phone"
    case lidServer:
      return "lid"
    case groupServer:
      return "group"
    case broadcastServer:
      return "broadcast"
    case newsletterServer:
      return "newsletter"
    default:
      return undefined
  }
}

/** True for a normalised LID (`…@lid`). */
export const isLid = (jid: string): boolean => jid.endsWith(`@${lidServer}`)

/** True for a normalised phone JID (`…@s.whatsapp.net`). */
export const isPhoneJid = (jid: string): boolean => jid.endsWith(`@${phoneServer}`)

/** The digits of a phone JID (`15551234567@s.whatsapp.net` → `15551234567`), else undefined. */
export const phoneOf = (jid: string): string | undefined => {
  if (!isPhoneJid(jid)) return undefined
  const user = jid.slice(0, jid.indexOf("@"))
  return /^\d+$/.test(user) ? user : undefined
}

/** The kind of chat (`chats.kind`) a normalised chat JID names: people's JIDs and LIDs are direct chats. */
export const chatKindOf = (jid: string): ChatKind => {
  const kind = kindOf(jid)
  return kind === "group" || kind === "broadcast" || kind === "newsletter" ? kind : "direct"
}
