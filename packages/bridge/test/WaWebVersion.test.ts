import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Ref, TestClock } from "effect"
import { type BridgeSocket, SocketFactory } from "../src/socket/BridgeSocket.js"
import { EventSink } from "../src/socket/EventSink.js"
import * as LastHeard from "../src/socket/LastHeard.js"
import * as WaWebVersion from "../src/socket/WaWebVersion.js"
import { layer as connectionLayer, WhatsAppConnection } from "../src/socket/WhatsAppConnection.js"
import { MessageStore } from "../src/store/MessageStore.js"
import { fakeSocket, linkedSession, noticeConsole } from "./support/ConnectionHarness.js"

type Answer = "hang" | { readonly fail: string } | WaWebVersion.WaVersion

/** A stand-in for WhatsApp's version lookup that answers as told, and a store row held in memory. */
const versionLayer = (answers: Array<Answer>, stored: Ref.Ref<Option.Option<string>>) =>
  WaWebVersion.layer({ lookupTimeout: "10 seconds" }).pipe(
    Layer.provide(
      Layer.mergeAll(
        Layer.succeed(WaWebVersion.WaVersionLookup, {
          latest: Effect.suspend(() => {
            const answer = answers.shift() ?? { fail: "no answer scripted" }
            if (answer === "hang") return Effect.never
            if ("fail" in answer)
              return Effect.fail(new WaWebVersion.VersionLookupError({ message: answer.fail }))
            return Effect.succeed(answer)
          }),
        }),
        Layer.succeed(WaWebVersion.StoredWaVersion, {
          get: Ref.get(stored),
          put: (version) => Ref.set(stored, Option.some(version)),
        }),
      ),
    ),
  )

const choose = (answers: Array<Answer>, stored: Option.Option<string>) =>
  Effect.gen(function* () {
    const row = yield* Ref.make(stored)
    const chosen = yield* Effect.flatMap(WaWebVersion.WaWebVersion, (v) => v.forSocket).pipe(
      Effect.provide(versionLayer(answers, row)),
    )
    return { chosen, row: yield* Ref.get(row) }
  })

describe("WhatsApp Web version", () => {
  it("reads only well-formed versions", () => {
    assert.deepStrictEqual(
      WaWebVersion.parseWaVersion("2.3000.1043857760"),
      Option.some([2, 3000, 1043857760]),
    )
    for (const bad of [
      "",
      "2.3000",
      "2.3000.x",
      "2.3000.1.4",
      "-2.3000.5",
      "2.3000.0",
      "1e3.1.1",
      "2. 3000.1",
    ])
      assert.isTrue(Option.isNone(WaWebVersion.parseWaVersion(bad)), bad)
  })

  it.effect("connects with the version WhatsApp names and keeps it in the store", () =>
    Effect.gen(function* () {
      const { chosen, row } = yield* choose([[2, 3000, 1099999999]], Option.some("2.3000.1011111111"))
      assert.deepStrictEqual(chosen, { version: [2, 3000, 1099999999], source: "whatsapp" })
      assert.deepStrictEqual(row, Option.some("2.3000.1099999999"))
    }),
  )

  it.effect("uses the stored version when the lookup answers garbage (no network, a changed page)", () =>
    Effect.gen(function* () {
      const { chosen, row } = yield* choose(
        [{ fail: "Could not find client revision in the fetched content" }],
        Option.some("2.3000.1011111111"),
      )
      assert.deepStrictEqual(chosen, { version: [2, 3000, 1011111111], source: "stored" })
      assert.deepStrictEqual(row, Option.some("2.3000.1011111111"))
    }),
  )

  it.effect("gives up on a lookup that hangs after its timeout and uses the stored version", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(choose(["hang"], Option.some("2.3000.1011111111")))
      yield* TestClock.adjust("10 seconds")
      const { chosen } = yield* fiber
      assert.deepStrictEqual(chosen, { version: [2, 3000, 1011111111], source: "stored" })
    }),
  )

  it.effect(
    "falls back to Baileys' built-in version when nothing is stored or the stored one is malformed",
    () =>
      Effect.gen(function* () {
        for (const stored of [Option.none(), Option.some("2.3000.banana"), Option.some("")]) {
          const { chosen, row } = yield* choose([{ fail: "offline" }], stored)
          assert.deepStrictEqual(chosen, { version: WaWebVersion.BaileysVersion, source: "baileys" })
          // A malformed row is left for the next good lookup to overwrite, never "repaired" with a guess.
          assert.deepStrictEqual(row, stored)
        }
      }),
  )

  it.scoped("keeps the last good version in the store's account table across restarts", () =>
    Effect.gen(function* () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "wa-version-"))
      const store = MessageStore.layer({ directory })
      const readBack = (answer: Answer) =>
        Effect.flatMap(WaWebVersion.WaWebVersion, (v) => v.forSocket).pipe(
          Effect.provide(
            WaWebVersion.layer().pipe(
              Layer.provide(
                Layer.merge(
                  Layer.succeed(WaWebVersion.WaVersionLookup, {
                    latest:
                      answer === "hang" || "fail" in answer
                        ? Effect.fail(new WaWebVersion.VersionLookupError({ message: "offline" }))
                        : Effect.succeed(answer),
                  }),
                  WaWebVersion.storedInStore.pipe(Layer.provide(store)),
                ),
              ),
            ),
          ),
        )
      assert.strictEqual((yield* readBack({ fail: "offline" })).source, "baileys")
      assert.strictEqual((yield* readBack([2, 3000, 1077777777])).source, "whatsapp")
      assert.deepStrictEqual(yield* readBack({ fail: "offline" }), {
        version: [2, 3000, 1077777777],
        source: "stored",
      })
      fs.rmSync(directory, { recursive: true, force: true })
    }),
  )
})

const closeWith = (socket: BridgeSocket, code: number) =>
  socket.ev.emit("connection.update", {
    connection: "close",
    lastDisconnect: {
      error: Object.assign(new Error(`closed ${code}`), { output: { statusCode: code } }),
      date: new Date(),
    },
  })

/** The connection over sockets that record the version they announce; `answers` feed the lookup. */
const connectionHarness = (answers: Array<Answer> | null) => {
  const made: Array<{ socket: BridgeSocket; version: WaWebVersion.WaVersion | undefined }> = []
  const notices: Array<string> = []
  const base = Layer.mergeAll(
    Layer.succeed(SocketFactory, {
      make: (_auth, version) =>
        Effect.sync(() => {
          const socket = fakeSocket()
          made.push({ socket, version })
          return socket
        }),
    }),
    linkedSession(),
    Layer.succeed(EventSink, { ingest: () => Effect.void }),
    noticeConsole(notices),
  )
  const layer = Layer.unwrapEffect(
    Effect.map(Ref.make(Option.some("2.3000.1011111111")), (row) =>
      connectionLayer({ backoff: { baseMillis: 1_000, maxMillis: 8_000 } }).pipe(
        Layer.provide(answers === null ? base : Layer.merge(base, versionLayer(answers, row))),
      ),
    ),
  )
  return { made, notices, layer }
}

const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("a connection refused as outdated (405)", () => {
  it.scoped(
    "looks the version up again, retries once, then stops saying what happened and what to do",
    () => {
      const h = connectionHarness([{ fail: "offline" }, [2, 3000, 1088888888], [2, 3000, 1088888888]])
      return Effect.gen(function* () {
        const connection = yield* WhatsAppConnection
        yield* settle
        assert.strictEqual(h.made.length, 1)
        assert.deepStrictEqual(h.made[0]?.version, [2, 3000, 1011111111])
        assert.deepStrictEqual((yield* connection.status).waWebVersion, {
          version: [2, 3000, 1011111111],
          source: "stored",
        })
        closeWith(h.made[0]!.socket, 405)
        yield* settle
        // The retry comes at once, with the version just looked up.
        assert.strictEqual(h.made.length, 2)
        assert.deepStrictEqual(h.made[1]?.version, [2, 3000, 1088888888])
        assert.isTrue(
          h.notices.some((n) => /outdated \(code 405\); retrying once with 2\.3000\.1088888888/.test(n)),
        )
        closeWith(h.made[1]!.socket, 405)
        const final = yield* connection.stopped
        assert.strictEqual(final.connection, "outdated")
        assert.match(final.detail ?? "", /2\.3000\.1088888888 as outdated \(code 405\)/)
        assert.match(final.detail ?? "", /Update whatsapp-mcp/)
        const refused = yield* Effect.flip(connection.current)
        assert.match(refused.message, /outdated/)
        // A 405 storm ends there: no socket after that, however long the bridge waits.
        yield* TestClock.adjust("1 day")
        yield* settle
        assert.strictEqual(h.made.length, 2)
      }).pipe(Effect.provide(h.layer))
    },
  )

  it.scoped("without a version source (replay), stops on the first 405 instead of looping", () => {
    const h = connectionHarness(null)
    return Effect.gen(function* () {
      const connection = yield* WhatsAppConnection
      yield* settle
      assert.strictEqual(h.made[0]?.version, undefined)
      closeWith(h.made[0]!.socket, 405)
      const final = yield* connection.stopped
      assert.strictEqual(final.connection, "outdated")
      assert.match(final.detail ?? "", /Baileys' built-in version as outdated/)
      yield* TestClock.adjust("1 day")
      yield* settle
      assert.strictEqual(h.made.length, 1)
    }).pipe(Effect.provide(h.layer))
  })
})

/**
 * The supervisor with the link check at 7 quiet days, checked hourly, over sockets kept in `made`;
 * the silence watchdog is out of the way (the fake socket sends no frames). `extra` adds services
 * such as where the last sign of life is kept.
 */
const linkWatchLayer = (
  made: Array<BridgeSocket>,
  notices: Array<string>,
  extra: Layer.Layer<LastHeard.LastHeard> | Layer.Layer<never> = Layer.empty,
) =>
  connectionLayer({
    linkQuietAfter: "7 days",
    linkCheckInterval: "1 hour",
    silenceTimeout: "60 days",
    watchdogInterval: "1 day",
  }).pipe(
    Layer.provide(
      Layer.mergeAll(
        Layer.succeed(SocketFactory, {
          make: () =>
            Effect.sync(() => {
              const socket = fakeSocket()
              made.push(socket)
              return socket
            }),
        }),
        linkedSession(),
        Layer.succeed(EventSink, { ingest: () => Effect.void }),
        noticeConsole(notices),
        extra,
      ),
    ),
  )

describe("a link about to expire", () => {
  it.scoped(
    "warns once when nothing comes from WhatsApp for days while connected, and clears when it does",
    () => {
      const made: Array<BridgeSocket> = []
      const notices: Array<string> = []
      const layer = linkWatchLayer(made, notices)
      return Effect.gen(function* () {
        const connection = yield* WhatsAppConnection
        yield* settle
        made[0]!.ev.emit("connection.update", { connection: "open" })
        yield* settle
        yield* TestClock.adjust("6 days")
        assert.isNull((yield* connection.status).linkWarning)
        yield* TestClock.adjust("1 day")
        const warned = (yield* connection.status).linkWarning
        assert.match(
          warned ?? "",
          /^nothing from WhatsApp for 7 days while connected: the phone may be offline/,
        )
        yield* TestClock.adjust("2 days")
        assert.match((yield* connection.status).linkWarning ?? "", /for 9 days/)
        // Said once in the terminal, not every hour.
        assert.strictEqual(notices.filter((n) => n.startsWith("The WhatsApp link may expire soon")).length, 1)
        made[0]!.ev.emit("messages.upsert", { messages: [], type: "notify" })
        yield* settle
        yield* TestClock.adjust("1 hour")
        assert.isNull((yield* connection.status).linkWarning)
        assert.isTrue(notices.some((n) => /active again/.test(n)))
      }).pipe(Effect.provide(layer))
    },
  )
})

describe("a link about to expire, across restarts", () => {
  /** One bridge run: connects, lets WhatsApp speak if told, then lets the given time pass. */
  const bridgeRun = (
    stored: Ref.Ref<Option.Option<number>>,
    notices: Array<string>,
    body: (socket: () => BridgeSocket) => Effect.Effect<void, never, WhatsAppConnection>,
  ) => {
    const made: Array<BridgeSocket> = []
    const layer = linkWatchLayer(
      made,
      notices,
      Layer.succeed(LastHeard.LastHeard, {
        get: Ref.get(stored),
        put: (millis) => Ref.set(stored, Option.some(millis)),
      }),
    )
    return Effect.gen(function* () {
      yield* settle
      made[0]!.ev.emit("connection.update", { connection: "open" })
      yield* settle
      yield* body(() => made[0]!)
    }).pipe(Effect.provide(layer), Effect.scoped)
  }

  it.effect("a bridge restarted after 5 quiet days still warns 2 days later", () =>
    Effect.gen(function* () {
      const stored = yield* Ref.make(Option.none<number>())
      const notices: Array<string> = []
      yield* bridgeRun(stored, notices, (socket) =>
        Effect.gen(function* () {
          socket().ev.emit("messages.upsert", { messages: [], type: "notify" })
          yield* settle
          yield* TestClock.adjust("1 hour")
          yield* TestClock.adjust("5 days")
        }),
      )
      // The last sign of life is in the store, an hour after this run started.
      assert.deepStrictEqual(yield* Ref.get(stored), Option.some(3_600_000))
      yield* bridgeRun(stored, notices, () =>
        Effect.gen(function* () {
          const connection = yield* WhatsAppConnection
          assert.isNull((yield* connection.status).linkWarning)
          yield* TestClock.adjust("1 day")
          assert.isNull((yield* connection.status).linkWarning)
          yield* TestClock.adjust("1 day")
          assert.match((yield* connection.status).linkWarning ?? "", /^nothing from WhatsApp for 7 days/)
        }),
      )
      assert.strictEqual(notices.filter((n) => n.startsWith("The WhatsApp link may expire soon")).length, 1)
    }),
  )

  it.effect("a time stored ahead of the clock counts from now, and a sign of life resets it", () =>
    Effect.gen(function* () {
      const stored = yield* Ref.make(Option.some(400 * 86_400_000))
      const notices: Array<string> = []
      yield* bridgeRun(stored, notices, (socket) =>
        Effect.gen(function* () {
          const connection = yield* WhatsAppConnection
          yield* TestClock.adjust("6 days")
          assert.isNull((yield* connection.status).linkWarning)
          socket().ev.emit("messages.upsert", { messages: [], type: "notify" })
          yield* settle
          yield* TestClock.adjust("2 days")
          assert.isNull((yield* connection.status).linkWarning)
        }),
      )
      assert.deepStrictEqual(yield* Ref.get(stored), Option.some(6 * 86_400_000 + 3_600_000))
    }),
  )

  it("reads back only what it wrote: epoch milliseconds as digits", () => {
    assert.deepStrictEqual(LastHeard.parseLastHeard("1765000000000"), Option.some(1765000000000))
    for (const bad of [null, 17, "", "-5", "1.5", "soon", "1".repeat(20)])
      assert.isTrue(Option.isNone(LastHeard.parseLastHeard(bad)), String(bad))
  })
})
