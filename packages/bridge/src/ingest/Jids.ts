/**
 * What a WhatsApp JID is: user JIDs normalised to one device-less form, phone JIDs told apart from
 * LIDs, and the chat kind a JID names. Built on Baileys' own JID parser.
 */

import type { ChatKind } from "@whatsapp-mcp/core/store"
import { jidDecode, jidNormalizedUser } from "@whiskeysockets/baileys/lib/WABinary/jid-utils.js"

const phoneServer = "s.whatsapp.net"
const lidServer = "lid"

/**
 * The device-less, agent-less form of a JID (`123:4@s.whatsapp.net` → `123@s.whatsapp.net`,
 * `…@c.us` → `…@s.whatsapp.net`, hosted forms → plain), or undefined when it is not a JID.
 */
export const normaliseJid = (jid: string | null | undefined): string | undefined => {
  if (typeof jid !== "string" || jid.length === 0) return undefined
  const known = normalised.get(jid)
  if (known !== undefined || normalised.has(jid)) return known
  const result = normaliseUncached(jid)
  // The same few thousand JIDs repeat across a history; parsing each once is the saving.
  if (normalised.size >= 100_000) normalised.clear()
  normalised.set(jid, result)
  return result
}

const normalised = new Map<string, string | undefined>()

// WhatsApp numbers people, LIDs and groups with digits only (legacy groups: creator-timestamp). An
// empty or masked user part (`@s.whatsapp.net`, `xx0740@…`, `55XXXX@…`) comes from a damaged or
// hand-edited dump: taken as a JID it would become a chat or contact named "+" or "+xx0740".
const digitServers = new Set(["s.whatsapp.net", "c.us", "lid", "hosted", "hosted.lid"])
const wellFormedUser = (server: string, user: string): boolean => {
  if (digitServers.has(server)) return /^\d+$/.test(user)
  if (server === "g.us") return /^\d+(-\d+)?$/.test(user)
  return user.length > 0
}

const normaliseUncached = (jid: string): string | undefined => {
  if (!jid.includes("@")) return undefined
  const decoded = jidDecode(jid)
  if (decoded === undefined || decoded.user === undefined) return undefined
  if (!wellFormedUser(decoded.server, decoded.user)) return undefined
  if (decoded.server === "hosted") return `${decoded.user}@${phoneServer}`
  if (decoded.server === "hosted.lid") return `${decoded.user}@${lidServer}`
  const plain = jidNormalizedUser(jid)
  return plain.length > 0 ? plain : undefined
}

/** True for a (normalised) LID user JID. */
export const isLid = (jid: string): boolean => jid.endsWith(`@${lidServer}`)

/** True for a (normalised) phone-number user JID. */
export const isPhoneJid = (jid: string): boolean => jid.endsWith(`@${phoneServer}`)

/** The digits of a phone JID (`15551234567@s.whatsapp.net` → `15551234567`), else undefined. */
export const phoneDigits = (jid: string): string | undefined => {
  if (!isPhoneJid(jid)) return undefined
  const user = jid.slice(0, jid.indexOf("@"))
  return /^\d+$/.test(user) ? user : undefined
}

/** The kind of chat a (normalised) chat JID names. */
export const chatKindOf = (jid: string): ChatKind => {
  if (jid.endsWith("@g.us")) return "group"
  if (jid.endsWith("@broadcast")) return "broadcast"
  if (jid.endsWith("@newsletter")) return "newsletter"
  return "direct"
}
