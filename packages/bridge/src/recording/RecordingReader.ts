/**
 * Reads a recorded stream file as a stream of revived events and malformed-line reports, line by
 * line, so a history of a million messages never sits in memory as one string.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Data, Effect, Option, Stream } from "effect"
import type { RecordedLine } from "./RecordedLine.js"
import { decodeRecordingLine } from "./RecordingDecoder.js"

/** The file itself could not be read (missing, a directory, no permission): nothing was replayed. */
export class RecordingUnreadable extends Data.TaggedError("RecordingUnreadable")<{
  readonly file: string
  readonly cause: PlatformError
}> {
  override get message(): string {
    return `Cannot read the recorded stream ${this.file}: ${this.cause.message}`
  }
}

export interface ReadRecordingOptions {
  /** Bytes read from the file at a time (default 64 KiB). */
  readonly chunkSize?: number
}

/**
 * Every non-blank, non-comment line of `file`, in order: a RecordedEvent, or a MalformedLine that
 * names the file, the line number and the reason. A bad line never ends the stream. Batch with
 * `Stream.grouped(n)` or `Stream.groupedWithin`.
 */
export const readRecording = (
  file: string,
  options: ReadRecordingOptions = {},
): Stream.Stream<RecordedLine, RecordingUnreadable, FileSystem.FileSystem> =>
  Stream.unwrap(
    Effect.map(FileSystem.FileSystem, (fs) =>
      fs
        .stream(
          file,
          options.chunkSize === undefined ? {} : { chunkSize: FileSystem.Size(options.chunkSize) },
        )
        .pipe(
          Stream.mapError((cause) => new RecordingUnreadable({ file, cause })),
          Stream.decodeText(),
          Stream.splitLines,
          Stream.zipWithIndex,
          Stream.filterMap(([text, index]) =>
            Option.fromNullable(decodeRecordingLine(text, file, index + 1)),
          ),
        ),
    ),
  )

/** Decodes a whole recorded stream held in memory (small fixtures, tests). */
export const decodeRecording = (text: string, file: string): Array<RecordedLine> => {
  const lines: Array<RecordedLine> = []
  text.split(/\r?\n/).forEach((line, index) => {
    const decoded = decodeRecordingLine(line, file, index + 1)
    if (decoded !== undefined) lines.push(decoded)
  })
  return lines
}
