import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import {
  latestMessageTime,
  shiftRecordingLine,
  shiftRecordingToNow,
} from "../../src/recording/RecordingTimeShift.js"

const demo = readFileSync(join(__dirname, "../../../../fixtures/demo/demo.jsonl"), "utf8")
const timestamps = (text: string) =>
  [...text.matchAll(/"messageTimestamp":"?(\d+)"?/g)].map((match) => Number(match[1]))

describe("moving a recording in time", () => {
  const now = Date.UTC(2026, 11, 6, 20, 0, 0) / 1000
  const shifted = shiftRecordingToNow(demo, now)

  it("puts the demo's latest message a minute before now, by whole minutes", () => {
    expect(latestMessageTime(shifted.text)).toBeLessThanOrEqual(now - 60)
    expect(latestMessageTime(shifted.text)).toBeGreaterThan(now - 120)
    expect(shifted.seconds % 60).toBe(0)
  })

  it("keeps every message's order and the gaps between them", () => {
    const before = timestamps(demo)
    const after = timestamps(shifted.text)
    expect(after).toHaveLength(before.length)
    expect(after.map((at, i) => at - (before[i] ?? 0))).toEqual(before.map(() => shifted.seconds))
  })

  it("moves every time the recording carries, in seconds and in milliseconds, and nothing else", () => {
    // Each time, wherever it sits, moved by the same amount; everything else (ids, texts) stays.
    const times = (text: string) =>
      [...text.matchAll(/"(\w+)":"?(\d{10}|\d{13})"?[,}]/g)].map((match) => ({
        field: match[1],
        at: Number(match[2]) / (match[2]?.length === 13 ? 1000 : 1),
      }))
    const recorded = times(demo)
    expect(recorded.length).toBeGreaterThan(400)
    expect(times(shifted.text)).toEqual(recorded.map((t) => ({ ...t, at: t.at + shifted.seconds })))
    const strip = (text: string) => text.replace(/"(\w+)":"?\d{9,}"?/g, '"$1":0')
    expect(strip(shifted.text)).toBe(strip(demo))
  })

  it("leaves comments, blank lines, unset times and lines that are not JSON as they are", () => {
    expect(shiftRecordingLine("// case: something", 60)).toBe("// case: something")
    expect(shiftRecordingLine("", 60)).toBe("")
    expect(shiftRecordingLine("{not json", 60)).toBe("{not json")
    expect(shiftRecordingLine('{"muteEndTime":0,"pinned":"0","messageTimestamp":"100"}', 60)).toBe(
      '{"muteEndTime":0,"pinned":"0","messageTimestamp":"160"}',
    )
  })
})
