import { assert, describe, it } from "@effect/vitest"
import { initAuthCreds, makeEventBuffer, proto } from "@whiskeysockets/baileys"
import {
  Chunk,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Random,
  Schedule,
  Scope,
  Stream,
  TestClock,
} from "effect"
import { OperatorConsole } from "../src/pairing/OperatorConsole.js"
import type { BaileysEvent } from "../src/recording/BaileysEvent.js"
import { SessionStore, SessionStoreError } from "../src/session/SessionStore.js"
import { silentBaileysLogger } from "../src/socket/BaileysLogger.js"
import { type BridgeSocket, SocketFactory } from "../src/socket/BridgeSocket.js"
import { disconnectAction, reconnectBackoff, silenceWatchdog } from "../src/socket/DisconnectPolicy.js"
import { EventSink } from "../src/socket/EventSink.js"
import {
  type ConnectionStatus,
  layer as connectionLayer,
  WhatsAppConnection,
} from "../src/socket/WhatsAppConnection.js"

interface FakeSocket extends BridgeSocket {
  readonly ended: Array<string | undefined>
  readonly activity: () => void
  readonly logouts: { count: number }
  readonly pairingRequests: Array<string>
}

const makeFakeSocket = (): FakeSocket => {
  const ev = makeEventBuffer(silentBaileysLogger)
  const listeners: Array<() => void> = []
  const ended: Array<string | undefined> = []
  const logouts = { count: 0 }
  const pairingRequests: Array<string> = []
  const unavailable = () => Promise.reject(new Error("not simulated"))
  return {
    ev,
    user: () => ({ id: "15550001111:3@s.whatsapp.net" }),
    onActivity: (listener) => {
      listeners.push(listener)
    },
    activity: () => {
      for (const l of listeners) l()
    },
    end: (reason) => {
      ended.push(reason?.message)
    },
    logout: async () => {
      logouts.count++
    },
    requestPairingCode: async (digits) => {
      pairingRequests.push(digits)
      return "ABCD1234"
    },
    sendMessage: unavailable,
    onWhatsApp: unavailable,
    readMessages: unavailable,
    updateMediaMessage: unavailable,
    fetchMessageHistory: unavailable,
    ended,
    logouts,
    pairingRequests,
  }
}

const closeWith = (socket: FakeSocket, code: number | null) =>
  socket.ev.emit("connection.update", {
    connection: "close",
    lastDisconnect: {
      error: Object.assign(
        new Error(`closed ${code}`),
        code === null ? {} : { output: { statusCode: code } },
      ),
      date: new Date(),
    },
  })

const open = (socket: FakeSocket) => socket.ev.emit("connection.update", { connection: "open" })

const makeHarness = (
  options: {
    registered?: boolean
    pairPhone?: string
    /** Runs before each batch is kept, as a slow store would. */
    beforeStore?: Effect.Effect<void>
    /** The session's wipe fails, as a read-only or locked session file would make it. */
    wipeFails?: boolean
  } = {},
) => {
  const sockets: Array<FakeSocket> = []
  const batches: Array<ReadonlyArray<BaileysEvent>> = []
  const session = { wipes: 0, saves: 0 }
  const shown = { qr: [] as Array<string>, codes: [] as Array<string>, notices: [] as Array<string> }
  const creds = initAuthCreds()
  const layer = connectionLayer({
    backoff: { baseMillis: 1_000, maxMillis: 8_000 },
    ...(options.pairPhone === undefined ? {} : { pairPhone: options.pairPhone }),
  }).pipe(
    Layer.provide(
      Layer.mergeAll(
        Layer.succeed(SocketFactory, {
          make: () =>
            Effect.sync(() => {
              const socket = makeFakeSocket()
              sockets.push(socket)
              return socket
            }),
        }),
        Layer.succeed(
          SessionStore,
          SessionStore.of({
            authState: Effect.succeed({ creds, keys: { get: async () => ({}), set: async () => {} } }),
            saveCreds: Effect.sync(() => {
              session.saves++
            }),
            isRegistered: Effect.succeed(options.registered ?? true),
            wipe: Effect.sync(() => {
              session.wipes++
            }).pipe(
              Effect.zipRight(
                options.wipeFails === true
                  ? new SessionStoreError({
                      message: "Cannot wipe the WhatsApp session in /store/session.db",
                    })
                  : Effect.void,
              ),
            ),
          }),
        ),
        Layer.succeed(EventSink, {
          ingest: (batch) =>
            (options.beforeStore ?? Effect.void).pipe(
              Effect.zipRight(
                Effect.sync(() => {
                  batches.push(batch)
                }),
              ),
            ),
        }),
        Layer.succeed(OperatorConsole, {
          showQr: (qr) => Effect.sync(() => void shown.qr.push(qr)),
          showPairingCode: (code) => Effect.sync(() => void shown.codes.push(code)),
          paired: () => Effect.void,
          historyProgress: () => Effect.void,
          notice: (message) => Effect.sync(() => void shown.notices.push(message)),
        }),
      ),
    ),
  )
  return { sockets, batches, session, shown, layer }
}

/** Lets the supervisor fiber run until it has made `n` sockets (no clock involved). */
const settle = Effect.repeatN(Effect.yieldNow(), 50)

const socketCount = (sockets: ReadonlyArray<FakeSocket>, n: number) =>
  Effect.gen(function* () {
    yield* settle
    assert.strictEqual(sockets.length, n, `expected ${n} sockets, saw ${sockets.length}`)
    return sockets[n - 1]!
  })

const statusNow = Effect.flatMap(WhatsAppConnection, (c) => c.status)

const awaitStatus = (predicate: (s: ConnectionStatus) => boolean) =>
  Effect.flatMap(WhatsAppConnection, (c) =>
    c.changes.pipe(Stream.filter(predicate), Stream.runHead, Effect.map(Option.getOrThrow)),
  )

/** Opens the first socket, closes it with `code`, and waits for the supervisor to stop for good. */
const openThenClose = (h: { readonly sockets: Array<FakeSocket> }, code: number) =>
  Effect.gen(function* () {
    const connection = yield* WhatsAppConnection
    const first = yield* socketCount(h.sockets, 1)
    open(first)
    closeWith(first, code)
    return yield* connection.stopped
  })

describe("disconnect policy", () => {
  it("maps every disconnect code to what a user expects", () => {
    assert.strictEqual(disconnectAction(515)._tag, "RestartNow")
    for (const code of [408, 428, 500, 503, 999, null])
      assert.strictEqual(disconnectAction(code)._tag, "Reconnect")
    assert.deepInclude(disconnectAction(440), { _tag: "Stop", state: "replaced" })
    assert.deepInclude(disconnectAction(403), { _tag: "Stop", state: "failed" })
    assert.deepInclude(disconnectAction(411), { _tag: "Stop", state: "failed" })
    assert.strictEqual(disconnectAction(401)._tag, "LoggedOut")
    assert.strictEqual(disconnectAction(405)._tag, "Outdated")
  })

  it.effect(
    "waits base·2ⁿ before the n-th reconnect, capped, each wait jittered to between half and all of it",
    () =>
      Effect.gen(function* () {
        const waits = (random: number, count: number) =>
          Schedule.run(
            reconnectBackoff({ baseMillis: 1_000, maxMillis: 60_000 }),
            0,
            Array.from({ length: count }, () => undefined),
          ).pipe(
            Effect.map((delays) => Chunk.toArray(delays).map(Duration.toMillis)),
            Effect.withRandom(Random.fixed([random])),
          )
        assert.deepStrictEqual(
          yield* waits(0, 9),
          [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
        )
        const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]
        const highest = yield* waits(0.999, ceilings.length)
        highest.forEach((wait, n) => {
          assert.isBelow(wait, ceilings[n]!)
          assert.isAtLeast(wait, ceilings[n]! * 0.99)
        })
        // Long after 2ⁿ has outgrown any number, the cap still holds.
        const late = yield* waits(0.5, 1_200)
        assert.strictEqual(late[1_199], 45_000)
        assert.isTrue(late.every((wait) => wait <= 60_000))
      }),
  )

  it.effect(
    "gives a silent socket up after the silence timeout's worth of silent looks in a row, not before",
    () =>
      Effect.gen(function* () {
        // How many looks the watchdog takes before it gives up (all of them if it never does).
        const looks = (silence: Duration.DurationInput, active: ReadonlyArray<boolean>) =>
          Schedule.run(silenceWatchdog("15 seconds", silence), 0, active).pipe(Effect.map(Chunk.size))
        const silent = (n: number) => Array.from({ length: n }, () => false)
        assert.strictEqual(yield* looks("90 seconds", [true, ...silent(10)]), 7)
        // A sign of life starts the count over.
        assert.strictEqual(yield* looks("90 seconds", [true, ...silent(5), true, ...silent(10)]), 13)
        // A timeout between two looks is reached at the look after it.
        assert.strictEqual(yield* looks("100 seconds", [true, ...silent(10)]), 8)
        assert.strictEqual(yield* looks(Duration.infinity, [true, ...silent(1_000)]), 1_001)
      }),
  )
})

describe("WhatsApp connection lifecycle", () => {
  it.scoped("restarts at once on 515 (after pairing) and keeps the current socket fresh", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const connection = yield* WhatsAppConnection
      const first = yield* socketCount(h.sockets, 1)
      const notYet = yield* Effect.either(connection.current)
      assert.isTrue(notYet._tag === "Left" && notYet.left.code === "whatsapp_not_connected")
      open(first)
      yield* settle
      assert.strictEqual(yield* connection.current, first)
      closeWith(first, 515)
      const second = yield* socketCount(h.sockets, 2)
      open(second)
      yield* settle
      assert.strictEqual(yield* connection.current, second)
      const s = yield* statusNow
      assert.strictEqual(s.connection, "open")
      assert.strictEqual(s.reconnects, 1)
      assert.strictEqual(s.lastDisconnect?.code, 515)
    }).pipe(Effect.provide(h.layer))
  })

  for (const code of [408, 428, 500, 503, 999, null]) {
    it.scoped(`reconnects after a backoff on ${code ?? "a close without a code"}, never at once`, () => {
      const h = makeHarness()
      return Effect.gen(function* () {
        const first = yield* socketCount(h.sockets, 1)
        open(first)
        closeWith(first, code)
        yield* socketCount(h.sockets, 1)
        const s = yield* statusNow
        assert.strictEqual(s.connection, "reconnecting")
        const failed = yield* Effect.either(Effect.flatMap(WhatsAppConnection, (c) => c.current))
        assert.isTrue(failed._tag === "Left" && /reconnecting/.test(failed.left.message))
        yield* TestClock.adjust("499 millis")
        yield* socketCount(h.sockets, 1)
        yield* TestClock.adjust("501 millis")
        const second = yield* socketCount(h.sockets, 2)
        open(second)
        yield* settle
        assert.strictEqual((yield* statusNow).connection, "open")
      }).pipe(Effect.provide(h.layer))
    })
  }

  it.scoped("grows the backoff while WhatsApp stays unreachable, capped, without a spin loop", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      let waited = 0
      for (let attempt = 0; attempt < 8; attempt++) {
        const socket = yield* socketCount(h.sockets, attempt + 1)
        closeWith(socket, 408)
        const ceiling = Math.min(8_000, 1_000 * 2 ** attempt)
        // Nothing happens before half the ceiling…
        yield* TestClock.adjust(ceiling / 2 - 1)
        yield* socketCount(h.sockets, attempt + 1)
        // …and the next socket comes by the ceiling.
        yield* TestClock.adjust(ceiling / 2 + 1)
        waited += ceiling
      }
      yield* socketCount(h.sockets, 9)
      assert.strictEqual((yield* statusNow).reconnects, 8)
      // Eight failures took at least half of 1+2+4+8+8+8+8+8 seconds: no spinning.
      assert.isAtLeast(waited, 47_000)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped("tells the terminal each change of state: connecting, why it retries and when, connected", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const first = yield* socketCount(h.sockets, 1)
      assert.deepStrictEqual(h.shown.notices, ["Connecting to WhatsApp…"])
      // What Baileys reports when the machine has no network: a WebSocket error mapped to 408.
      first.ev.emit("connection.update", {
        connection: "close",
        lastDisconnect: {
          error: Object.assign(new Error("WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)"), {
            output: { statusCode: 408 },
          }),
          date: new Date(),
        },
      })
      yield* settle
      const retry = h.shown.notices[1] ?? ""
      assert.match(
        retry,
        /^Cannot reach WhatsApp \(408: WebSocket Error \(getaddrinfo ENOTFOUND web\.whatsapp\.com\)\): check this machine's network connection\. Retrying in 1 s\.$/,
      )
      assert.match(
        (yield* statusNow).detail ?? "",
        /Cannot reach WhatsApp .*network connection; reconnecting in 1 s\./,
      )
      yield* TestClock.adjust("1 second")
      const second = yield* socketCount(h.sockets, 2)
      assert.strictEqual(h.shown.notices[2], "Reconnecting to WhatsApp…")
      open(second)
      yield* settle
      assert.strictEqual(h.shown.notices[3], "Connected to WhatsApp as 15550001111:3@s.whatsapp.net.")
      closeWith(second, 428)
      yield* settle
      assert.match(
        h.shown.notices[4] ?? "",
        /^Disconnected from WhatsApp \(428: closed 428\)\. Retrying in \d+ s\.$/,
      )
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped("forgets a QR code once its socket has closed, so nobody is told to scan a dead one", () => {
    const h = makeHarness({ registered: false })
    return Effect.gen(function* () {
      const first = yield* socketCount(h.sockets, 1)
      first.ev.emit("connection.update", { qr: "2@qr-code" })
      yield* settle
      assert.deepStrictEqual(h.shown.qr, ["2@qr-code"])
      assert.strictEqual((yield* statusNow).pairing, "awaiting_qr")
      closeWith(first, 408)
      yield* settle
      const s = yield* statusNow
      assert.strictEqual(s.pairing, "unpaired")
      assert.isNull(s.qr)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped("backs off even on 515 when it repeats without ever opening", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      for (let i = 1; i <= 4; i++) closeWith(yield* socketCount(h.sockets, i), 515)
      yield* socketCount(h.sockets, 4)
      assert.strictEqual((yield* statusNow).connection, "reconnecting")
      yield* TestClock.adjust("1 second")
      yield* socketCount(h.sockets, 5)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped("stops and reports when another client takes over (440)", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const connection = yield* WhatsAppConnection
      const final = yield* openThenClose(h, 440)
      assert.strictEqual(final.connection, "replaced")
      assert.match(final.detail ?? "", /Another client/)
      yield* TestClock.adjust("1 hour")
      yield* socketCount(h.sockets, 1)
      const error = yield* Effect.flip(connection.current)
      assert.match(error.message, /Another client/)
      assert.isTrue(h.shown.notices.some((n) => n.includes("440")))
    }).pipe(Effect.provide(h.layer))
  })

  for (const code of [403, 411]) {
    it.scoped(`stops and reports on ${code}`, () => {
      const h = makeHarness()
      return Effect.gen(function* () {
        const connection = yield* WhatsAppConnection
        closeWith(yield* socketCount(h.sockets, 1), code)
        const final = yield* connection.stopped
        assert.strictEqual(final.connection, "failed")
        assert.include(final.detail ?? "", String(code))
        yield* TestClock.adjust("1 hour")
        yield* socketCount(h.sockets, 1)
        assert.strictEqual(h.session.wipes, 0)
      }).pipe(Effect.provide(h.layer))
    })
  }

  it.scoped("wipes the session and asks to pair again when logged out (401)", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const connection = yield* WhatsAppConnection
      const final = yield* openThenClose(h, 401)
      assert.strictEqual(final.connection, "logged_out")
      assert.strictEqual(final.pairing, "unpaired")
      assert.strictEqual(h.session.wipes, 1)
      const error = yield* Effect.flip(connection.current)
      assert.match(error.message, /pair again/)
      yield* TestClock.adjust("1 hour")
      yield* socketCount(h.sockets, 1)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped(
    "says the session is still on disk, and which file to delete, when the wipe after a 401 fails",
    () => {
      const h = makeHarness({ wipeFails: true })
      return Effect.gen(function* () {
        const final = yield* openThenClose(h, 401)
        assert.strictEqual(final.connection, "logged_out")
        assert.strictEqual(h.session.wipes, 1)
        const told = [final.detail ?? "", h.shown.notices.at(-1) ?? ""]
        for (const text of told) {
          assert.notMatch(text, /the session was wiped/)
          assert.match(
            text,
            /could not be wiped \(Cannot wipe the WhatsApp session in \/store\/session\.db\)/,
          )
          assert.match(text, /delete that file and the -wal and -shm files beside it by hand/)
        }
      }).pipe(Effect.provide(h.layer))
    },
  )

  it.scoped("recycles a socket that looks open but has gone silent, and keeps a live one", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const first = yield* socketCount(h.sockets, 1)
      open(first)
      // Pongs every 10 s for five minutes: healthy, nothing happens.
      for (let i = 0; i < 30; i++) {
        first.activity()
        yield* TestClock.adjust("10 seconds")
      }
      yield* socketCount(h.sockets, 1)
      assert.deepStrictEqual(first.ended, [])
      // Then silence: within 90 s plus one watchdog tick the socket is ended and replaced.
      yield* TestClock.adjust("105 seconds")
      yield* settle
      assert.strictEqual(first.ended.length, 1)
      yield* TestClock.adjust("1 second")
      const second = yield* socketCount(h.sockets, 2)
      assert.notStrictEqual(second, first)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped("makes one reconnect however many closes and recycle requests arrive at once", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const connection = yield* WhatsAppConnection
      const first = yield* socketCount(h.sockets, 1)
      open(first)
      yield* Effect.all([connection.recycle("a"), connection.recycle("b"), connection.recycle("c")], {
        concurrency: "unbounded",
      })
      closeWith(first, 428)
      closeWith(first, 428)
      yield* TestClock.adjust("10 seconds")
      yield* socketCount(h.sockets, 2)
      assert.strictEqual(first.ended.length, 1)
      assert.strictEqual((yield* statusNow).reconnects, 1)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped(
    "stores an answer to a request for older history without counting it as the sync after linking",
    () => {
      const h = makeHarness()
      return Effect.gen(function* () {
        const socket = yield* socketCount(h.sockets, 1)
        open(socket)
        const chunk = (syncType: proto.HistorySync.HistorySyncType, progress: number | null) => ({
          chats: [],
          contacts: [],
          messages: [],
          syncType,
          progress,
        })
        socket.ev.emit("messaging-history.set", chunk(proto.HistorySync.HistorySyncType.RECENT, 100))
        socket.ev.emit("messaging-history.set", chunk(proto.HistorySync.HistorySyncType.ON_DEMAND, null))
        yield* settle
        const { historySync } = yield* statusNow
        // one chunk of the sync, finished; the answer is stored but leaves the sync as it was
        assert.deepStrictEqual(historySync, { active: false, chunks: 1, messages: 0, progress: 100 })
        assert.strictEqual(h.batches.flat().filter((e) => e.event === "messaging-history.set").length, 2)
      }).pipe(Effect.provide(h.layer))
    },
  )

  it.scoped("tells the store who the account is from a creds update, and nothing else of the creds", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      const socket = yield* socketCount(h.sockets, 1)
      open(socket)
      const me = { id: "12025550100:7@s.whatsapp.net", lid: "100000000101300:7@lid", name: "Sam" }
      socket.ev.emit("creds.update", { me, registered: true, advSecretKey: "secret" })
      yield* settle
      assert.deepStrictEqual(
        h.batches.flat().filter((e) => e.event === "creds.update"),
        [{ event: "creds.update", data: { me } }],
      )
      assert.strictEqual(h.session.saves, 1)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped(
    "delivers events to the store in order across a reconnect and saves creds on every update",
    () => {
      const h = makeHarness()
      return Effect.gen(function* () {
        const first = yield* socketCount(h.sockets, 1)
        open(first)
        first.ev.emit("chats.upsert", [{ id: "1@s.whatsapp.net" }])
        first.ev.emit("creds.update", { registered: true })
        first.ev.emit("contacts.upsert", [{ id: "2@s.whatsapp.net" }])
        closeWith(first, 515)
        const second = yield* socketCount(h.sockets, 2)
        first.ev.emit("chats.upsert", [{ id: "stale@s.whatsapp.net" }])
        second.ev.emit("chats.upsert", [{ id: "3@s.whatsapp.net" }])
        second.ev.emit("creds.update", {})
        yield* settle
        assert.deepStrictEqual(
          h.batches.flat().map((e) => e.event),
          ["chats.upsert", "contacts.upsert", "chats.upsert"],
        )
        assert.strictEqual(h.session.saves, 2)
      }).pipe(Effect.provide(h.layer))
    },
  )

  it.scoped("shows the QR code while unpaired, then reports paired with the own JID", () => {
    const h = makeHarness({ registered: false })
    return Effect.gen(function* () {
      const first = yield* socketCount(h.sockets, 1)
      first.ev.emit("connection.update", { qr: "2@abc,def" })
      yield* settle
      assert.strictEqual((yield* statusNow).pairing, "awaiting_qr")
      assert.deepStrictEqual(h.shown.qr, ["2@abc,def"])
      closeWith(first, 515)
      const second = yield* socketCount(h.sockets, 2)
      open(second)
      const s = yield* awaitStatus((s) => s.connection === "open")
      assert.strictEqual(s.pairing, "paired")
      assert.strictEqual(s.ownJid, "15550001111:3@s.whatsapp.net")
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped("requests a pairing code instead of a QR when given a phone number", () => {
    const h = makeHarness({ registered: false, pairPhone: "15550001111" })
    return Effect.gen(function* () {
      const first = yield* socketCount(h.sockets, 1)
      first.ev.emit("connection.update", { qr: "2@abc,def" })
      first.ev.emit("connection.update", { qr: "2@abc,ghi" })
      yield* settle
      assert.deepStrictEqual(first.pairingRequests, ["15550001111"])
      assert.deepStrictEqual(h.shown.codes, ["ABCD1234"])
      assert.deepStrictEqual(h.shown.qr, [])
      assert.strictEqual((yield* statusNow).pairing, "awaiting_pairing_code")
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped(
    "survives a storm of 300 disconnects with every transient code in random order: one socket per backoff, then open",
    () => {
      const h = makeHarness()
      return Effect.gen(function* () {
        const codes = [408, 428, 500, 503, 515, 999, null]
        let seed = 7
        const next = () => {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
          return seed
        }
        const closes = 300
        for (let i = 1; i <= closes; i++) {
          const socket = yield* socketCount(h.sockets, i)
          if (next() % 3 === 0) open(socket)
          closeWith(socket, codes[next() % codes.length] ?? null)
          // Nothing is made before the backoff allows it, and exactly one socket after it.
          yield* TestClock.adjust("61 seconds")
        }
        const last = yield* socketCount(h.sockets, closes + 1)
        open(last)
        yield* settle
        const s = yield* statusNow
        assert.strictEqual(s.connection, "open")
        assert.strictEqual(s.reconnects, closes)
      }).pipe(Effect.provide(h.layer))
    },
  )

  it.scoped("starts the backoff over once a connection has stayed open a minute, not before", () => {
    const h = makeHarness()
    return Effect.gen(function* () {
      // Four quick failures: the waits grow to 8 s, the cap here.
      for (let n = 1; n <= 4; n++) {
        closeWith(yield* socketCount(h.sockets, n), 408)
        yield* TestClock.adjust("8 seconds")
      }
      // Open for 59 s: not stable, so the wait goes on from the cap, at least half of it.
      const brief = yield* socketCount(h.sockets, 5)
      open(brief)
      yield* TestClock.adjust("59 seconds")
      closeWith(brief, 408)
      yield* TestClock.adjust("3999 millis")
      yield* socketCount(h.sockets, 5)
      yield* TestClock.adjust("4001 millis")
      // Open for a minute: stable, so the next wait is the first one again, under a second.
      const stable = yield* socketCount(h.sockets, 6)
      open(stable)
      yield* TestClock.adjust("60 seconds")
      closeWith(stable, 408)
      yield* settle
      assert.match((yield* statusNow).detail ?? "", /reconnecting in 1 s\.$/)
      yield* TestClock.adjust("1 second")
      yield* socketCount(h.sockets, 7)
    }).pipe(Effect.provide(h.layer))
  })

  it.scoped(
    "recycles an open socket after exactly the silence timeout without a frame, counted in watchdog looks",
    () => {
      const h = makeHarness()
      return Effect.gen(function* () {
        const first = yield* socketCount(h.sockets, 1)
        open(first)
        // The default watchdog looks every 15 s; six silent looks make the 90 s.
        yield* TestClock.adjust("89 seconds")
        yield* settle
        assert.deepStrictEqual(first.ended, [])
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.deepStrictEqual(first.ended, ["No frames from WhatsApp; recycling the socket"])
        assert.strictEqual((yield* statusNow).lastDisconnect?.reason, "silent: no frames from WhatsApp")
      }).pipe(Effect.provide(h.layer))
    },
  )

  it.effect("stores the events still queued when the bridge shuts down, in order", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const h = makeHarness({ beforeStore: Deferred.await(gate) })
      const scope = yield* Scope.make()
      yield* Layer.buildWithScope(h.layer, scope)
      const socket = yield* socketCount(h.sockets, 1)
      open(socket)
      for (const id of ["1", "2", "3"]) {
        socket.ev.emit("chats.upsert", [{ id: `${id}@s.whatsapp.net` }])
        yield* settle
      }
      // The store is still busy with the first batch when shutdown begins.
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* settle
      assert.deepStrictEqual(h.batches, [])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      assert.deepStrictEqual(
        h.batches.map((batch) => batch.map((e) => (e.data as Array<{ id: string }>)[0]?.id)),
        [["1@s.whatsapp.net"], ["2@s.whatsapp.net"], ["3@s.whatsapp.net"]],
      )
    }),
  )
})
