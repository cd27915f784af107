/**
 * Writes recorded streams: a whole stream of events to a new file (fixture builders, generators),
 * or events appended one by one as they arrive (recording a live session).
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, type Scope, Stream } from "effect"
import type { BaileysEvent } from "./BaileysEvent.js"
import { encodeRecordingComment, encodeRecordingLine } from "./RecordingEncoder.js"

/** A `//` line in a recorded stream, e.g. naming the case the lines after it cover. */
export interface RecordingComment {
  readonly comment: string
}

export type RecordingEntry = BaileysEvent | RecordingComment

const isComment = (entry: RecordingEntry): entry is RecordingComment => "comment" in entry

/** One entry as its line(s), without the trailing newline. */
export const encodeRecordingEntry = (entry: RecordingEntry): string =>
  isComment(entry) ? encodeRecordingComment(entry.comment) : encodeRecordingLine(entry)

/**
 * Writes `entries` to `file` (replacing it), one line each, streaming in writes of about 1 MB. For a
 * large generated history, feed it with `Stream.fromIteratorSucceed(iterator, 1)`: `fromIterable`
 * pulls thousands of entries into memory at once.
 */
export const writeRecording = <E, R>(
  file: string,
  entries: Stream.Stream<RecordingEntry, E, R>,
): Effect.Effect<void, E | PlatformError, R | FileSystem.FileSystem> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const handle = yield* fs.open(file, { flag: "w" })
      const encoder = new TextEncoder()
      let pending: Array<string> = []
      let pendingLength = 0
      const flush = Effect.suspend(() => {
        if (pending.length === 0) return Effect.void
        const text = pending.join("")
        pending = []
        pendingLength = 0
        return handle.writeAll(encoder.encode(text))
      })
      yield* Stream.runForEach(entries, (entry) => {
        const line = `${encodeRecordingEntry(entry)}\n`
        pending.push(line)
        pendingLength += line.length
        return pendingLength >= 1 << 20 ? flush : Effect.void
      })
      yield* flush
    }),
  )

export interface RecordingWriter {
  /** Appends one entry; entries written through one writer never interleave. */
  readonly write: (entry: RecordingEntry) => Effect.Effect<void, PlatformError>
}

/** Opens `file` for recording, appending to what is there unless `truncate` is set; closed with the scope. */
export const openRecordingWriter = (
  file: string,
  options: { readonly truncate?: boolean } = {},
): Effect.Effect<RecordingWriter, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const handle = yield* fs.open(file, { flag: options.truncate === true ? "w" : "a" })
    const lock = yield* Effect.makeSemaphore(1)
    const encoder = new TextEncoder()
    return {
      write: (entry) =>
        lock.withPermits(1)(handle.writeAll(encoder.encode(`${encodeRecordingEntry(entry)}\n`))),
    }
  })
