/**
 * Anonymises recorded stream lines so a user can attach them to a bug report: phone numbers, LIDs,
 * names, text and media keys are replaced, consistently within one recording, keeping structure.
 */
import { createHmac, randomBytes } from "node:crypto"

export interface RecordingAnonymizer {
  /** One line of a recorded stream (`{"event":…,"data":…}`), anonymised; comments and blanks unchanged. */
  readonly line: (text: string) => string
}

// Free text and names: every run of letters and every run of digits is replaced by a pseudo run of
// the same length, so word boundaries, punctuation, emoji and lengths survive (tokenisation bugs
// stay reproducible) and the same word always becomes the same pseudo word.
const textKeys = new Set([
  "conversation",
  "text",
  "caption",
  "name",
  "notify",
  "verifiedName",
  "verifiedBizName",
  "pushName",
  "subject",
  "desc",
  "description",
  "title",
  "fileName",
  "displayName",
  "vcard",
  "body",
  "matchedText",
  "canonicalUrl",
  "address",
  "comment",
  "footer",
  "contentText",
  "selectedDisplayText",
  "optionName",
  "imgUrl",
  "stubParameters",
  "editedText",
  "newsletterName",
  "pollName",
  "localChatName",
  // Interactive messages (buttons, templates, lists) show these to the person.
  "hydratedContentText",
  "hydratedFooterText",
  "hydratedTitleText",
  "displayText",
  "buttonText",
  "footerText",
  "headerText",
  "rowId",
  "selectedRowId",
  // Ad previews on messages that came from an ad: the page and its pictures name who was advertised to.
  "sourceUrl",
  "mediaUrl",
  "thumbnailUrl",
  "ctwaClid",
])

/** Bytes (base64 in the recording) that are secret or show content: replaced by pseudo bytes. */
const isBytesKey = (key: string) =>
  key === "mediaKey" ||
  key === "messageSecret" ||
  key === "jpegThumbnail" ||
  key === "thumbnail" ||
  key === "streamingSidecar" ||
  key === "waveform" ||
  key.endsWith("Sha256") ||
  key.endsWith("Thumbnail")

const phoneKeys = new Set(["phoneNumber", "pn", "lid", "phone", "senderPn", "participantPn"])

const locationKeys = new Set(["degreesLatitude", "degreesLongitude"])

// A JID anywhere in a string: user part (digits, or a legacy group's creator-timestamp pair),
// optional device, server. Only the digits are replaced: servers and devices say what a JID is.
const jidPattern = /(\d+)(-\d+)?((?::\d+)?@(?:s\.whatsapp\.net|c\.us|lid|g\.us|broadcast|newsletter))/g

const containsJid = /\d+(?::\d+)?@[a-z.]+/

// A user part its publisher masked (`xx0740@…`, `261051*****@lid`, `12036XXXX@g.us`): the digits
// left in it are still part of a number, so they are replaced too and the mask kept as it is.
const maskedJidPattern =
  /(?<![\d*xX])([\d*xX]*[*xX][\d*xX]*)((?::\d+)?@(?:s\.whatsapp\.net|c\.us|lid|g\.us|broadcast|newsletter))/g

const letters = "abcdefghijklmnopqrstuvwxyz"

export const makeAnonymizer = (salt: Uint8Array = randomBytes(32)): RecordingAnonymizer => {
  const cache = new Map<string, string>()
  const digest = (kind: string, value: string, length: number): Buffer => {
    const out: Array<Buffer> = []
    let total = 0
    for (let round = 0; total < length; round++) {
      const block = createHmac("sha256", salt).update(`${kind}\0${round}\0${value}`).digest()
      out.push(block)
      total += block.length
    }
    return Buffer.concat(out).subarray(0, length)
  }
  const memo = (kind: string, value: string, make: () => string) => {
    const key = `${kind}\0${value}`
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const made = make()
    cache.set(key, made)
    return made
  }

  const digits = (value: string) =>
    memo("digits", value, () => {
      const bytes = digest("digits", value, value.length)
      // Keep a leading non-zero digit so the result still reads as a number of the same length.
      return [...bytes].map((b, i) => String(i === 0 ? 1 + (b % 9) : b % 10)).join("")
    })
  const word = (value: string) =>
    memo("word", value, () => {
      const length = [...value].length
      const bytes = digest("word", value, length)
      const pseudo = [...bytes].map((b) => letters[b % letters.length]).join("")
      const first = value.charAt(0)
      return first !== first.toLowerCase() ? pseudo.charAt(0).toUpperCase() + pseudo.slice(1) : pseudo
    })
  const bytesOf = (base64: string) =>
    memo("bytes", base64, () =>
      digest("bytes", base64, Buffer.from(base64, "base64").length).toString("base64"),
    )

  const jids = (value: string) =>
    value
      .replace(
        maskedJidPattern,
        (_all, user: string, rest: string) => `${user.replace(/\d+/g, digits)}${rest}`,
      )
      .replace(
        jidPattern,
        (_all, user: string, pair: string | undefined, rest: string) =>
          `${digits(user)}${pair === undefined ? "" : `-${digits(pair.slice(1))}`}${rest}`,
      )
  const freeText = (value: string) =>
    jids(value).replace(/(\p{L}[\p{L}\p{M}]*)|(\p{Nd}+)/gu, (run, wordRun: string | undefined) =>
      wordRun !== undefined ? word(run) : digits(run),
    )
  const phone = (value: string) => (containsJid.test(value) ? jids(value) : value.replace(/\d+/g, digits))
  const mediaUrl = (value: string) => {
    // Keep the CDN host and the path's shape; the file part identifies the media.
    const match = /^(https?:\/\/[^/]+)?(.*)$/.exec(value)
    const [origin, path] = [match?.[1] ?? "", match?.[2] ?? value]
    return origin + path.replace(/[A-Za-z0-9_-]{12,}/g, (run) => word(run).slice(0, run.length))
  }

  const walk = (key: string, value: unknown): unknown => {
    if (typeof value === "string") {
      if (isBytesKey(key)) return bytesOf(value)
      if (key === "url" || key === "directPath") return mediaUrl(value)
      if (phoneKeys.has(key)) return phone(value)
      if (textKeys.has(key)) return freeText(value)
      return jids(value)
    }
    if (typeof value === "number" && locationKeys.has(key)) {
      // A pseudo place with the same precision: coordinates say where someone lives.
      const unit = digest("location", String(value), 4).readUInt32BE(0) / 0xffffffff
      return Number(
        ((key === "degreesLatitude" ? 180 : 360) * unit - (key === "degreesLatitude" ? 90 : 180)).toFixed(6),
      )
    }
    if (Array.isArray(value)) return value.map((item) => walk(key, item))
    if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>
      // BufferJSON writes Buffers as {type: "Buffer", data: base64}: the field's key decides.
      if (record.type === "Buffer" && typeof record.data === "string")
        return isBytesKey(key) ? { ...record, data: bytesOf(record.data) } : record
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(record)) out[k] = walk(k, v)
      return out
    }
    return value
  }

  return {
    line: (text) => {
      const trimmed = text.trim()
      if (trimmed === "" || trimmed.startsWith("//")) return text
      const parsed = JSON.parse(trimmed) as unknown
      return JSON.stringify(walk("", parsed))
    },
  }
}
