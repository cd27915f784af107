/**
 * The first half of decoding a recorded line: JSON (with BufferJSON's Buffers) and the event's
 * name, checked. It needs nothing of WAProto; reviving messages is the second half's job.
 */

import { describeError } from "../logging/ErrorDescription.js"
import { type BaileysEventName, isBaileysEventName } from "./BaileysEvent.js"
import { parseBufferJson } from "./internal/BufferRevival.js"
import { isRecord } from "./internal/Shapes.js"
import { MalformedLine } from "./RecordedLine.js"

/** A line parsed as JSON and checked to name a known event: its data is not revived yet. */
export interface ParsedLine {
  readonly name: BaileysEventName
  readonly data: unknown
}

/**
 * The first half of decoding a line: JSON (with BufferJSON's Buffers) and the event name. Blank
 * lines and `//` comments give `undefined`. Never throws.
 */
export const parseRecordingLine = (
  text: string,
  file: string,
  line: number,
): ParsedLine | MalformedLine | undefined => {
  const trimmed = text.trim()
  if (trimmed === "" || trimmed.startsWith("//")) return undefined
  const malformed = (reason: string) => new MalformedLine({ file, line, reason })
  let parsed: unknown
  try {
    parsed = parseBufferJson(trimmed)
  } catch (error) {
    return malformed(`not valid JSON: ${describeError(error)}`)
  }
  if (!isRecord(parsed)) return malformed('a line must be a JSON object {"event": …, "data": …}')
  const name = parsed.event
  if (typeof name !== "string") return malformed('the line has no "event" name')
  if (!isBaileysEventName(name)) return malformed(`unknown event "${name}"`)
  if (parsed.data === undefined) return malformed(`${name}: the line has no "data"`)
  return { name, data: parsed.data }
}
