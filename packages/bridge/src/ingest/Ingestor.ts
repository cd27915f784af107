/**
 * The ingestion service: takes batches of Baileys events (live or recorded) and stores them one
 * batch at a time, each in one transaction. Applying a batch is synchronous work on the store, done
 * in the caller's fiber when its effect runs, so two batches never interleave and they are stored
 * in the order their effects run. A producer that cannot wait (Baileys does not await its event
 * handlers) keeps its order with a queue of its own in front: the WhatsApp connection has one.
 */
import { Data, Effect, Exit } from "effect"
import type { BaileysEvent } from "../recording/BaileysEvent.js"
import { restoreMessageIndexes, suspendMessageIndexes } from "../store/MessageIndexes.js"
import { MessageStore } from "../store/MessageStore.js"
import { type BatchOutcome, EventApplier } from "./EventApplier.js"

export type { BatchOutcome, SkippedItem } from "./EventApplier.js"

/** The store failed while applying a batch; nothing of that batch was stored. */
export class IngestError extends Data.TaggedError("IngestError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

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

/** Messages a bulk load commits at a time. */
const bulkCommitEvery = 32_768

export class Ingestor extends Effect.Service<Ingestor>()("@whatsapp-mcp/bridge/Ingestor", {
  effect: Effect.gen(function* () {
    const store = yield* MessageStore
    const applier = new EventApplier(store.db)

    // A failure of the store while it applies a batch, or a failure already worded as one.
    const asIngestError = (cause: unknown): IngestError =>
      cause instanceof IngestError ? cause : new IngestError({ message: failureMessage(cause), cause })

    // While a bulk load runs, its batches join one open transaction, committed every
    // `bulkCommitEvery` messages: far fewer commits, each rewriting far fewer pages. Undefined
    // outside a bulk load; otherwise the messages stored since the last commit.
    let uncommitted: number | undefined
    // The store failure that ended the running bulk load's transaction, if one did.
    let bulkFailure: IngestError | undefined

    // Batches of a bulk load have no savepoint of their own (it would hold a copy of every page the
    // batch changes: the largest part of the bridge's memory while it loads a long history), so a
    // batch the store cannot finish is undone by rolling back everything since the last commit.
    // Those earlier batches were not durable yet either; the load fails, and so does every batch
    // submitted to it afterwards, so that nothing partial is ever committed.
    const runInBulk = (events: ReadonlyArray<BaileysEvent>, pending: number): BatchOutcome => {
      if (bulkFailure !== undefined) throw bulkFailure
      let outcome: BatchOutcome
      try {
        outcome = applier.applyInOpenTransaction(events)
      } catch (cause) {
        if (store.db.inTransaction) store.db.exec("ROLLBACK")
        applier.forgetUncommitted()
        bulkFailure = new IngestError({
          message: `${failureMessage(cause)} Everything this load stored since its last commit was rolled back with it: run the load again (what is already stored is skipped).`,
          cause,
        })
        throw bulkFailure
      }
      uncommitted = pending + outcome.messages
      if (uncommitted >= bulkCommitEvery) {
        store.db.exec("COMMIT")
        store.db.exec("BEGIN IMMEDIATE")
        uncommitted = 0
      }
      return outcome
    }

    /**
     * Stores one batch after every batch whose effect ran before it. Fails with IngestError (and
     * stores nothing of the batch) only when the store itself fails; unusable events are skipped
     * and listed in the outcome.
     */
    const ingest = (events: ReadonlyArray<BaileysEvent>): Effect.Effect<BatchOutcome, IngestError> =>
      Effect.try({
        try: () => (uncommitted === undefined ? applier.apply(events) : runInBulk(events, uncommitted)),
        catch: asIngestError,
      })

    const begin = Effect.try({
      try: () => {
        const suspended = suspendMessageIndexes(store.db)
        applier.writer.fullTextRebuiltLater = suspended
        store.db.exec("BEGIN IMMEDIATE")
        uncommitted = 0
        bulkFailure = undefined
        return suspended
      },
      catch: asIngestError,
    })

    const finish = (suspended: boolean) =>
      Effect.try({
        try: () => {
          uncommitted = undefined
          // the load went on after a batch failed: what it stored since has been rolled back too
          if (bulkFailure !== undefined) throw bulkFailure
          store.db.exec("COMMIT")
          applier.writer.fullTextRebuiltLater = false
          if (suspended) restoreMessageIndexes(store.db)
        },
        catch: asIngestError,
      })

    const abandon = (suspended: boolean) =>
      Effect.sync(() => {
        uncommitted = undefined
        bulkFailure = undefined
        if (store.db.inTransaction) store.db.exec("ROLLBACK")
        applier.forgetUncommitted()
        applier.writer.fullTextRebuiltLater = false
      }).pipe(
        // if this fails too, opening the store next time builds the indexes
        Effect.zipRight(
          suspended ? Effect.ignore(Effect.try(() => restoreMessageIndexes(store.db))) : Effect.void,
        ),
      )

    /**
     * Runs `load`, which submits the batches of a long recorded history, as a bulk load: its batches
     * are committed together every few ten thousand messages, and in a store that holds no message
     * yet the search indexes are built once at the end instead of row by row. If `load` fails or is
     * interrupted, or a batch of it fails (then every later batch of it fails too), what it stored
     * since the last commit is rolled back (running it again stores it: ingestion is idempotent),
     * and the load fails with that batch's IngestError. The indexes are back when this ends,
     * however it ends, and if the process dies first, opening the store puts them back.
     */
    const bulkLoad = <A, E, R>(load: Effect.Effect<A, E, R>): Effect.Effect<A, E | IngestError, R> =>
      Effect.acquireUseRelease(
        begin,
        (suspended) => Effect.zipLeft(load, finish(suspended)),
        (suspended, exit) => (Exit.isFailure(exit) ? abandon(suspended) : Effect.void),
      )

    return { ingest, bulkLoad } as const
  }),
}) {}
