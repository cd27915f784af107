/**
 * Moves a recording in time: every time it carries (messages, chats, reactions, receipts, groups)
 * shifted by the same amount, so order and gaps stay as recorded. The demo plays its recording
 * as if its last messages had just arrived, so "today" and "this week" mean something in it.
 * Works on the recorded JSON itself, before any decoding; depends on nothing.
 */

/** Fields that hold Unix seconds in Baileys' events and WAProto objects as recordings write them. */
const secondsFields = new Set([
  "messageTimestamp",
  "conversationTimestamp",
  "lastMessageRecvTimestamp",
  "lastMsgTimestamp",
  "mediaKeyTimestamp",
  "creation",
  "pinned",
  "muteEndTime",
  "receiptTimestamp",
  "readTimestamp",
  "playedTimestamp",
  "ephemeralSettingTimestamp",
  "subjectTime",
  "descTime",
])

/** Fields that hold Unix milliseconds. */
const millisFields = new Set(["senderTimestampMs", "timestampMs"])

const shiftValue = (value: unknown, by: number): unknown => {
  // 0 (or a negative "never") means unset in WAProto: it stays unset.
  if (typeof value === "number") return value > 0 ? value + by : value
  if (typeof value === "string" && /^\d+$/.test(value) && value !== "0")
    return String(BigInt(value) + BigInt(by))
  return value
}

const shiftTree = (node: unknown, seconds: number): unknown => {
  if (Array.isArray(node)) return node.map((item) => shiftTree(item, seconds))
  if (typeof node !== "object" || node === null) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (secondsFields.has(key)) out[key] = shiftValue(value, seconds)
    else if (millisFields.has(key)) out[key] = shiftValue(value, seconds * 1000)
    else out[key] = shiftTree(value, seconds)
  }
  return out
}

const isEventLine = (line: string): boolean => {
  const trimmed = line.trim()
  return trimmed !== "" && !trimmed.startsWith("//")
}

/**
 * One recorded line moved by `seconds`; comments and blank lines stay as they are, and so does a
 * line that is not JSON (the reader reports it with its line number, as it would have).
 */
export const shiftRecordingLine = (line: string, seconds: number): string => {
  if (!isEventLine(line)) return line
  try {
    return JSON.stringify(shiftTree(JSON.parse(line), seconds))
  } catch {
    return line
  }
}

/** The time of the latest message in a recording (Unix seconds), if it has one. */
export const latestMessageTime = (text: string): number | undefined => {
  let latest: number | undefined
  for (const match of text.matchAll(/"messageTimestamp":"?(\d+)"?/g)) {
    const at = Number(match[1])
    if (latest === undefined || at > latest) latest = at
  }
  return latest
}

/**
 * The recording moved so that its latest message is one minute before `now` (Unix seconds), by a
 * whole number of minutes. A recording without messages is returned as it is.
 */
export const shiftRecordingToNow = (
  text: string,
  now: number,
): { readonly text: string; readonly seconds: number } => {
  const latest = latestMessageTime(text)
  if (latest === undefined) return { text, seconds: 0 }
  const seconds = Math.floor((now - 60 - latest) / 60) * 60
  return {
    text: text
      .split("\n")
      .map((line) => shiftRecordingLine(line, seconds))
      .join("\n"),
    seconds,
  }
}
