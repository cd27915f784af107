/**
 * `bridge ingest FILE... --store DIR`: stores recorded event streams and exits, printing a summary.
 * A malformed line or an unusable event is reported as `file:line: reason` and skipped; the rest
 * of the stream is kept and the exit status says that something was skipped.
 */
import { availableParallelism } from "node:os"
import { FileSystem } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { AccountKeys } from "@whatsapp-mcp/core/store"
import { Effect, Layer, Stream } from "effect"
import type { BaileysEvent } from "../recording/BaileysEvent.js"
import type { RecordedEvent } from "../recording/RecordedLine.js"
import { readRecording } from "../recording/RecordingReader.js"
import { MessageStore } from "../store/MessageStore.js"
import { type IngestError, Ingestor } from "./Ingestor.js"

export interface IngestCommandOptions {
  readonly files: ReadonlyArray<string>
  readonly storeDirectory: string
  /** where reports go (default: the process's stdout and stderr) */
  readonly out?: (line: string) => void
  readonly err?: (line: string) => void
  /**
   * Decode in a second thread: "auto" (the default) does so for files of several MB on a machine
   * with more than one core.
   */
  readonly decodeInWorker?: "auto" | boolean
  /** Events kept out of the store and handed back in the summary instead (replay's on-demand history). */
  readonly holdBack?: (event: BaileysEvent) => boolean
}

/** What the command did; `exitCode` is 0 when every line was stored, 1 when something was skipped. */
export interface IngestSummary {
  readonly events: number
  readonly messages: number
  readonly chats: number
  readonly contacts: number
  readonly storedMessages: number
  /** The linked account the recording announced (its `creds.update`), as the store keeps it. */
  readonly account?: { readonly jid: string; readonly name?: string }
  /** The events `holdBack` kept out, in the order they were read. */
  readonly heldBack: ReadonlyArray<BaileysEvent>
  readonly seconds: number
  readonly problems: number
  readonly exitCode: 0 | 1
}

// A batch closes at whichever comes first: enough events, or enough messages in them. Batches are
// committed in groups (Ingestor.bulkLoad), so they can stay small: a few MB in memory.
const batchEvents = 512
const batchMessages = 4096

// A long history is decoded in a second thread while this one stores it; for a short file the
// thread's start costs more than it saves.
const workerFromBytes = 8 * 1024 * 1024
const decodeInWorker = (fileBytes: number): boolean =>
  fileBytes >= workerFromBytes && availableParallelism() > 1

const messagesIn = (event: BaileysEvent): number =>
  event.event === "messages.upsert" || event.event === "messaging-history.set"
    ? (event.data.messages?.length ?? 0)
    : 1

/** Runs the command; fails only when the store cannot be opened (the message says what to do). */
export const ingestCommand = (options: IngestCommandOptions) =>
  Effect.gen(function* () {
    const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`))
    const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`))
    const started = performance.now()
    const ingestor = yield* Ingestor
    const store = yield* MessageStore
    let events = 0
    let messages = 0
    let problems = 0
    const heldBack: Array<BaileysEvent> = []

    let pending: Array<RecordedEvent> = []
    let pendingMessages = 0
    const flush: Effect.Effect<void, IngestError> = Effect.suspend(() => {
      if (pending.length === 0) return Effect.void
      const batch = pending
      pending = []
      pendingMessages = 0
      return ingestor.ingest(batch.map((line) => line.event)).pipe(
        Effect.tap((outcome) =>
          Effect.sync(() => {
            events += outcome.events
            messages += outcome.messages
            for (const skipped of outcome.skipped) {
              problems += 1
              const line = batch[skipped.eventIndex]
              err(`${line?.file ?? "?"}:${line?.line ?? "?"}: ${skipped.event}: skipped: ${skipped.reason}`)
            }
          }),
        ),
        Effect.asVoid,
      )
    })

    const fs = yield* FileSystem.FileSystem
    const sizes = yield* Effect.forEach(options.files, (file) =>
      fs.stat(file).pipe(
        Effect.map((info) => Number(info.size)),
        Effect.orElseSucceed(() => 0),
      ),
    )
    const readAll = Effect.forEach(
      options.files,
      (file, i) => {
        const inWorker =
          options.decodeInWorker === undefined || options.decodeInWorker === "auto"
            ? decodeInWorker(sizes[i] ?? 0)
            : options.decodeInWorker
        const read = readRecording(file, { decodeInWorker: inWorker }).pipe(
          Stream.runForEach((line): Effect.Effect<void, IngestError> => {
            if (line._tag === "MalformedLine") {
              problems += 1
              return Effect.sync(() => err(line.message))
            }
            if (options.holdBack?.(line.event) === true) {
              heldBack.push(line.event)
              return Effect.void
            }
            pending.push(line)
            pendingMessages += messagesIn(line.event)
            return pending.length >= batchEvents || pendingMessages >= batchMessages ? flush : Effect.void
          }),
          Effect.zipRight(flush),
        )
        return read.pipe(
          Effect.catchTag("RecordingUnreadable", (error) =>
            Effect.sync(() => {
              problems += 1
              err(`${file}: cannot read this file (${error.cause.message}); it was skipped.`)
            }),
          ),
        )
      },
      { discard: true },
    )
    yield* ingestor.bulkLoad(readAll)

    const count = (table: string) =>
      (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    const accountValue = (key: string) =>
      (store.db.prepare("SELECT value FROM account WHERE key = ?").get(key) as { value: string } | undefined)
        ?.value
    const selfJid = accountValue(AccountKeys.selfJid)
    const selfName = accountValue(AccountKeys.selfName)
    const seconds = (performance.now() - started) / 1000
    const summary: IngestSummary = {
      events,
      messages,
      chats: count("chats"),
      contacts: count("contacts"),
      storedMessages: count("messages"),
      ...(selfJid === undefined
        ? {}
        : { account: selfName === undefined ? { jid: selfJid } : { jid: selfJid, name: selfName } }),
      heldBack,
      seconds,
      problems,
      exitCode: problems === 0 ? 0 : 1,
    }
    out(`events: ${summary.events}`)
    out(`messages: ${summary.messages}`)
    out(`chats: ${summary.chats}`)
    out(`contacts: ${summary.contacts}`)
    out(`messages in store: ${summary.storedMessages}`)
    out(`seconds: ${summary.seconds.toFixed(2)}`)
    out(`messages/s: ${Math.round(summary.messages / Math.max(summary.seconds, 1e-9))}`)
    // CPU time of the whole process since it started: steadier than wall time on a shared machine
    const cpu = process.cpuUsage()
    out(`process cpu seconds: ${((cpu.user + cpu.system) / 1e6).toFixed(2)}`)
    if (problems > 0) err(`${problems} line(s) or event(s) skipped; everything else was stored.`)
    return summary
  }).pipe(
    Effect.provide(
      Ingestor.Default.pipe(
        Layer.provideMerge(MessageStore.layer({ directory: options.storeDirectory })),
        Layer.merge(NodeFileSystem.layer),
      ),
    ),
  )
