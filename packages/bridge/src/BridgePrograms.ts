/**
 * The bridge's entry points, as Effect programs the command line runs: the live daemon, the replay
 * daemon (no phone), and logout. Each says what went wrong and what to do when it cannot go on.
 */
import { join, resolve } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { Data, Duration, Effect, Layer, Logger, Option, Stream } from "effect"
import { announce, assemble, BridgeStartError } from "./BridgeDaemon.js"
import { acquireBridgeLock } from "./BridgeLock.js"
import { ingestCommand } from "./ingest/IngestCommand.js"
import * as MediaCdn from "./media/MediaCdn.js"
import * as OperatorConsole from "./pairing/OperatorConsole.js"
import * as RecordingTap from "./recording/RecordingTap.js"
import * as ReplayMediaCdn from "./replay/ReplayMediaCdn.js"
import * as ReplaySocket from "./replay/ReplaySocket.js"
import * as StoreBinding from "./StoreBinding.js"
import { guardStoreFiles } from "./StoreFileGuard.js"
import type { BridgeHttpServer } from "./server/BridgeHttpServer.js"
import { ensureStoreDirectory } from "./server/BridgeToken.js"
import * as SessionStore from "./session/SessionStore.js"
import * as LastHeard from "./socket/LastHeard.js"
import * as LiveSocketFactory from "./socket/LiveSocketFactory.js"
import * as WaWebVersion from "./socket/WaWebVersion.js"
import * as WhatsAppConnection from "./socket/WhatsAppConnection.js"
import { StoreAccess } from "./store/StoreAccess.js"

/** The connection ended for good (logged out, replaced, refused); `message` says what to do. */
export class BridgeStopped extends Data.TaggedError("BridgeStopped")<{ readonly message: string }> {}

export interface RunBridgeOptions {
  /** Store directory (messages.db, session.db, bridge-token, media/). */
  readonly storeDir: string
  /** HTTP port on 127.0.0.1; default 8080. */
  readonly port?: number
  /** Link with a pairing code for this number (with country code) instead of a QR code. */
  readonly pairPhone?: string
  /** Directories files may be sent from (`--allowed-file-roots`); default none: no file is sent. */
  readonly fileRoots?: ReadonlyArray<string>
  /** Files never sent under any name besides the store's own (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
  /** Also append every event received to this recording (`--record FILE [--anonymize]`). */
  readonly record?: RecordingTap.RecordOptions
  /** Largest media file downloaded, in bytes (`--max-media-mb`). */
  readonly maxMediaBytes?: number
}

export interface ReplayBridgeOptions {
  readonly storeDir: string
  /** Recorded streams (JSON Lines) ingested before serving. */
  readonly files: ReadonlyArray<string>
  readonly port?: number
  /** The simulated account; default 15550000000:1@s.whatsapp.net. */
  readonly ownJid?: string
  /** Directories of encrypted fixture media the stand-in CDN serves (besides replay uploads). */
  readonly mediaRoots?: ReadonlyArray<string>
  /** Directories files may be sent from (`--allowed-file-roots`); default none: no file is sent. */
  readonly fileRoots?: ReadonlyArray<string>
  /** Files never sent under any name besides the store's own (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
  /** Default 30, as live; raise it to measure. */
  readonly sendsPerMinute?: number
  /** Also write the replayed streams and every later event to this recording. */
  readonly record?: RecordingTap.RecordOptions
  readonly maxMediaBytes?: number
}

/** The bridge's own log lines go to stderr, like Baileys' (stdout stays free for a caller's use). */
const logToStderr = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

const startError = (error: { readonly message: string }) => new BridgeStartError({ message: error.message })

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

const prepareStore = (storeDir: string) =>
  Effect.gen(function* () {
    yield* ensureStoreDirectory(storeDir).pipe(Effect.provide(NodeContext.layer), Effect.mapError(startError))
    // Before anything is opened: a planted store file would otherwise be written to and read from.
    yield* guardStoreFiles(storeDir).pipe(Effect.mapError(startError))
    yield* acquireBridgeLock(storeDir).pipe(Effect.mapError(startError))
  })

const storeLayer = (storeDir: string) => StoreBinding.layer(storeDir).pipe(Layer.mapError(startError))

/** The store, with its event sink recording first when asked to (the tap lives as long as the bridge). */
const recordedStore = (
  store: ReturnType<typeof storeLayer>,
  tap: RecordingTap.RecordingTapShape | undefined,
) => (tap === undefined ? store : Layer.merge(store, RecordingTap.sinkLayer(tap).pipe(Layer.provide(store))))

const openTap = (record: RecordingTap.RecordOptions | undefined) =>
  record === undefined
    ? Effect.succeed(undefined)
    : RecordingTap.open(record).pipe(Effect.provide(NodeContext.layer), Effect.mapError(startError))

type RunningBridge = BridgeHttpServer | WhatsAppConnection.WhatsAppConnection | StoreAccess

/** The live bridge as a Layer: store locked and opened, socket supervised, API served. */
export const liveBridge = (options: RunBridgeOptions): Layer.Layer<RunningBridge, BridgeStartError> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const storeDir = resolve(options.storeDir)
      const pairPhone = options.pairPhone === undefined ? undefined : yield* parsePairPhone(options.pairPhone)
      yield* prepareStore(storeDir)
      const tap = yield* openTap(options.record)
      const store = recordedStore(storeLayer(storeDir), tap)
      return assemble({
        storeDir,
        mode: "live",
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.fileRoots === undefined ? {} : { fileRoots: options.fileRoots }),
        ...(options.protectedFiles === undefined ? {} : { protectedFiles: options.protectedFiles }),
        ...(options.maxMediaBytes === undefined ? {} : { maxMediaBytes: options.maxMediaBytes }),
        connection: pairPhone === undefined ? {} : { pairPhone },
      }).pipe(
        Layer.provideMerge(
          Layer.mergeAll(
            LiveSocketFactory.layer.pipe(Layer.provide(store)),
            WaWebVersion.live.pipe(Layer.provide(store)),
            LastHeard.storedInStore.pipe(Layer.provide(store)),
            store,
          ),
        ),
        Layer.provide(MediaCdn.live()),
      )
    }),
  )

/** Runs until interrupted (Ctrl-C), or until the connection ends for good. */
export const runBridge = (
  options: RunBridgeOptions,
): Effect.Effect<never, BridgeStartError | BridgeStopped> =>
  Effect.gen(function* () {
    yield* announce("live", resolve(options.storeDir))
    const connection = yield* WhatsAppConnection.WhatsAppConnection
    const final = yield* connection.stopped
    return yield* new BridgeStopped({
      message: final.detail ?? `The WhatsApp connection stopped (${final.connection}).`,
    })
  }).pipe(Effect.provide(liveBridge(options)), Effect.provide(logToStderr))

/**
 * The replay bridge as a Layer: the recorded streams ingested first, then the API served over a
 * simulated socket, with a stand-in media CDN serving what the socket "uploaded" and `mediaRoots`.
 */
export const replayBridge = (options: ReplayBridgeOptions): Layer.Layer<RunningBridge, BridgeStartError> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const storeDir = resolve(options.storeDir)
      yield* prepareStore(storeDir)
      const write = (line: string) => void process.stderr.write(`${line}\n`)
      // What was loaded, not how fast: ingestion figures are `bridge ingest`'s business.
      const loaded = yield* ingestCommand({
        files: options.files,
        storeDirectory: storeDir,
        out: () => {},
        err: write,
      }).pipe(Effect.mapError(startError))
      write(
        `Loaded the recording: ${loaded.storedMessages} messages in ${loaded.chats} chats, ${loaded.contacts} contacts.`,
      )
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
          }),
        ),
      ).pipe(Layer.provide(store))
      const cdn = ReplayMediaCdn.layer([
        uploadDir,
        ...(options.mediaRoots ?? []).map((root) => resolve(root)),
      ])
      return assemble({
        storeDir,
        mode: "replay",
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.fileRoots === undefined ? {} : { fileRoots: options.fileRoots }),
        ...(options.protectedFiles === undefined ? {} : { protectedFiles: options.protectedFiles }),
        ...(options.sendsPerMinute === undefined ? {} : { sendsPerMinute: options.sendsPerMinute }),
        ...(options.maxMediaBytes === undefined ? {} : { maxMediaBytes: options.maxMediaBytes }),
        session: SessionStore.inMemory({ id: ownJid, name: recorded?.name ?? "Replay" }),
        // A simulated socket sends no frames: nothing to watch.
        connection: { silenceTimeout: Duration.infinity },
      }).pipe(Layer.provideMerge(Layer.mergeAll(socket, store)), Layer.provide(cdn))
    }),
  )

/** Ingests the recorded streams, then serves the API over a simulated socket until interrupted. */
export const runReplayBridge = (options: ReplayBridgeOptions): Effect.Effect<never, BridgeStartError> =>
  Effect.gen(function* () {
    yield* announce("replay", resolve(options.storeDir))
    return yield* Effect.never
  }).pipe(Effect.provide(replayBridge(options)), Effect.provide(logToStderr))

/**
 * Unlinks this device: tells WhatsApp (so it disappears from the phone's Linked devices) when it
 * can connect within `timeout`, and wipes the session either way.
 */
export const logout = (
  storeDir: string,
  options: { readonly timeout?: Duration.DurationInput } = {},
): Effect.Effect<void, BridgeStartError> =>
  Effect.gen(function* () {
    const dir = resolve(storeDir)
    const say = (line: string) => Effect.sync(() => void process.stderr.write(`${line}\n`))
    yield* prepareStore(dir)
    const registered = yield* Effect.scoped(
      Effect.flatMap(SessionStore.make(dir), (session) => session.isRegistered),
    ).pipe(Effect.orElseSucceed(() => false))
    if (!registered) {
      yield* Effect.scoped(Effect.flatMap(SessionStore.make(dir), (session) => session.wipe)).pipe(
        Effect.ignore,
      )
      return yield* say(`The store ${dir} is not linked to WhatsApp: nothing to unlink.`)
    }
    const store = storeLayer(dir)
    const session = SessionStore.layer(dir)
    const connection = WhatsAppConnection.layer({}).pipe(
      Layer.provide(
        Layer.mergeAll(
          session,
          OperatorConsole.layer(dir),
          store,
          LiveSocketFactory.layer.pipe(Layer.provide(store)),
          WaWebVersion.live.pipe(Layer.provide(store)),
          LastHeard.storedInStore.pipe(Layer.provide(store)),
        ),
      ),
    )
    yield* Effect.gen(function* () {
      const live = yield* WhatsAppConnection.WhatsAppConnection
      const opened = yield* live.changes.pipe(
        Stream.filter((s) => s.connection === "open"),
        Stream.runHead,
        Effect.timeout(options.timeout ?? Duration.seconds(30)),
        Effect.option,
      )
      if (Option.isSome(opened) && Option.isSome(opened.value)) {
        yield* live.logout.pipe(Effect.ignore)
        yield* say("Unlinked from WhatsApp; the session was wiped. Run `pnpm bridge` to link again.")
        return
      }
      const wipe = yield* SessionStore.SessionStore
      yield* wipe.wipe.pipe(Effect.ignore)
      yield* say(
        "Could not reach WhatsApp, so the phone was not told. The local session was wiped; on your phone, " +
          "open WhatsApp → Settings → Linked devices, tap this device and choose Log out.",
      )
    }).pipe(Effect.provide(Layer.merge(connection, session)))
  }).pipe(Effect.scoped, Effect.provide(logToStderr))
