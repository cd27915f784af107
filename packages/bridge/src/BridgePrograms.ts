/**
 * The commands that run the bridge or touch its session, one function each: `runBridge` (live),
 * `runReplayBridge` and `logout`. bin/bridge.ts turns the command line into one of them; `ingest`
 * and `anonymize` live with their own code so that they load none of this.
 */
import { join, resolve } from "node:path"
import * as Commands from "@whatsapp-mcp/core/commands"
import { SessionFileName } from "@whatsapp-mcp/core/store"
import { Data, Duration, Effect, Either, Layer, Logger, Option, Stream } from "effect"
import {
  announce,
  type BridgeStartError,
  liveBridge,
  prepareStore,
  type ReplayBridgeOptions,
  type RunBridgeOptions,
  replayBridge,
  storeLayer,
} from "./BridgeDaemon.js"
import * as LiveWhatsApp from "./LiveWhatsApp.js"
import * as OperatorConsole from "./pairing/OperatorConsole.js"
import * as SessionStore from "./session/SessionStore.js"
import * as WhatsAppConnection from "./socket/WhatsAppConnection.js"

/** The connection ended for good (logged out, replaced, refused); `message` says what to do. */
export class BridgeStopped extends Data.TaggedError("BridgeStopped")<{ readonly message: string }> {}

/** `bridge logout` could not do all it says: `message` says what was done and what is left to do by hand. */
export class LogoutIncomplete extends Data.TaggedError("LogoutIncomplete")<{ readonly message: string }> {}

/** The bridge's own log lines go to stderr, like Baileys' (stdout stays free for a caller's use). */
const logToStderr = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

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

/** Ingests the recorded streams, then serves the API over a simulated socket until interrupted. */
export const runReplayBridge = (options: ReplayBridgeOptions): Effect.Effect<never, BridgeStartError> =>
  Effect.gen(function* () {
    yield* announce("replay", resolve(options.storeDir))
    return yield* Effect.never
  }).pipe(Effect.provide(replayBridge(options)), Effect.provide(logToStderr))

/** The innermost cause's message: the one that says what went wrong (SQLite's, the socket's). */
const innermost = (error: unknown): string => {
  let current = error
  while (current instanceof Error && current.cause !== undefined) current = current.cause
  return current instanceof Error ? current.message : String(current)
}

/** What WhatsApp made of the logout. */
type AtWhatsApp =
  | { readonly _tag: "Unlinked" }
  | { readonly _tag: "Refused"; readonly reason: string }
  | { readonly _tag: "Unreachable" }

const unlinked: AtWhatsApp = { _tag: "Unlinked" }
const unreachable: AtWhatsApp = { _tag: "Unreachable" }
const refused = (reason: string): AtWhatsApp => ({ _tag: "Refused", reason })

const unlinkOnThePhone =
  "on your phone, open WhatsApp → Settings → Linked devices, tap this device and choose Log out"

/** Deletes the session's creds and keys; `Left` says why it could not. */
const wipeSession = (dir: string) =>
  Effect.scoped(Effect.flatMap(SessionStore.make(dir), (session) => session.wipe)).pipe(
    Effect.mapError((error) => `${error.message}: ${innermost(error.cause)}`),
    Effect.either,
  )

const wipeFailed = (dir: string, reason: string) => {
  const file = join(dir, SessionFileName)
  return (
    `The session was not wiped (${reason}). With no bridge running on ${dir}, delete ${file} ` +
    `and the ${SessionFileName}-wal and ${SessionFileName}-shm files beside it by hand.`
  )
}

/**
 * Asks WhatsApp to unlink this device, once connected within `timeout`. The supervisor's own
 * notices are silenced once the logout is sent: they would announce a wiped session before this
 * program knows whether the wipe worked.
 */
const unlinkAtWhatsApp = (dir: string, timeout: Duration.Duration) => {
  let reporting = true
  const operator = OperatorConsole.make(dir)
  const quietOnLogout = Layer.succeed(OperatorConsole.OperatorConsole, {
    ...operator,
    notice: (message) => Effect.suspend(() => (reporting ? operator.notice(message) : Effect.void)),
  })
  const store = storeLayer(dir)
  const connection = WhatsAppConnection.layer({}).pipe(
    Layer.provide(
      Layer.mergeAll(
        SessionStore.layer(dir),
        quietOnLogout,
        store,
        LiveWhatsApp.layer.pipe(Layer.provide(store)),
      ),
    ),
  )
  return Effect.gen(function* () {
    const live = yield* WhatsAppConnection.WhatsAppConnection
    const opened = yield* live.changes.pipe(
      Stream.filter((s) => s.connection === "open"),
      Stream.runHead,
      Effect.timeout(timeout),
      Effect.option,
    )
    if (Option.isNone(Option.flatten(opened))) return unreachable
    const socket = yield* Effect.either(live.current)
    if (Either.isLeft(socket)) return unreachable
    reporting = false
    const sent = yield* Effect.tryPromise({ try: () => socket.right.logout(), catch: innermost }).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => `no answer within ${Duration.format(timeout)}`,
      }),
      Effect.either,
    )
    if (Either.isLeft(sent)) return refused(sent.left)
    // The socket closes with 401 and the supervisor stops; the session is wiped after it, so that
    // nothing it saves on the way out can bring the keys back.
    yield* live.stopped.pipe(Effect.timeout(timeout), Effect.ignore)
    return unlinked
  }).pipe(Effect.provide(connection))
}

/**
 * Unlinks this device: tells WhatsApp (so it disappears from the phone's Linked devices) when it
 * can connect within `timeout`, and wipes the session either way. Fails with `LogoutIncomplete`,
 * saying what was done and what is left to do by hand, unless both happened.
 */
export const logout = (
  storeDir: string,
  options: { readonly timeout?: Duration.DurationInput } = {},
): Effect.Effect<void, BridgeStartError | LogoutIncomplete> =>
  Effect.gen(function* () {
    const dir = resolve(storeDir)
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(30))
    const say = (line: string) => Effect.sync(() => void process.stderr.write(`${line}\n`))
    yield* prepareStore(dir)
    const registered = yield* Effect.scoped(
      Effect.flatMap(SessionStore.make(dir), (session) => session.isRegistered),
    ).pipe(Effect.orElseSucceed(() => false))
    if (!registered) {
      // What a pairing that never finished left behind goes too, so the next start pairs afresh.
      const wiped = yield* wipeSession(dir)
      if (Either.isLeft(wiped))
        return yield* new LogoutIncomplete({
          message: `The store ${dir} is not linked to WhatsApp. ${wipeFailed(dir, wiped.left)}`,
        })
      return yield* say(`The store ${dir} is not linked to WhatsApp: nothing to unlink.`)
    }
    const atWhatsApp = yield* Effect.scoped(unlinkAtWhatsApp(dir, timeout))
    const wiped = yield* wipeSession(dir)
    if (atWhatsApp._tag === "Unlinked" && Either.isRight(wiped))
      return yield* say(
        `Unlinked from WhatsApp; the session was wiped. Run \`${Commands.current.bridge}\` to link again.`,
      )
    const phone =
      atWhatsApp._tag === "Unlinked"
        ? "Unlinked from WhatsApp: the phone no longer lists this device."
        : atWhatsApp._tag === "Refused"
          ? `WhatsApp did not take the logout (${atWhatsApp.reason}), so the phone still lists this device: ${unlinkOnThePhone}.`
          : `Could not reach WhatsApp within ${Duration.format(timeout)}, so the phone was not told: ${unlinkOnThePhone}.`
    const session = Either.isRight(wiped)
      ? `The session was wiped: run \`${Commands.current.bridge}\` to link again.`
      : wipeFailed(dir, wiped.left)
    return yield* new LogoutIncomplete({ message: `${phone}\n${session}` })
  }).pipe(Effect.scoped, Effect.provide(logToStderr))
