/**
 * Time as users and models see it: every timestamp printed as ISO-8601 with an explicit offset in
 * the configured zone, and every time argument read with or without an offset (without: that zone).
 */
import { Context, DateTime, Either, Layer, Option } from "effect"

export interface TimeZoneService {
  /** The IANA name of the zone, e.g. "Europe/Berlin". */
  readonly zone: string
  /** Unix seconds to ISO-8601 with the zone's offset at that instant, e.g. 2024-06-01T18:30:00+02:00. */
  readonly format: (unixSeconds: number) => string
  /**
   * ISO-8601 date or date-time, with or without an offset, to Unix seconds. A date alone means the
   * start of that day in the zone. Left holds the reason the input is not understood.
   */
  readonly parse: (input: string) => Either.Either<number, string>
}

export class TimeZone extends Context.Tag("@whatsapp-mcp/runtime/TimeZone")<TimeZone, TimeZoneService>() {}

/** The zone the operating system is set to, which is the default. */
export const systemZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"

/** Whether a string names a time zone this Node.js knows (IANA names and "UTC"). */
export const isValidZone = (zone: string): boolean => Option.isSome(DateTime.zoneMakeNamed(zone))

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

const expected =
  "expected an ISO-8601 date or date-time such as 2024-06-01, 2024-06-01T18:30 or 2024-06-01T18:30:00+02:00"

const offsetMinutes = (offset: string): number => {
  if (offset === "Z" || offset === "z") return 0
  const sign = offset.startsWith("-") ? -1 : 1
  const digits = offset.slice(1).replace(":", "")
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"))
}

const day = 86_400
const offsetSuffix = /[+-]\d{2}:\d{2}$/

/**
 * Formatting through Intl is slow beside everything else a line of results costs, and a page of
 * results prints hundreds of times. The zone's offset is looked up once per UTC day and reused, except on the days the offset
 * changes, which go through `exact` itself; the result is what `exact` prints, to the character.
 */
const cachedByDay = (exact: (unixSeconds: number) => string): ((unixSeconds: number) => string) => {
  // Per UTC day: the offset and its value in seconds, or null on a day the offset changes.
  const offsets = new Map<number, readonly [string, number] | null>()
  const offsetOn = (dayNumber: number): readonly [string, number] | null => {
    const cached = offsets.get(dayNumber)
    if (cached !== undefined) return cached
    const first = offsetSuffix.exec(exact(dayNumber * day))?.[0]
    const last = offsetSuffix.exec(exact(dayNumber * day + day - 1))?.[0]
    let offset: readonly [string, number] | null = null
    if (first !== undefined && first === last) {
      const sign = first.startsWith("-") ? -1 : 1
      offset = [first, sign * (Number(first.slice(1, 3)) * 3600 + Number(first.slice(4, 6)) * 60)]
    }
    if (offsets.size > 20_000) offsets.clear()
    offsets.set(dayNumber, offset)
    return offset
  }
  return (unixSeconds) => {
    const offset = Number.isInteger(unixSeconds) ? offsetOn(Math.floor(unixSeconds / day)) : null
    if (offset === null) return exact(unixSeconds)
    const local = new Date((unixSeconds + offset[1]) * 1000).toISOString()
    // Years outside 0000-9999 print differently; leave them to `exact`.
    return local.length === 24 ? `${local.slice(0, 19)}${offset[0]}` : exact(unixSeconds)
  }
}

export const make = (zone: string): TimeZoneService => {
  const named = Option.getOrThrowWith(
    DateTime.zoneMakeNamed(zone),
    () => new Error(`Unknown time zone "${zone}"`),
  )
  const exact = (unixSeconds: number): string =>
    DateTime.formatIsoOffset(DateTime.unsafeMakeZoned(unixSeconds * 1000, { timeZone: named })).replace(
      /\.\d{3}(?=[+-]|Z)/,
      "",
    )
  const format = cachedByDay(exact)
  const parse = (raw: string): Either.Either<number, string> => {
    const input = raw.trim()
    const m = isoPattern.exec(input)
    if (m === null) return Either.left(`"${input.slice(0, 80)}" is not a date: ${expected}`)
    const [, y, mo, d, h, mi, s, frac, offset] = m
    const parts = {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hours: Number(h ?? 0),
      minutes: Number(mi ?? 0),
      seconds: Number(s ?? 0),
      millis: frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000),
    }
    if (
      parts.month < 1 ||
      parts.month > 12 ||
      parts.day < 1 ||
      parts.day > new Date(Date.UTC(parts.year, parts.month, 0)).getUTCDate() ||
      parts.hours > 23 ||
      parts.minutes > 59 ||
      parts.seconds > 59
    ) {
      return Either.left(`"${input}" is not a valid calendar date or time: ${expected}`)
    }
    if (offset !== undefined) {
      const utc = Date.UTC(
        parts.year,
        parts.month - 1,
        parts.day,
        parts.hours,
        parts.minutes,
        parts.seconds,
        parts.millis,
      )
      return Either.right(Math.floor((utc - offsetMinutes(offset) * 60_000) / 1000))
    }
    const zoned = DateTime.makeZoned(parts, { timeZone: named, adjustForTimeZone: true })
    return Option.match(zoned, {
      onNone: () => Either.left(`"${input}" does not exist in ${zone}`),
      onSome: (dt) => Either.right(Math.floor(DateTime.toEpochMillis(dt) / 1000)),
    })
  }
  return { zone, format, parse }
}

export const layer = (zone: string): Layer.Layer<TimeZone> => Layer.sync(TimeZone, () => make(zone))
