/**
 * Reads any identifier a model or a user gives for a person or a chat (a phone number however it
 * is written, a phone JID, a device JID, a LID, a group JID) into one normalised form, or says
 * precisely why it is not one. Pure: resolving a LID to its phone number needs the store
 * (`StoreQueries.resolve`).
 */
import { Either } from "effect"

export const phoneServer = "s.whatsapp.net"
export const lidServer = "lid"
export const groupServer = "g.us"

export type IdentifierKind = "phone" | "lid" | "group" | "broadcast" | "newsletter"

/** A normalised identifier: device and agent parts dropped, `@c.us` read as `@s.whatsapp.net`. */
export interface Identifier {
  readonly kind: IdentifierKind
  /** The device-less JID, e.g. `15551234567@s.whatsapp.net`, `1234567890@lid`, `120363…@g.us`. */
  readonly jid: string
  /** The phone number's digits with country code, for `phone` identifiers only. */
  readonly phone: string | undefined
}

/** E.164 allows at most 15 digits; shorter than 7 is never a full international number. */
const minPhoneDigits = 7
const maxPhoneDigits = 15

const examples =
  "give a phone number with its country code (e.g. +1 555 0142 or 0044 20 7946 0958), a phone JID (…@s.whatsapp.net), a LID (…@lid) or a group JID (…@g.us)"

const fromPhoneDigits = (digits: string, original: string): Either.Either<Identifier, string> => {
  if (digits.length < minPhoneDigits || digits.length > maxPhoneDigits) {
    return Either.left(
      `"${original}" has ${digits.length} digits; a phone number with its country code has ${minPhoneDigits} to ${maxPhoneDigits}: ${examples}`,
    )
  }
  return Either.right({ kind: "phone", jid: `${digits}@${phoneServer}`, phone: digits })
}

/** Characters people put inside phone numbers: spaces (also no-break), dots, dashes, slashes, parentheses. */
const phoneSeparators = /[\s.\-/()\u00a0\u2010-\u2015]/g

const parsePhone = (raw: string): Either.Either<Identifier, string> => {
  let text = raw.replace(/^tel:/i, "").replace(/^(https?:\/\/)?(api\.)?wa\.me\//i, "")
  text = text.replace(phoneSeparators, "")
  if (text.startsWith("+")) {
    const digits = text.slice(1)
    if (!/^\d+$/.test(digits)) return Either.left(`"${raw}" is not a phone number or JID: ${examples}`)
    return fromPhoneDigits(digits, raw)
  }
  if (!/^\d+$/.test(text)) {
    return Either.left(
      `"${raw}" is not a phone number or JID. To find a person or chat by name, call search_contacts or list_chats first; otherwise ${examples}`,
    )
  }
  // 00 is the international call prefix in most of the world: 0044… is +44…
  if (text.startsWith("00")) return fromPhoneDigits(text.slice(2), raw)
  if (text.startsWith("0")) {
    return Either.left(
      `"${raw}" looks like a national number (it starts with 0): add the country code, e.g. +44 for the UK (+44 7700 900123), and drop the leading 0`,
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
      if (!/^\d+$/.test(user)) return bad("the part before @ must be the phone number's digits")
      return fromPhoneDigits(user, raw)
    }
    case lidServer:
    case "hosted.lid": {
      if (!/^\d+$/.test(user)) return bad("the part before @lid must be digits")
      return Either.right({ kind: "lid", jid: `${user}@${lidServer}`, phone: undefined })
    }
    case groupServer: {
      // New groups are `120363…@g.us`; old ones `<creator phone>-<creation time>@g.us`.
      if (!/^\d+(-\d+)?$/.test(userPart)) return bad("a group JID is digits, or digits-digits, before @g.us")
      return Either.right({ kind: "group", jid: `${userPart}@${groupServer}`, phone: undefined })
    }
    case "broadcast": {
      if (!/^[\w.-]+$/.test(userPart)) return bad("unexpected characters before @broadcast")
      return Either.right({ kind: "broadcast", jid: `${userPart}@broadcast`, phone: undefined })
    }
    case "newsletter": {
      if (!/^\d+$/.test(userPart)) return bad("a channel JID is digits before @newsletter")
      return Either.right({ kind: "newsletter", jid: `${userPart}@newsletter`, phone: undefined })
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
  if (raw.length > 200) return Either.left(`it is ${raw.length} characters long, too long for an identifier`)
  const at = raw.indexOf("@")
  if (at > 0 && at === raw.lastIndexOf("@")) return parseJid(raw, at)
  if (at >= 0) return Either.left(`"${raw}" is not a valid JID: ${examples}`)
  return parsePhone(raw)
}

/** True for a person (phone JID or LID), false for a group, broadcast list or channel. */
export const isPerson = (identifier: Identifier): boolean =>
  identifier.kind === "phone" || identifier.kind === "lid"

/** The kind a normalised JID names, read from its server part. */
export const kindOf = (jid: string): IdentifierKind | undefined => {
  const server = jid.slice(jid.lastIndexOf("@") + 1)
  switch (server) {
    case phoneServer:
      return "phone"
    case lidServer:
      return "lid"
    case groupServer:
      return "group"
    case "broadcast":
      return "broadcast"
    case "newsletter":
      return "newsletter"
    default:
      return undefined
  }
}

/** The digits of a phone JID, else undefined. */
export const phoneOf = (jid: string): string | undefined =>
  jid.endsWith(`@${phoneServer}`) ? jid.slice(0, jid.indexOf("@")) : undefined
