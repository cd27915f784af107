/**
 * Reads the scalar shapes Baileys payloads carry: protobuf 64-bit values arrive as numbers, `Long`s,
 * decimal strings (recorded JSON) or `{low, high}` objects; enums as numbers or their names.
 */

/** A protobuf 64-bit integer as any of the shapes a live or recorded payload may hold. */
export type ProtoInteger =
  | number
  | string
  | { toNumber(): number }
  | { low: number; high: number }
  | null
  | undefined

/** The integer a 64-bit protobuf value holds, or undefined when absent or not a number. */
export const protoInteger = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined
  if (typeof value === "string") {
    if (value.length === 0) return undefined
    const parsed = Number(value)
    return Number.isFinite(parsed) ? Math.trunc(parsed) : undefined
  }
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "object" && value !== null) {
    if ("toNumber" in value && typeof value.toNumber === "function") {
      const parsed = Number(value.toNumber())
      return Number.isFinite(parsed) ? Math.trunc(parsed) : undefined
    }
    if (
      "low" in value &&
      "high" in value &&
      typeof value.low === "number" &&
      typeof value.high === "number"
    ) {
      return value.high * 4294967296 + (value.low >>> 0)
    }
  }
  return undefined
}

/** Unix seconds from a value that is already in seconds; 0 and negatives count as absent. */
export const unixSeconds = (value: unknown): number | undefined => {
  const seconds = protoInteger(value)
  return seconds !== undefined && seconds > 0 ? seconds : undefined
}

/** Unix seconds from a millisecond value (`senderTimestampMs`, `timestampMs`). */
export const unixSecondsFromMillis = (value: unknown): number | undefined => {
  const millis = protoInteger(value)
  return millis !== undefined && millis > 0 ? Math.floor(millis / 1000) : undefined
}

/**
 * Unix seconds from a value that may be seconds or milliseconds (WhatsApp's mute and pin times
 * come in either depending on the path): anything past the year 5138 in seconds is read as ms.
 */
export const unixSecondsLoose = (value: unknown): number | undefined => {
  const raw = protoInteger(value)
  if (raw === undefined) return undefined
  if (raw < 0) return raw
  return raw > 100_000_000_000 ? Math.floor(raw / 1000) : raw
}

/** An enum value given as its number or its name (`"READ"`), checked against the enum. */
export const protoEnum = (
  value: unknown,
  values: Readonly<Record<string, string | number>>,
): number | undefined => {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined
  if (typeof value === "string") {
    const byName = values[value]
    if (typeof byName === "number") return byName
    const parsed = Number(value)
    return value.length > 0 && Number.isInteger(parsed) ? parsed : undefined
  }
  return undefined
}

/** Bytes from a revived `Buffer`/`Uint8Array`; anything else (or empty) is absent. */
export const protoBytes = (value: unknown): Uint8Array | undefined =>
  value instanceof Uint8Array && value.length > 0 ? value : undefined

/** A non-empty string, or undefined. */
export const protoText = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined
