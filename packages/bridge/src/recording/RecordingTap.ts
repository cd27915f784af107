/**
 * `bridge --record FILE [--anonymize]`: every event the bridge receives, appended to FILE in the
 * fixture format as it reaches the store, so a session can be replayed, attached to a bug report
 * or turned into a contract test.
 */
import { readFileSync } from "node:fs"
import { FileSystem } from "@effect/platform"
import { Data, Effect, Layer, type Scope } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { EventSink } from "../socket/EventSink.js"
import type { BaileysEvent } from "./BaileysEvent.js"
import { makeAnonymizer } from "./RecordingAnonymizer.js"
import { encodeRecordingLine } from "./RecordingEncoder.js"

export class RecordingFailed extends Data.TaggedError("RecordingFailed")<{ readonly message: string }> {}

export interface RecordOptions {
  readonly file: string
  /** Replace phone numbers, LIDs, names, text and media keys (consistently within the recording). */
  readonly anonymize?: boolean
}

export interface RecordingTapShape {
  /** Appends events as recorded lines. */
  readonly events: (batch: ReadonlyArray<BaileysEvent>) => Effect.Effect<void, RecordingFailed>
  /** Appends the events of an already recorded stream (a replayed file); comments and bad lines are left out. */
  readonly copyStream: (file: string) => Effect.Effect<void, RecordingFailed>
}

const failed = (file: string) => (error: unknown) =>
  new RecordingFailed({
    message: `Cannot write the recording ${file}: ${describeError(error)}. Check the path and the disk space.`,
  })

/** Opens FILE (replacing it) for this run; closed with the scope. */
export const open = (
  options: RecordOptions,
): Effect.Effect<RecordingTapShape, RecordingFailed, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const handle = yield* fs.open(options.file, { flag: "w" }).pipe(Effect.mapError(failed(options.file)))
    const lock = yield* Effect.makeSemaphore(1)
    const encoder = new TextEncoder()
    const anonymizer = options.anonymize === true ? makeAnonymizer() : undefined
    const finish = (line: string) => (anonymizer === undefined ? line : anonymizer.line(line))
    const append = (lines: ReadonlyArray<string>) =>
      lines.length === 0
        ? Effect.void
        : lock.withPermits(1)(
            handle
              .writeAll(encoder.encode(lines.map((line) => `${line}\n`).join("")))
              .pipe(Effect.mapError(failed(options.file))),
          )
    return {
      events: (batch) =>
        Effect.suspend(() => append(batch.map((event) => finish(encodeRecordingLine(event))))),
      copyStream: (file) =>
        Effect.try({
          try: () => readFileSync(file, "utf8"),
          catch: (error) =>
            new RecordingFailed({
              message: `Cannot read ${file} to record it: ${describeError(error)}.`,
            }),
        }).pipe(
          Effect.flatMap((text) => {
            const lines: Array<string> = []
            for (const raw of text.split(/\r?\n/)) {
              const trimmed = raw.trim()
              if (trimmed === "" || trimmed.startsWith("//")) continue
              try {
                const parsed = JSON.parse(trimmed) as { event?: unknown; data?: unknown }
                if (typeof parsed.event !== "string") continue
                lines.push(finish(JSON.stringify({ event: parsed.event, data: parsed.data })))
              } catch {
                // Ingestion reports malformed lines with their number; the recording keeps only events.
              }
            }
            return append(lines)
          }),
        ),
    }
  })

/**
 * Wraps the store's EventSink: each batch is recorded, then stored. A recording that cannot be
 * written is logged and never stops the store from receiving events.
 */
export const sinkLayer = (tap: RecordingTapShape): Layer.Layer<EventSink, never, EventSink> =>
  Layer.effect(
    EventSink,
    Effect.map(EventSink, (inner) =>
      EventSink.of({
        ingest: (batch) =>
          tap.events(batch).pipe(
            Effect.catchAll((error) => Effect.logWarning(error.message)),
            Effect.zipRight(inner.ingest(batch)),
          ),
      }),
    ),
  )
