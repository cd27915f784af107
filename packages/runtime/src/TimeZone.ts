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

export const make = (zone: string): TimeZoneService => {
  const named = Option.getOrThrowWith(
    DateTime.zoneMakeNamed(zone),
    () => new Error(`Unknown time zone "${zone}"`),
  )
  const format = (unixSeconds: number): string =>
    DateTime.formatIsoOffset(DateTime.unsafeMakeZoned(unixSeconds * 1000, { timeZone: named })).replace(
      /\.\d{3}(?=[+-]|Z)/,
      "",
    )
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
