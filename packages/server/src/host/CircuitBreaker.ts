/**
 * A circuit breaker: after `failureThreshold` consecutive failures it opens and fails calls at once;
 * after `resetAfter` it lets one probe through (half-open) and closes again if the probe succeeds.
 * A dead bridge thus costs a write tool milliseconds, not a timeout per call.
 */
import type { BridgeClient } from "@whatsapp-mcp/runtime"
import { Clock, Duration, Effect, Exit, Ref } from "effect"

export interface CircuitBreakerOptions {
  readonly failureThreshold: number
  readonly resetAfter: Duration.DurationInput
  /**
   * What a call refused while the probe is in flight is told to wait: the probe's answer, not a
   * whole reset period, decides whether the next call goes through. Default 1 s (at most
   * `resetAfter`).
   */
  readonly probeWait?: Duration.DurationInput
}

/** The state the bridge client reports (`BridgeClient.circuit`), defined with its interface. */
export type CircuitState = BridgeClient.CircuitState

/** Why a call was refused without being run. */
export interface Refusal {
  /** How long to wait before trying again. */
  readonly retryInMillis: number
  /** True while the one probe is in flight: the service is being checked right now. */
  readonly probing: boolean
}

export interface CircuitBreaker {
  /**
   * Runs `effect` unless the circuit is open; `isFailure` says which errors count against the
   * service (a refusal with a reason means the service is up and does not count).
   */
  readonly run: <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    isFailure: (error: E) => boolean,
    onOpen: (retryInMillis: number, refusal: Refusal) => E,
  ) => Effect.Effect<A, E, R>
  readonly state: Effect.Effect<CircuitState>
}

/** A refusal with a reason still shows the service is up; only `isFailure` errors count as down. */
type Outcome = "up" | "down" | "abandoned"

type Admission =
  | { readonly _tag: "Admitted"; readonly probe: boolean }
  | { readonly _tag: "Refused"; readonly refusal: Refusal }

export const make = (options: CircuitBreakerOptions): Effect.Effect<CircuitBreaker> =>
  Effect.gen(function* () {
    const resetMillis = Duration.toMillis(options.resetAfter)
    const probeMillis = Math.min(Duration.toMillis(options.probeWait ?? Duration.seconds(1)), resetMillis)
    const state = yield* Ref.make<CircuitState>({ _tag: "Closed", failures: 0 })

    const admit = (now: number) =>
      Ref.modify(state, (s): readonly [Admission, CircuitState] => {
        switch (s._tag) {
          case "Closed":
            return [{ _tag: "Admitted", probe: false }, s]
          case "HalfOpen":
            return [{ _tag: "Refused", refusal: { retryInMillis: probeMillis, probing: true } }, s]
          case "Open":
            return now >= s.until
              ? [{ _tag: "Admitted", probe: true }, { _tag: "HalfOpen" }]
              : [{ _tag: "Refused", refusal: { retryInMillis: s.until - now, probing: false } }, s]
        }
      })

    /** What a call's end does to the state. Only the probe decides an open or half-open breaker. */
    const settle = (s: CircuitState, probe: boolean, outcome: Outcome, end: number) => {
      if (probe) {
        switch (outcome) {
          case "up":
            return { _tag: "Closed", failures: 0 } satisfies CircuitState
          case "down":
            return { _tag: "Open", until: end + resetMillis } satisfies CircuitState
          case "abandoned":
            // An abandoned probe proves nothing: let the next call probe again.
            return { _tag: "Open", until: end } satisfies CircuitState
        }
      }
      // A call admitted before the breaker opened that ends only now is older news than what
      // opened it (or than the probe in flight): it neither closes nor re-opens the breaker.
      if (s._tag !== "Closed" || outcome === "abandoned") return s
      if (outcome === "up") return { _tag: "Closed", failures: 0 } satisfies CircuitState
      const failures = s.failures + 1
      return failures >= options.failureThreshold
        ? ({ _tag: "Open", until: end + resetMillis } satisfies CircuitState)
        : ({ _tag: "Closed", failures } satisfies CircuitState)
    }

    const run: CircuitBreaker["run"] = (effect, isFailure, onOpen) =>
      Effect.gen(function* () {
        const admission = yield* admit(yield* Clock.currentTimeMillis)
        if (admission._tag === "Refused")
          return yield* Effect.fail(onOpen(admission.refusal.retryInMillis, admission.refusal))
        return yield* effect.pipe(
          Effect.onExit((exit) =>
            Effect.gen(function* () {
              const end = yield* Clock.currentTimeMillis
              const outcome = Exit.match(exit, {
                onSuccess: (): Outcome => "up",
                onFailure: (cause): Outcome => {
                  if (Exit.isInterrupted(exit)) return "abandoned"
                  if (cause._tag === "Fail" && !isFailure(cause.error)) return "up"
                  return "down"
                },
              })
              yield* Ref.update(state, (s) => settle(s, admission.probe, outcome, end))
            }),
          ),
        )
      })

    return { run, state: Ref.get(state) }
  })
