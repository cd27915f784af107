/**
 * The WhatsApp connection: one supervisor fiber that makes sockets, re-attaches handlers to each,
 * decides what every disconnect means, recycles a socket that went silent, and feeds events to the
 * store through one queue. The rest of the bridge reaches the *current* socket through `current`,
 * so a reconnect never leaves anyone holding a dead socket.
 */

import { BridgeError, type ConnectionState, type Health, type PairingState } from "@whatsapp-mcp/core/api"
import * as Commands from "@whatsapp-mcp/core/commands"
import { type BaileysEventMap, proto } from "@whiskeysockets/baileys"
import {
  Cause,
  Clock,
  Context,
  Duration,
  Effect,
  Either,
  Fiber,
  Layer,
  Option,
  Queue,
  Ref,
  Runtime,
  Schedule,
  type Stream,
  SubscriptionRef,
} from "effect"
import { OperatorConsole } from "../pairing/OperatorConsole.js"
import type { BaileysEvent } from "../recording/BaileysEvent.js"
import { SessionStore } from "../session/SessionStore.js"
import { type BridgeSocket, SocketFactory } from "./BridgeSocket.js"
import {
  type BackoffOptions,
  describeDisconnect,
  disconnectAction,
  disconnectCode,
  reconnectBackoff,
  silenceWatchdog,
} from "./DisconnectPolicy.js"
import { EventSink } from "./EventSink.js"
import { LastHeard } from "./LastHeard.js"
import { formatWaVersion, type VersionInUse, WaWebVersion } from "./WaWebVersion.js"

export interface ConnectionStatus {
  readonly connection: ConnectionState
  readonly detail: string | null
  readonly pairing: PairingState
  readonly qr: string | null
  readonly pairingCode: string | null
  readonly ownJid: string | null
  readonly lastDisconnect: {
    readonly code: number | null
    readonly reason: string
    readonly at: number
  } | null
  /** Sockets made after the first one. */
  readonly reconnects: number
  readonly historySync: Health["history_sync"]
  /** The WhatsApp Web version the current (or last) socket announced; null: Baileys' built-in. */
  readonly waWebVersion: VersionInUse | null
  /** Set while connected when nothing has come from WhatsApp for days: the link may soon expire. */
  readonly linkWarning: string | null
}

export interface ConnectionOptions {
  /** Link with a pairing code sent to this number (digits with country code) instead of a QR code. */
  readonly pairPhone?: string
  readonly backoff?: BackoffOptions
  /** A socket that received nothing (not even a pong) for this long is recycled. */
  readonly silenceTimeout?: Duration.DurationInput
  readonly watchdogInterval?: Duration.DurationInput
  /** A connection that stayed open this long resets the backoff. */
  readonly stableAfter?: Duration.DurationInput
  /** 515 restarts made at once since the last stable connection; later ones back off too. */
  readonly maxImmediateRestarts?: number
  /**
   * Connected but no message, receipt or update for this long: the phone is probably offline, and
   * WhatsApp unlinks a device whose phone stays away (about 14 days). Default 7 days.
   */
  readonly linkQuietAfter?: Duration.DurationInput
  /** How often that quiet is checked. Default 1 hour. */
  readonly linkCheckInterval?: Duration.DurationInput
}

export interface WhatsAppConnectionShape {
  readonly status: Effect.Effect<ConnectionStatus>
  readonly changes: Stream.Stream<ConnectionStatus>
  /** The open socket, or `whatsapp_not_connected` saying why there is none and what to do. */
  readonly current: Effect.Effect<BridgeSocket, BridgeError>
  /** Asks for a fresh socket; concurrent requests share one reconnect. */
  readonly recycle: (reason: string) => Effect.Effect<void>
  /** Resolves when the supervisor has stopped for good (440, 403, 411, 401). */
  readonly stopped: Effect.Effect<ConnectionStatus>
}

export class WhatsAppConnection extends Context.Tag("@whatsapp-mcp/bridge/WhatsAppConnection")<
  WhatsAppConnection,
  WhatsAppConnectionShape
>() {}

type Signal =
  | { readonly _tag: "Update"; readonly update: BaileysEventMap["connection.update"] }
  | { readonly _tag: "Silent" }
  | { readonly _tag: "Recycle"; readonly reason: string }

type Ended = { readonly code: number | null; readonly reason: string; readonly wasOpenFor: number | null }

export const initialStatus: ConnectionStatus = {
  connection: "connecting",
  detail: null,
  pairing: "unpaired",
  qr: null,
  pairingCode: null,
  ownJid: null,
  lastDisconnect: null,
  reconnects: 0,
  historySync: { active: false, chunks: 0, messages: 0, progress: null },
  waWebVersion: null,
  linkWarning: null,
}

const notConnectedMessage = (status: ConnectionStatus): string => {
  switch (status.connection) {
    case "outdated":
      return (
        status.detail ??
        "WhatsApp refuses this bridge's client version: update whatsapp-mcp, then restart the bridge."
      )
    case "logged_out":
      return `WhatsApp is not linked (this device was logged out): restart the bridge with \`${Commands.current.bridge}\` and pair again.`
    case "replaced":
    case "failed":
      return status.detail ?? "The WhatsApp connection stopped: see the bridge's log, then restart it."
    case "stopped":
      return "The bridge is shutting down."
    default:
      if (status.pairing !== "paired") {
        return `WhatsApp is not linked yet: scan the QR code the bridge shows (or use \`${Commands.current.bridge} --pair-phone DIGITS\`).`
      }
      return "WhatsApp is reconnecting; try again in a few seconds."
  }
}

const toEvents = (map: Partial<BaileysEventMap>): Array<BaileysEvent> =>
  Object.entries(map).map(([event, data]) => ({ event, data }) as BaileysEvent)

/** Events that show the account is alive on WhatsApp's side (the phone, or the people writing). */
const signsOfLife = [
  "messages.upsert",
  "messages.update",
  "message-receipt.update",
  "messaging-history.set",
] as const

/** Events the store does not keep: the connection handles them itself. */
const notForStore = new Set<string>(["connection.update", "creds.update"])

/**
 * Who the linked account is, from a creds update, as the one event the store keeps of it (its
 * JIDs and name: the store names the user's own messages, reactions and note-to-self chat with
 * them). Nothing else of the creds, which hold the session's keys, ever reaches the store.
 */
const accountEvent = (creds: BaileysEventMap["creds.update"] | undefined): Array<BaileysEvent> =>
  creds?.me ? [{ event: "creds.update", data: { me: creds.me } } as BaileysEvent] : []

export const make = (options: ConnectionOptions = {}) =>
  Effect.gen(function* () {
    const factory = yield* SocketFactory
    const session = yield* SessionStore
    const sink = yield* EventSink
    const operator = yield* OperatorConsole
    // Optional: the replay bridge and tests that do not care announce Baileys' built-in version.
    const versions = yield* Effect.serviceOption(WaWebVersion)
    // Optional too: without it the link's quiet period counts from this start.
    const lastHeard = yield* Effect.serviceOption(LastHeard)
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)

    const silenceTimeout = options.silenceTimeout ?? Duration.seconds(90)
    const watchdogInterval = options.watchdogInterval ?? Duration.seconds(15)
    const stableAfter = Duration.toMillis(options.stableAfter ?? Duration.seconds(60))
    const maxImmediateRestarts = options.maxImmediateRestarts ?? 3
    const linkQuietAfter = Duration.toMillis(options.linkQuietAfter ?? Duration.days(7))
    const linkCheckInterval = options.linkCheckInterval ?? Duration.hours(1)
    // Counted by the socket handlers (which cannot run effects), read by the link check.
    let heard = 0

    const registered = yield* session.isRegistered.pipe(Effect.orElseSucceed(() => false))
    const status = yield* SubscriptionRef.make<ConnectionStatus>({
      ...initialStatus,
      pairing: registered ? "paired" : "unpaired",
    })
    const update = (f: (s: ConnectionStatus) => ConnectionStatus) => SubscriptionRef.update(status, f)
    const currentSocket = yield* Ref.make<Option.Option<BridgeSocket>>(Option.none())
    const currentSignals = yield* Ref.make<Option.Option<Queue.Queue<Signal>>>(Option.none())

    // The one queue between WhatsApp and the store. Baileys does not await its handlers, so they
    // only append here; one consumer stores the batches in the order WhatsApp sent them, across
    // reconnects, and the sink is never called twice at once.
    const ingestQueue = yield* Queue.unbounded<ReadonlyArray<BaileysEvent>>()
    const store = (batch: ReadonlyArray<BaileysEvent>) =>
      sink
        .ingest(batch)
        .pipe(
          Effect.catchAllCause((cause) =>
            Effect.logError("Storing a batch of WhatsApp events failed", Cause.pretty(cause)),
          ),
        )
    // Finalizers run last to first: by the time these two run, the supervisor (forked below) has
    // ended the socket and detached its handlers, so nothing is appended any more. The consumer
    // finishes the batch it is storing, then what is still queued is stored: a batch WhatsApp
    // delivered before shutdown is not dropped.
    yield* Effect.addFinalizer(() =>
      Queue.takeAll(ingestQueue).pipe(
        Effect.flatMap((batches) => Effect.forEach(batches, store, { discard: true })),
      ),
    )
    yield* Queue.take(ingestQueue).pipe(
      Effect.flatMap((batch) => Effect.uninterruptible(store(batch))),
      Effect.forever,
      Effect.forkScoped,
    )

    const onHistory = (data: BaileysEventMap["messaging-history.set"]) =>
      Effect.gen(function* () {
        // An answer to a request for older history is not part of the sync after linking.
        if (data.syncType === proto.HistorySync.HistorySyncType.ON_DEMAND) return
        const next = yield* SubscriptionRef.updateAndGet(status, (s) => {
          const progress = typeof data.progress === "number" ? data.progress : s.historySync.progress
          const done = data.isLatest === true || progress === 100
          return {
            ...s,
            historySync: {
              active: !done,
              chunks: s.historySync.chunks + 1,
              messages: s.historySync.messages + data.messages.length,
              progress,
            },
          }
        })
        yield* operator.historyProgress({
          chunks: next.historySync.chunks,
          messages: next.historySync.messages,
          progress: next.historySync.progress,
          done: !next.historySync.active,
        })
      })

    /** Runs one socket until it ends; returns how it ended. */
    const runSocket = Effect.gen(function* () {
      const auth = yield* session.authState.pipe(Effect.orDie)
      const version = Option.isSome(versions) ? yield* versions.value.forSocket : null
      if (version !== null) yield* update((s) => ({ ...s, waWebVersion: version }))
      const socket = yield* factory.make(auth, version?.version)
      const signals = yield* Queue.unbounded<Signal>()
      yield* Ref.set(currentSignals, Option.some(signals))
      // Counted by the socket's callback, compared by the watchdog at each look.
      let activity = 0
      socket.onActivity(() => {
        activity++
      })
      const detach = socket.ev.process((events) => {
        const connection = events["connection.update"]
        if (connection !== undefined) Queue.unsafeOffer(signals, { _tag: "Update", update: connection })
        if (events["creds.update"] !== undefined) {
          runFork(
            session.saveCreds.pipe(
              Effect.catchAll((error) =>
                Effect.logError("Saving the WhatsApp session failed", error.message),
              ),
            ),
          )
        }
        if (signsOfLife.some((name) => events[name] !== undefined)) heard++
        const history = events["messaging-history.set"]
        if (history !== undefined) runFork(onHistory(history))
        // The account first: the batch's own messages are then stored as the account's.
        const batch = [
          ...accountEvent(events["creds.update"]),
          ...toEvents(events).filter((e) => !notForStore.has(e.event)),
        ]
        if (batch.length > 0) Queue.unsafeOffer(ingestQueue, batch)
      })

      const openedAt = yield* Ref.make<number | null>(null)
      let seen = activity
      // Whether the socket did anything since the last look; silence counts only once it is open.
      const look = Effect.map(Ref.get(openedAt), (opened) => {
        if (opened === null) return true
        const active = activity !== seen
        seen = activity
        return active
      })
      const watchdog = yield* look.pipe(
        Effect.repeat(silenceWatchdog(watchdogInterval, silenceTimeout)),
        Effect.zipRight(Queue.offer(signals, { _tag: "Silent" })),
        Effect.forkScoped,
      )

      let pairingCodeRequested = false
      /** What a signal means for this socket: how it ended, or nothing while it goes on. */
      const handle = (signal: Signal, now: number): Effect.Effect<Ended | undefined> =>
        Effect.gen(function* () {
          const opened = yield* Ref.get(openedAt)
          const openFor = opened === null ? null : now - opened
          switch (signal._tag) {
            case "Silent":
              socket.end(new Error("No frames from WhatsApp; recycling the socket"))
              return { code: null, reason: "silent: no frames from WhatsApp", wasOpenFor: openFor }
            case "Recycle":
              socket.end(new Error(signal.reason))
              return { code: null, reason: signal.reason, wasOpenFor: openFor }
            case "Update": {
              const u = signal.update
              if (u.qr !== undefined) {
                if (options.pairPhone !== undefined) {
                  if (!pairingCodeRequested && !(auth.creds.registered ?? false)) {
                    pairingCodeRequested = true
                    const digits = options.pairPhone
                    const code = yield* Effect.tryPromise(() => socket.requestPairingCode(digits)).pipe(
                      Effect.tapError((error) =>
                        operator.notice(`Could not request a pairing code: ${String(error.error)}`),
                      ),
                      Effect.option,
                    )
                    if (Option.isSome(code)) {
                      yield* update((s) => ({
                        ...s,
                        pairing: "awaiting_pairing_code",
                        pairingCode: code.value,
                      }))
                      yield* operator.showPairingCode(code.value)
                    }
                  }
                } else {
                  yield* update((s) => ({ ...s, pairing: "awaiting_qr", qr: u.qr ?? null }))
                  yield* operator.showQr(u.qr)
                }
              }
              if (u.connection === "open") {
                yield* Ref.set(openedAt, now)
                const ownJid = socket.user()?.id ?? null
                const wasPaired = (yield* Ref.get(status)).pairing === "paired"
                yield* update((s) => ({
                  ...s,
                  connection: "open",
                  detail: null,
                  pairing: "paired",
                  qr: null,
                  pairingCode: null,
                  ownJid,
                }))
                yield* Ref.set(currentSocket, Option.some(socket))
                if (!wasPaired) yield* operator.paired(ownJid)
                else yield* operator.notice(`Connected to WhatsApp${ownJid === null ? "" : ` as ${ownJid}`}.`)
              }
              if (u.connection === "close") {
                const error = u.lastDisconnect?.error
                return {
                  code: disconnectCode(error),
                  reason: error?.message ?? "connection closed",
                  wasOpenFor: openFor,
                }
              }
              return undefined
            }
          }
        })

      return yield* Effect.zipWith(Queue.take(signals), Clock.currentTimeMillis, handle).pipe(
        Effect.flatten,
        Effect.repeat({ until: (ended): ended is Ended => ended !== undefined }),
        Effect.ensuring(
          Effect.gen(function* () {
            detach()
            yield* Ref.set(currentSocket, Option.none())
            yield* Ref.set(currentSignals, Option.none())
            yield* Fiber.interrupt(watchdog)
          }),
        ),
        Effect.onInterrupt(() => Effect.sync(() => socket.end(undefined))),
      )
    })

    /** Says why the connection closed and how long until the next socket. */
    const announceRetry = (ended: Ended, delay: Duration.Duration) =>
      Effect.gen(function* () {
        const why = describeDisconnect(ended.code, ended.reason)
        const seconds = Math.ceil(Duration.toMillis(delay) / 1000)
        yield* update((s) => ({
          ...s,
          connection: "reconnecting",
          detail: `${why}; reconnecting in ${seconds} s.`,
        }))
        yield* operator.notice(`${why}. Retrying in ${seconds} s.`)
      })

    const supervise = Effect.gen(function* () {
      // How long to wait before each new socket. Each schedule counts what it allowed since the
      // last stable connection, which resets all three.
      const backoff = yield* Schedule.driver(
        Schedule.intersect(reconnectBackoff(options.backoff), Schedule.identity<Ended>()).pipe(
          Schedule.tapOutput(([delay, ended]) => announceRetry(ended, delay)),
        ),
      )
      // 515 asks for a new socket at once (normal right after linking), but only so many times.
      const immediateRestarts = yield* Schedule.driver(Schedule.recurs(maxImmediateRestarts))
      // One refresh-and-retry per 405 until a connection proves stable: a 405 storm then stops.
      const outdatedRetry = yield* Schedule.driver(Schedule.once)
      const allowed = <In>(driver: Schedule.ScheduleDriver<unknown, In>, input: In) =>
        Effect.isSuccess(driver.next(input))

      /** One socket from start to end, then what its end means; true when another socket follows. */
      const connectOnce = Effect.gen(function* () {
        const first = (yield* SubscriptionRef.get(status)).lastDisconnect === null
        if (!first) yield* update((s) => ({ ...s, reconnects: s.reconnects + 1 }))
        yield* update((s) => ({ ...s, connection: first ? "connecting" : "reconnecting" }))
        yield* operator.notice(first ? "Connecting to WhatsApp…" : "Reconnecting to WhatsApp…")
        const ended = yield* Effect.scoped(runSocket)
        const at = yield* Clock.currentTimeMillis
        // A QR code belongs to the socket that showed it: after a close there is none to scan.
        yield* update((s) => ({
          ...s,
          ...(s.pairing === "awaiting_qr" ? { pairing: "unpaired" as const, qr: null } : {}),
          lastDisconnect: { code: ended.code, reason: ended.reason, at: Math.floor(at / 1000) },
        }))
        if (ended.wasOpenFor !== null && ended.wasOpenFor >= stableAfter) {
          yield* Effect.all([backoff.reset, immediateRestarts.reset, outdatedRetry.reset], { discard: true })
        }
        const action = disconnectAction(ended.code)
        switch (action._tag) {
          case "Stop":
            yield* update((s) => ({ ...s, connection: action.state, detail: action.detail }))
            yield* operator.notice(action.detail)
            return false
          case "LoggedOut": {
            const wiped = yield* Effect.either(session.wipe)
            const unlinked =
              "This device was unlinked from WhatsApp (code 401: removed on the phone, or the link expired while the phone was offline)"
            // the keys WhatsApp no longer honours stay on disk if the wipe failed: say so, never "wiped"
            const detail = Either.isRight(wiped)
              ? `${unlinked}; the session was wiped. Run \`${Commands.current.bridge}\` again to pair.`
              : `${unlinked}, but the session could not be wiped (${wiped.left.message}): stop the bridge, delete that file and the -wal and -shm files beside it by hand, then run \`${Commands.current.bridge}\` again to pair.`
            yield* update((s) => ({
              ...s,
              connection: "logged_out",
              pairing: "unpaired",
              ownJid: null,
              detail,
            }))
            yield* operator.notice(detail)
            return false
          }
          case "Outdated": {
            const announced = (yield* SubscriptionRef.get(status)).waWebVersion
            const was = announced === null ? "Baileys' built-in version" : formatWaVersion(announced.version)
            if (Option.isSome(versions) && (yield* allowed(outdatedRetry, ended))) {
              const fresh = yield* versions.value.refresh
              yield* operator.notice(
                `WhatsApp refused the client version ${was} as outdated (code 405); retrying once with ${formatWaVersion(fresh.version)} (${fresh.source === "whatsapp" ? "just looked up" : `the ${fresh.source} one: the lookup failed`}).`,
              )
              return true
            }
            const detail =
              `WhatsApp refuses this bridge's WhatsApp Web version ${was} as outdated (code 405)` +
              (Option.isSome(versions) ? ", also after looking up the current one" : "") +
              ". Update whatsapp-mcp to its newest release (or its Baileys dependency), then restart the bridge."
            yield* update((s) => ({ ...s, connection: "outdated", detail }))
            yield* operator.notice(detail)
            return false
          }
          case "RestartNow":
            if (yield* allowed(immediateRestarts, ended)) {
              yield* operator.notice(
                "WhatsApp asked for a restart of the connection (normal right after linking).",
              )
              return true
            }
            break
          case "Reconnect":
            break
        }
        // Announces the wait, then waits; the backoff never runs out, so this never fails.
        yield* backoff.next(ended).pipe(Effect.orDie)
        return true
      })

      yield* connectOnce.pipe(Effect.repeat({ while: (again) => again }))
    })

    // The link check: quiet is measured from the last sign of life, kept in the store so that a
    // restart does not reset it; with nothing kept, from this start. A time ahead of the clock (the
    // clock was set back) counts as now.
    let seenHeard = heard
    const startedAt = yield* Clock.currentTimeMillis
    const stored = Option.isSome(lastHeard) ? yield* lastHeard.value.get : Option.none<number>()
    let quietSince = Math.min(
      Option.getOrElse(stored, () => startedAt),
      startedAt,
    )
    yield* Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (heard !== seenHeard) {
        seenHeard = heard
        quietSince = now
        // Written at most once a check, not per event.
        if (Option.isSome(lastHeard)) yield* lastHeard.value.put(now)
      }
      const current = yield* SubscriptionRef.get(status)
      const quietFor = now - quietSince
      const warning =
        current.connection === "open" && quietFor >= linkQuietAfter
          ? `nothing from WhatsApp for ${Math.floor(quietFor / 86_400_000)} days while connected: the phone may be offline, and WhatsApp unlinks a device whose phone stays offline for about 14 days. Open WhatsApp on the phone with a network connection to keep this link`
          : null
      if (warning === current.linkWarning) return
      yield* update((s) => ({ ...s, linkWarning: warning }))
      if (warning !== null && current.linkWarning === null) {
        yield* operator.notice(`The WhatsApp link may expire soon: ${warning}.`)
        yield* Effect.logWarning(`The WhatsApp link may expire soon: ${warning}.`)
      } else if (warning === null && current.linkWarning !== null) {
        yield* operator.notice("WhatsApp is active again; the link is no longer at risk.")
      }
    }).pipe(Effect.repeat(Schedule.spaced(linkCheckInterval)), Effect.forkScoped)

    const stoppedLatch = yield* Effect.makeLatch(false)
    yield* supervise.pipe(
      Effect.catchAllCause((cause) =>
        Effect.logError("The WhatsApp connection supervisor failed", Cause.pretty(cause)).pipe(
          Effect.zipRight(
            update((s) => ({
              ...s,
              connection: "failed",
              detail: "The WhatsApp connection failed unexpectedly: see the bridge's log, then restart it.",
            })),
          ),
        ),
      ),
      Effect.ensuring(stoppedLatch.open),
      Effect.forkScoped,
    )
    yield* Effect.addFinalizer(() => update((s) => ({ ...s, connection: "stopped" })))

    const offerSignal = (signal: Signal) =>
      Ref.get(currentSignals).pipe(
        Effect.flatMap(
          Option.match({ onNone: () => Effect.void, onSome: (q) => Effect.asVoid(Queue.offer(q, signal)) }),
        ),
        Effect.asVoid,
      )

    return WhatsAppConnection.of({
      status: SubscriptionRef.get(status),
      changes: status.changes,
      current: Effect.gen(function* () {
        const socket = yield* Ref.get(currentSocket)
        if (Option.isSome(socket)) return socket.value
        const s = yield* SubscriptionRef.get(status)
        return yield* new BridgeError({ code: "whatsapp_not_connected", message: notConnectedMessage(s) })
      }),
      recycle: (reason) => offerSignal({ _tag: "Recycle", reason }),
      stopped: stoppedLatch.await.pipe(Effect.zipRight(SubscriptionRef.get(status))),
    })
  })

export const layer = (
  options: ConnectionOptions = {},
): Layer.Layer<WhatsAppConnection, never, SocketFactory | SessionStore | EventSink | OperatorConsole> =>
  Layer.scoped(WhatsAppConnection, make(options))
