/**
 * The ingestion service: takes batches of Baileys events (live or recorded) and stores them one
 * batch at a time, in arrival order, each in one transaction. Baileys does not await its event
 * handlers, so callers may submit from a callback: the queue keeps the batches serial.
 */
import { Data, Deferred, Effect, Queue } from "effect"
import type { BaileysEvent } from "../recording/BaileysEvent.js"
import { MessageStore } from "../store/MessageStore.js"
import { type BatchOutcome, EventApplier } from "./EventApplier.js"

export type { BatchOutcome, SkippedItem } from "./EventApplier.js"

/** The store failed while applying a batch; nothing of that batch was stored. */
export class IngestError extends Data.TaggedError("IngestError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

interface Job {
  readonly events: ReadonlyArray<BaileysEvent>
  readonly done: Deferred.Deferred<BatchOutcome, IngestError>
}

const failureMessage = (cause: unknown): string => {
  const detail = cause instanceof Error ? cause.message : String(cause)
  const code = (cause as { code?: unknown } | null)?.code
  const hint =
    code === "SQLITE_FULL"
      ? " The disk (or the store's size limit) is full: free space and send the events again."
      : code === "SQLITE_BUSY"
        ? " Another process holds the store's write lock: is a second bridge running on this store?"
        : typeof code === "string" && code.startsWith("SQLITE_READONLY")
          ? " The store cannot be written (a read-only disk or file): make it writable and send the events again."
          : ""
  return `Could not store a batch of events; none of it was kept (${typeof code === "string" ? `${code}: ` : ""}${detail}).${hint}`
}

export class Ingestor extends Effect.Service<Ingestor>()("@whatsapp-mcp/bridge/Ingestor", {
  scoped: Effect.gen(function* () {
    const store = yield* MessageStore
    const applier = new EventApplier(store.db)
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Job>(), Queue.shutdown)

    const run = (job: Job) =>
      Effect.try({
        try: () => applier.apply(job.events),
        catch: (cause) => new IngestError({ message: failureMessage(cause), cause }),
      }).pipe(
        Effect.exit,
        Effect.flatMap((exit) => Deferred.done(job.done, exit)),
      )

    yield* Queue.take(queue).pipe(Effect.flatMap(run), Effect.forever, Effect.forkScoped)
    // Batches accepted before shutdown are still stored: an acknowledged event is never dropped.
    yield* Effect.addFinalizer(() =>
      Queue.takeAll(queue).pipe(Effect.flatMap((jobs) => Effect.forEach(jobs, run, { discard: true }))),
    )

    /**
     * Stores one batch after every batch submitted before it. Fails with IngestError (and stores
     * nothing of the batch) only when the store itself fails; unusable events are skipped and
     * listed in the outcome.
     */
    const ingest = (events: ReadonlyArray<BaileysEvent>): Effect.Effect<BatchOutcome, IngestError> =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<BatchOutcome, IngestError>()
        yield* Queue.offer(queue, { events, done })
        return yield* Deferred.await(done)
      })

    return { ingest } as const
  }),
}) {}
