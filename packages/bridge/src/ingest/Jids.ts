/**
 * JIDs as WhatsApp sends them, normalised to one device-less form with Baileys' own decoder. What a
 * JID is (phone JID or LID, which chat kind, which user parts are well formed) is core's `Jid`
 * rule, the same the store's readers apply.
 */

import { isWellFormedUser, lidServer, phoneServer } from "@whatsapp-mcp/core/jid"
import { jidDecode, jidNormalizedUser } from "@whiskeysockets/baileys/lib/WABinary/jid-utils.js"

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

// A malformed user part (`@s.whatsapp.net`, `xx0740@…`, `55XXXX@…`) comes from a damaged or
// hand-edited dump: taken as a JID it would become a chat or contact named "+" or "+xx0740".
const normaliseUncached = (jid: string): string | undefined => {
  if (!jid.includes("@")) return undefined
  const decoded = jidDecode(jid)
  if (decoded === undefined || decoded.user === undefined) return undefined
  if (!isWellFormedUser(decoded.server, decoded.user)) return undefined
  if (decoded.server === "hosted") return `${decoded.user}@${phoneServer}`
  if (decoded.server === "hosted.lid") return `${decoded.user}@${lidServer}`
  const plain = jidNormalizedUser(jid)
  return plain.length > 0 ? plain : undefined
}
