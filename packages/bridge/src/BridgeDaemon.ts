/**
 * The bridge as one long-running Layer graph: the store checked, locked and opened, the linked-device
 * session, the connection supervisor over a socket, the actions and the loopback HTTP server.
 * `liveBridge` and `replayBridge` differ in where WhatsApp comes from; BridgePrograms.ts runs them.
 */
import { readFileSync } from "node:fs"
import { basename, join, resolve } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { DefaultBridgePort } from "@whatsapp-mcp/core/api"
import { Data, Duration, Effect, Layer } from "effect"
import { acquireBridgeLock } from "./BridgeLock.js"
import * as OnDemandHistory from "./history/OnDemandHistory.js"
import { ingestCommand } from "./ingest/IngestCommand.js"
import * as LiveWhatsApp from "./LiveWhatsApp.js"
import * as MediaCdn from "./media/MediaCdn.js"
import * as OperatorConsole from "./pairing/OperatorConsole.js"
import { isMalformedLine, type RecordedEvent } from "./recording/RecordedLine.js"
import { decodeRecording } from "./recording/RecordingReader.js"
import * as RecordingTap from "./recording/RecordingTap.js"
import { latestMessageTime, shiftRecordingLine } from "./recording/RecordingTimeShift.js"
import * as ReplayMediaCdn from "./replay/ReplayMediaCdn.js"
import * as ReplaySocket from "./replay/ReplaySocket.js"
import * as StoreBinding from "./StoreBinding.js"
import { guardStoreFiles } from "./StoreFileGuard.js"
import * as IdempotencyLedger from "./send/IdempotencyLedger.js"
import * as BridgeHttpServer from "./server/BridgeHttpServer.js"
import { ensureStoreDirectory, loadOrCreateToken } from "./server/BridgeToken.js"
import * as SocketActions from "./server/SocketActions.js"
import * as SessionStore from "./session/SessionStore.js"
import * as WhatsAppConnection from "./socket/WhatsAppConnection.js"
import { StoreAccess } from "./store/StoreAccess.js"

/** The bridge could not start; the message says why and what to do. */
export class BridgeStartError extends Data.TaggedError("BridgeStartError")<{ readonly message: string }> {}

/** What the live and the replay bridge both take. */
export interface BridgeOptions {
  /** Store directory (messages.db, session.db, bridge-token, media/). */
  readonly storeDir: string
  /** HTTP port on 127.0.0.1; default 8080, 0 picks a free one. */
  readonly port?: number
  /** Directories files may be sent from (`--allowed-file-roots`); default none: no file is sent. */
  readonly fileRoots?: ReadonlyArray<string>
  /** Files never sent under any name besides the store's own (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
  /** Largest media file downloaded, in bytes (`--max-media-mb`). */
  readonly maxMediaBytes?: number
  /** Also append every event received to this recording (`--record FILE [--anonymize]`). */
  readonly record?: RecordingTap.RecordOptions
}

export interface RunBridgeOptions extends BridgeOptions {
  /** Link with a pairing code for this number (with country code) instead of a QR code. */
  readonly pairPhone?: string
}

export interface ReplayBridgeOptions extends BridgeOptions {
  /** Recorded streams (JSON Lines) ingested before serving; `record` copies them first. */
  readonly files: ReadonlyArray<string>
  /** The simulated account; default the one the recording announced, else 15550000000:1@s.whatsapp.net. */
  readonly ownJid?: string
  /** Directories of the recording's encrypted media (`--media`); without them only replay's own uploads are served. */
  readonly mediaRoots?: ReadonlyArray<string>
  /** Default 30, as live; raise it to measure. */
  readonly sendsPerMinute?: number
  /**
   * A recording of what arrives while the replay runs (`--then FILE --after SECONDS`): delivered
   * by the simulated socket `afterSeconds` after it connects, its times moved so that its latest
   * message arrives then.
   */
  readonly then?: { readonly file: string; readonly afterSeconds: number }
}

/**
 * Reads the `--then` recording at start-up, so that a missing file or a malformed line stops the
 * bridge at once rather than minutes later; decoded again at delivery, with its times moved then.
 */
const laterEvents = (
  then: NonNullable<ReplayBridgeOptions["then"]>,
  write: (line: string) => void,
): Effect.Effect<ReplaySocket.LaterEvents, BridgeStartError> =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => readFileSync(then.file, "utf8"),
      catch: (error) =>
        new BridgeStartError({
          message: `--then: cannot read ${then.file} (${error instanceof Error ? error.message : String(error)}).`,
        }),
    })
    const decode = (source: string) => decodeRecording(source, basename(then.file))
    const malformed = decode(text).filter(isMalformedLine)
    if (malformed.length > 0) {
      return yield* new BridgeStartError({
        message: `--then: ${then.file} has lines the bridge cannot use:\n${malformed.map((line) => line.message).join("\n")}`,
      })
    }
    const latest = latestMessageTime(text)
    return {
      afterMs: then.afterSeconds * 1000,
      events: () => {
        const by = latest === undefined ? 0 : Math.floor(Date.now() / 1000) - latest
        const shifted = text
          .split("\n")
          .map((line) => shiftRecordingLine(line, by))
          .join("\n")
        return decode(shifted).flatMap((line) =>
          isMalformedLine(line) ? [] : [(line as RecordedEvent).event],
        )
      },
      delivered: (count) =>
        write(`Delivered ${count} events of ${then.file} (--then), as if they had just arrived.`),
    }
  })

export type RunningBridge =
  | BridgeHttpServer.BridgeHttpServer
  | WhatsAppConnection.WhatsAppConnection
  | StoreAccess

const startError = (error: { readonly message: string }) => new BridgeStartError({ message: error.message })

/** Before anything is opened: a planted store file would otherwise be written to and read from. */
export const prepareStore = (storeDir: string) =>
  Effect.gen(function* () {
    yield* ensureStoreDirectory(storeDir).pipe(Effect.provide(NodeContext.layer), Effect.mapError(startError))
    yield* guardStoreFiles(storeDir).pipe(Effect.mapError(startError))
    yield* acquireBridgeLock(storeDir).pipe(Effect.mapError(startError))
  })

export const storeLayer = (storeDir: string) => StoreBinding.layer(storeDir).pipe(Layer.mapError(startError))

/** The store, with its event sink recording first when asked to (the tap lives as long as the bridge). */
const recordedStore = (
  store: ReturnType<typeof storeLayer>,
  tap: RecordingTap.RecordingTapShape | undefined,
) => (tap === undefined ? store : Layer.merge(store, RecordingTap.sinkLayer(tap).pipe(Layer.provide(store))))

const openTap = (record: RecordingTap.RecordOptions | undefined) =>
  record === undefined
    ? Effect.succeed(undefined)
    : RecordingTap.open(record).pipe(Effect.provide(NodeContext.layer), Effect.mapError(startError))

const parsePairPhone = (raw: string) => {
  const digits = raw.replace(/[\s\-.()+]/g, "")
  return /^[0-9]{7,15}$/.test(digits)
    ? Effect.succeed(digits)
    : Effect.fail(
        new BridgeStartError({
          message: `--pair-phone "${raw}" is not a phone number: give your own number with its country code, e.g. --pair-phone 15551234567.`,
        }),
      )
}

export interface BridgeAssemblyOptions extends Omit<BridgeOptions, "record"> {
  readonly mode: "live" | "replay"
  readonly connection?: WhatsAppConnection.ConnectionOptions
  readonly sendsPerMinute?: number
  /** Where the linked-device session lives; default `<store>/session.db`. */
  readonly session?: Layer.Layer<SessionStore.SessionStore>
}

/**
 * The bridge on top of a socket factory, a store (ingestion sink and reads) and a media CDN
 * (WhatsApp's, or replay's stand-in): the running HTTP server (its address) and the connection
 * (its status). Tests and embedders bring their own socket and store.
 */
export const assemble = (options: BridgeAssemblyOptions) => {
  const session = options.session ?? SessionStore.layer(options.storeDir)
  const connection = WhatsAppConnection.layer(options.connection ?? {}).pipe(
    Layer.provide(
      Layer.mergeAll(
        session,
        OperatorConsole.layer(options.storeDir, options.mode),
        OnDemandHistory.sinkLayer,
      ),
    ),
  )
  const actions = SocketActions.layer(options).pipe(Layer.provide(IdempotencyLedger.layer(options.storeDir)))
  const server = Layer.unwrapScoped(
    Effect.gen(function* () {
      const token = yield* loadOrCreateToken(options.storeDir).pipe(
        Effect.provide(NodeContext.layer),
        Effect.mapError(startError),
      )
      const port = options.port ?? DefaultBridgePort
      return BridgeHttpServer.layer({ token, port }).pipe(
        Layer.catchAll((error) =>
          Layer.fail(
            new BridgeStartError({
              message: `Cannot listen on 127.0.0.1:${port} (${String(error.cause ?? error)}): is another bridge running? Stop it or pick another port with --port.`,
            }),
          ),
        ),
      )
    }),
  )
  // One announcer of stored on-demand history between the connection's sink and the actions.
  return server.pipe(
    Layer.provide(actions),
    Layer.provideMerge(connection),
    Layer.provide(OnDemandHistory.layer),
  )
}

/** The live bridge: store locked and opened, WhatsApp's socket supervised, API served. */
export const liveBridge = (options: RunBridgeOptions): Layer.Layer<RunningBridge, BridgeStartError> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const storeDir = resolve(options.storeDir)
      const pairPhone = options.pairPhone === undefined ? undefined : yield* parsePairPhone(options.pairPhone)
      yield* prepareStore(storeDir)
      const store = recordedStore(storeLayer(storeDir), yield* openTap(options.record))
      return assemble({
        ...options,
        storeDir,
        mode: "live",
        connection: pairPhone === undefined ? {} : { pairPhone },
      }).pipe(
        Layer.provideMerge(Layer.merge(LiveWhatsApp.layer.pipe(Layer.provide(store)), store)),
        Layer.provide(MediaCdn.live()),
      )
    }),
  )

/**
 * The replay bridge: the recorded streams ingested first, then the API served over a simulated
 * socket, with a stand-in media CDN serving what the socket "uploaded" and `mediaRoots`.
 */
export const replayBridge = (options: ReplayBridgeOptions): Layer.Layer<RunningBridge, BridgeStartError> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const storeDir = resolve(options.storeDir)
      yield* prepareStore(storeDir)
      const write = (line: string) => void process.stderr.write(`${line}\n`)
      // What was loaded, not how fast: ingestion figures are `bridge ingest`'s business.
      // The recording's answers to requests for older history wait for those requests.
      const loaded = yield* ingestCommand({
        files: options.files,
        storeDirectory: storeDir,
        out: () => {},
        err: write,
        holdBack: OnDemandHistory.isOnDemandHistory,
      }).pipe(Effect.mapError(startError))
      write(
        `Loaded the recording: ${loaded.storedMessages} messages in ${loaded.chats} chats, ${loaded.contacts} contacts.`,
      )
      if (loaded.heldBack.length > 0)
        write(
          `Held back ${loaded.heldBack.length} on-demand history chunk(s): they answer requests for older messages.`,
        )
      const mediaRoots = (options.mediaRoots ?? []).map((root) => resolve(root))
      write(
        mediaRoots.length === 0
          ? "The recording's media is not served (no --media DIR): only files sent during this replay can be downloaded."
          : `The recording's media is served from ${mediaRoots.join(", ")}.`,
      )
      const later = options.then === undefined ? undefined : yield* laterEvents(options.then, write)
      const tap = yield* openTap(options.record)
      if (tap !== undefined)
        yield* Effect.forEach(options.files, tap.copyStream).pipe(Effect.mapError(startError))
      const uploadDir = join(storeDir, "replay-media")
      // The account the recording announced, as a live socket names itself (with its device), so
      // the demo's bridge is connected as the person whose chats it shows.
      const recorded = loaded.account
      const ownJid =
        options.ownJid ??
        (recorded === undefined ? "15550000000:1@s.whatsapp.net" : recorded.jid.replace(/^(\d+)@/, "$1:1@"))
      const store = recordedStore(storeLayer(storeDir), tap)
      const socket = Layer.unwrapEffect(
        Effect.map(StoreAccess, (access) =>
          ReplaySocket.layer({
            ownJid,
            ...(recorded?.name === undefined ? {} : { ownName: recorded.name }),
            uploadDir,
            exists: (jid) => Effect.runPromise(access.knowsJid(jid)),
            ...(later === undefined ? {} : { later }),
            heldHistory: loaded.heldBack.flatMap((event) =>
              event.event === "messaging-history.set" ? [event.data] : [],
            ),
          }),
        ),
      ).pipe(Layer.provide(store))
      return assemble({
        ...options,
        storeDir,
        mode: "replay",
        session: SessionStore.inMemory({ id: ownJid, name: recorded?.name ?? "Replay" }),
        // A simulated socket sends no frames: nothing to watch.
        connection: { silenceTimeout: Duration.infinity },
      }).pipe(
        Layer.provideMerge(Layer.merge(socket, store)),
        Layer.provide(ReplayMediaCdn.layer([uploadDir, ...mediaRoots])),
      )
    }),
  )

/** Prints where the bridge listens and where its token is. */
export const announce = (mode: "live" | "replay", storeDir: string) =>
  Effect.gen(function* () {
    const server = yield* BridgeHttpServer.BridgeHttpServer
    yield* Effect.sync(() =>
      process.stderr.write(
        `whatsapp-bridge (${mode}) listening on ${server.url}; bearer token in ${storeDir}/bridge-token\n`,
      ),
    )
  })
