import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either } from "effect"
import { TimeZone } from "../src/index.js"

const berlin = TimeZone.make("Europe/Berlin")

describe("TimeZone", () => {
  it("prints instants with the zone's offset at that instant (summer and winter)", () => {
    expect(berlin.format(Date.UTC(2024, 5, 1, 16, 30) / 1000)).toBe("2024-06-01T18:30:00+02:00")
    expect(berlin.format(Date.UTC(2024, 0, 15, 8, 0) / 1000)).toBe("2024-01-15T09:00:00+01:00")
    expect(TimeZone.make("UTC").format(0)).toBe("1970-01-01T00:00:00+00:00")
  })

  it("reads a date-time without offset in the configured zone", () => {
    expect(berlin.parse("2024-06-01T18:30")).toEqual(Either.right(Date.UTC(2024, 5, 1, 16, 30) / 1000))
    expect(berlin.parse("2024-06-01 18:30:15")).toEqual(Either.right(Date.UTC(2024, 5, 1, 16, 30, 15) / 1000))
  })

  it("reads a date alone as the start of that day in the zone", () => {
    expect(berlin.parse("2024-01-15")).toEqual(Either.right(Date.UTC(2024, 0, 14, 23, 0) / 1000))
  })

  it("honours an explicit offset or Z whatever the zone", () => {
    expect(berlin.parse("2024-06-01T18:30:00+05:30")).toEqual(
      Either.right(Date.UTC(2024, 5, 1, 13, 0) / 1000),
    )
    expect(berlin.parse("2024-06-01T18:30:00Z")).toEqual(Either.right(Date.UTC(2024, 5, 1, 18, 30) / 1000))
    expect(berlin.parse("2024-06-01T18:30:00.250-0300")).toEqual(
      Either.right(Date.UTC(2024, 5, 1, 21, 30) / 1000),
    )
  })

  it("round-trips what it prints", () => {
    const instant = 1_717_259_400
    expect(berlin.parse(berlin.format(instant))).toEqual(Either.right(instant))
  })

  it("explains what it expected when the input is not a date", () => {
    for (const input of ["yesterday", "2024-13-01", "2024-02-30", "2024-06-01T25:00", "", "1717259400"]) {
      const parsed = berlin.parse(input)
      expect(Either.isLeft(parsed)).toBe(true)
      if (Either.isLeft(parsed)) expect(parsed.left).toMatch(/ISO-8601/)
    }
  })

  it("knows IANA zone names and rejects others", () => {
    expect(TimeZone.isValidZone("America/Sao_Paulo")).toBe(true)
    expect(TimeZone.isValidZone("Mars/Olympus")).toBe(false)
  })
})

describe("TimeZone.format's per-day cache", () => {
  it("prints exactly what the zone prints, across daylight-saving changes and odd offsets", () => {
    for (const zone of [
      "Europe/Berlin",
      "America/Sao_Paulo",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "UTC",
    ]) {
      const exact = (t: number) =>
        DateTime.formatIsoOffset(DateTime.unsafeMakeZoned(t * 1000, { timeZone: zone })).replace(
          /\.\d{3}(?=[+-]|Z)/,
          "",
        )
      const format = exact
      const bulk = TimeZone.make(zone).format
      // Every half hour and a second through 2024: lands on both sides of every transition of the year.
      for (let t = 1_704_067_200; t < 1_735_689_600; t += 1801) {
        if (bulk(t) !== format(t)) expect.fail(`${zone} at ${t}: ${bulk(t)} !== ${format(t)}`)
      }
      expect(bulk(1_717_259_400)).toBe(format(1_717_259_400))
    }
  })
})
