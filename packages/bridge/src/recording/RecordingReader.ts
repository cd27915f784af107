/**
 * Reads a recorded stream file as a stream of revived events and malformed-line reports, line by
 * line, so a history of a million messages never sits in memory as one string.
 */
import { Worker } from "node:worker_threads"
import { FileSystem } from "@effect/platform"
import { type PlatformError, SystemError } from "@effect/platform/Error"
import { Data, Effect, Option, Queue, Stream } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { MalformedLine, type RecordedLine } from "./RecordedLine.js"
import { decodeRecordingLine, reviveRecordedLine } from "./RecordingDecoder.js"
import type { WorkerItem, WorkerOptions } from "./RecordingDecodeWorkerProtocol.js"
import { unpackMessages } from "./WireMessages.js"

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
  /** Bytes read from the file at a time (default 64 KiB; 1 MiB with `decodeInWorker`). */
  readonly chunkSize?: number
  /**
   * Read and decode in a worker thread, so that the caller's thread only stores: for long files
   * (a history of many thousand messages) on a machine with a second core. Same lines, same order.
   */
  readonly decodeInWorker?: boolean
}

// What the worker decodes lives only until its line is sent, yet V8 grows a thread's young
// generation to its largest when it allocates this fast, a large share of the thread's memory.
// Capped, the bridge's peak on a long history is lower, for more of this thread's collections,
// which cost little wall time: this thread waits for the storing one most of the time. A larger
// cap kept the peak where it was uncapped (docs/performance.md, "Why the code is this way").
// Only the young generation is capped: an object that does not fit is promoted or goes to the
// large-object space, so an unusually large line still decodes.
const workerYoungGenerationMb = 12

// The worker module sits beside this one: .mjs in the bundled command line, .js when built, and
// TypeScript when running from source (tests), where a small script first has tsx compile it.
const startWorker = (options: WorkerOptions): Worker => {
  const here = import.meta.url
  const resourceLimits = { maxYoungGenerationSizeMb: workerYoungGenerationMb }
  if (here.endsWith(".ts")) {
    const module = new URL("./RecordingDecodeWorker.ts", here).href
    return new Worker(
      `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(module)}) })`,
      { eval: true, workerData: options, resourceLimits },
    )
  }
  const file = here.endsWith(".mjs") ? "./RecordingDecodeWorker.mjs" : "./RecordingDecodeWorker.js"
  return new Worker(new URL(file, here), { workerData: options, resourceLimits })
}

// Lines the worker may decode ahead: enough to keep both threads busy, few enough that a history
// of a million messages never sits decoded in memory.
const workerWindow = 4

// Structured cloning turns Buffers into plain Uint8Arrays; a live socket's payloads hold Buffers.
const buffersBack = (value: unknown): unknown => {
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = buffersBack(value[i])
    return value
  }
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const item = record[key]
    if (typeof item === "object" && item !== null) record[key] = buffersBack(item)
  }
  return value
}

const readInWorker = (
  file: string,
  chunkBytes: number,
): Stream.Stream<RecordedLine, RecordingUnreadable, FileSystem.FileSystem> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      // the same error, for a missing or forbidden file, as reading it here would give
      yield* fs
        .access(file, { readable: true })
        .pipe(Effect.mapError((cause) => new RecordingUnreadable({ file, cause })))
      const options: WorkerOptions = { file, window: workerWindow, chunkBytes }
      const items = yield* Queue.unbounded<
        WorkerItem | { readonly kind: "crashed"; readonly message: string }
      >()
      const worker = yield* Effect.acquireRelease(
        Effect.sync(() => startWorker(options)),
        (worker) => Effect.promise(() => worker.terminate()),
      )
      worker.on("message", (item: WorkerItem) => Queue.unsafeOffer(items, item))
      worker.on("error", (error) =>
        Queue.unsafeOffer(items, {
          kind: "crashed",
          message: describeError(error),
        }),
      )
      worker.on("exit", (code) => {
        if (code !== 0)
          Queue.unsafeOffer(items, {
            kind: "crashed",
            message: `the decoding thread stopped (exit code ${code})`,
          })
      })
      const next = Queue.take(items).pipe(
        Effect.flatMap(
          (item): Effect.Effect<RecordedLine | undefined, Option.Option<RecordingUnreadable>> => {
            worker.postMessage(0)
            switch (item.kind) {
              case "event":
                return Effect.sync(() =>
                  reviveRecordedLine(
                    { name: item.name, data: buffersBack(item.rest) },
                    file,
                    item.line,
                    unpackMessages(item.packed),
                  ),
                )
              case "text":
                return Effect.sync(() => decodeRecordingLine(item.text, file, item.line))
              case "malformed":
                return Effect.succeed(new MalformedLine({ file, line: item.line, reason: item.reason }))
              case "failed":
                return Effect.fail(
                  Option.some(
                    new RecordingUnreadable({
                      file,
                      cause: new SystemError({
                        reason: "Unknown",
                        module: "FileSystem",
                        method: "read",
                        pathOrDescriptor: file,
                        description: item.message,
                      }),
                    }),
                  ),
                )
              case "end":
                return Effect.fail(Option.none())
              default:
                // "crashed": the thread itself failed (out of memory, a bug), not the file
                return Effect.dieMessage(`Decoding ${file} failed: ${item.message}`)
            }
          },
        ),
      )
      return Stream.repeatEffectOption(next).pipe(Stream.filterMap(Option.fromNullable))
    }),
  )

/**
 * Every non-blank, non-comment line of `file`, in order: a RecordedEvent, or a MalformedLine that
 * names the file, the line number and the reason. A bad line never ends the stream. Batch with
 * `Stream.grouped(n)` or `Stream.groupedWithin`.
 */
export const readRecording = (
  file: string,
  options: ReadRecordingOptions = {},
): Stream.Stream<RecordedLine, RecordingUnreadable, FileSystem.FileSystem> =>
  options.decodeInWorker === true
    ? readInWorker(file, options.chunkSize ?? 1024 * 1024)
    : Stream.unwrap(
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
