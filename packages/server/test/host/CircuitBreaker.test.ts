// The breaker's promises to a caller: while the one probe is in flight others are told a check is
// under way and to come back shortly, and only the probe's answer closes an open breaker.
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import * as CircuitBreaker from "../../src/host/CircuitBreaker.js"

class Down {
  readonly _tag = "Down"
}
class Refused {
  readonly _tag = "Refused"
  constructor(
    readonly retryInMillis: number,
    readonly probing: boolean,
  ) {}
}

const breaker = CircuitBreaker.make({ failureThreshold: 2, resetAfter: "10 seconds" })

/** Runs `effect` through the breaker, counting `Down` against the service. */
const through = <A>(b: CircuitBreaker.CircuitBreaker, effect: Effect.Effect<A, Down | Refused>) =>
  b.run(
    effect,
    (error) => error._tag === "Down",
    (retryInMillis, { probing }) => new Refused(retryInMillis, probing),
  )

/** A call that starts now and answers when `answer` is completed. */
const heldCall = (b: CircuitBreaker.CircuitBreaker) =>
  Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    const answer = yield* Deferred.make<string, Down>()
    const fiber = yield* Effect.fork(
      through(b, Deferred.succeed(started, undefined).pipe(Effect.zipRight(Deferred.await(answer)))),
    )
    yield* Deferred.await(started)
    return { fiber, answer }
  })

const openIt = (b: CircuitBreaker.CircuitBreaker) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2; i++) yield* Effect.flip(through(b, Effect.fail(new Down())))
    assert.strictEqual((yield* b.state)._tag, "Open")
  })

describe("circuit breaker", () => {
  it.effect("tells a call that arrives while it is open to wait for the rest of the reset period", () =>
    Effect.gen(function* () {
      const b = yield* breaker
      yield* openIt(b)
      yield* TestClock.adjust("4 seconds")
      const refused = yield* Effect.flip(through(b, Effect.succeed("sent")))
      assert.deepStrictEqual(refused, new Refused(6_000, false))
    }),
  )

  it.effect(
    "while the probe is in flight, tells other calls a check is under way and to retry in a second",
    () =>
      Effect.gen(function* () {
        const b = yield* breaker
        yield* openIt(b)
        yield* TestClock.adjust("10 seconds")
        const probe = yield* heldCall(b)
        assert.strictEqual((yield* b.state)._tag, "HalfOpen")

        let ran = false
        const other = yield* Effect.flip(
          through(
            b,
            Effect.sync(() => (ran = true)),
          ),
        )
        assert.deepStrictEqual(other, new Refused(1_000, true))
        assert.isFalse(ran, "no second call reaches the service while the probe is out")

        // The probe comes back a few seconds later with an answer: the breaker closes and calls flow.
        yield* TestClock.adjust("3 seconds")
        yield* Deferred.succeed(probe.answer, "pong")
        assert.strictEqual(yield* Fiber.join(probe.fiber), "pong")
        assert.deepStrictEqual(yield* b.state, { _tag: "Closed", failures: 0 })
        assert.strictEqual(yield* through(b, Effect.succeed("sent")), "sent")
      }),
  )

  it.effect("keeps an open breaker open when a slow call admitted before it opened succeeds late", () =>
    Effect.gen(function* () {
      const b = yield* breaker
      const slow = yield* heldCall(b)
      yield* openIt(b)

      yield* TestClock.adjust("2 seconds")
      yield* Deferred.succeed(slow.answer, "late")
      assert.strictEqual(yield* Fiber.join(slow.fiber), "late")
      assert.strictEqual((yield* b.state)._tag, "Open", "a stale success does not close the breaker")
      const refused = yield* Effect.flip(through(b, Effect.succeed("sent")))
      assert.deepStrictEqual(refused, new Refused(8_000, false))

      // Only the probe closes it.
      yield* TestClock.adjust("8 seconds")
      assert.strictEqual(yield* through(b, Effect.succeed("probe")), "probe")
      assert.deepStrictEqual(yield* b.state, { _tag: "Closed", failures: 0 })
    }),
  )

  it.effect("lets neither a slow success nor a slow failure decide while the probe is out", () =>
    Effect.gen(function* () {
      const b = yield* breaker
      const slowUp = yield* heldCall(b)
      const slowDown = yield* heldCall(b)
      yield* openIt(b)
      yield* TestClock.adjust("10 seconds")
      const probe = yield* heldCall(b)

      yield* Deferred.succeed(slowUp.answer, "late")
      yield* Fiber.join(slowUp.fiber)
      assert.strictEqual((yield* b.state)._tag, "HalfOpen")
      yield* Deferred.fail(slowDown.answer, new Down())
      yield* Effect.flip(Fiber.join(slowDown.fiber))
      assert.strictEqual((yield* b.state)._tag, "HalfOpen")

      // The probe fails: the breaker opens for a full period from the probe's end.
      yield* TestClock.adjust("1 second")
      yield* Deferred.fail(probe.answer, new Down())
      yield* Effect.flip(Fiber.join(probe.fiber))
      const refused = yield* Effect.flip(through(b, Effect.succeed("sent")))
      assert.deepStrictEqual(refused, new Refused(10_000, false))
    }),
  )

  it.effect("lets the next call probe at once when the probe is abandoned", () =>
    Effect.gen(function* () {
      const b = yield* breaker
      yield* openIt(b)
      yield* TestClock.adjust("10 seconds")
      const probe = yield* heldCall(b)
      yield* Fiber.interrupt(probe.fiber)
      assert.strictEqual(yield* through(b, Effect.succeed("probe")), "probe")
      assert.deepStrictEqual(yield* b.state, { _tag: "Closed", failures: 0 })
    }),
  )
})
