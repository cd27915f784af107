/**
 * What reading a recorded stream yields for each line that holds something: the revived event, or
 * the reason the line could not be used, always with the file and line number so a user can fix it.
 */
import { Data } from "effect"
import type { BaileysEvent } from "./BaileysEvent.js"

export class RecordedEvent extends Data.TaggedClass("RecordedEvent")<{
  readonly file: string
  readonly line: number
  readonly event: BaileysEvent
}> {}

export class MalformedLine extends Data.TaggedError("MalformedLine")<{
  readonly file: string
  readonly line: number
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}:${this.line}: ${this.reason}`
  }
}

export type RecordedLine = RecordedEvent | MalformedLine

export const isMalformedLine = (line: RecordedLine): line is MalformedLine => line._tag === "MalformedLine"
