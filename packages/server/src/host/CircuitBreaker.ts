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
}

/** The state the bridge client reports (`BridgeClient.circuit`), defined with its interface. */
export type CircuitState = BridgeClient.CircuitState

export interface CircuitBreaker {
  /**
   * Runs `effect` unless the circuit is open; `isFailure` says which errors count against the
   * service (a refusal with a reason means the service is up and does not count).
   */
  readonly run: <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    isFailure: (error: E) => boolean,
    onOpen: (retryInMillis: number) => E,
  ) => Effect.Effect<A, E, R>
  readonly state: Effect.Effect<CircuitState>
}

export const make = (options: CircuitBreakerOptions): Effect.Effect<CircuitBreaker> =>
  Effect.gen(function* () {
    const resetMillis = Duration.toMillis(options.resetAfter)
    const state = yield* Ref.make<CircuitState>({ _tag: "Closed", failures: 0 })

    const run: CircuitBreaker["run"] = (effect, isFailure, onOpen) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const admission = yield* Ref.modify(
          state,
          (
            s,
          ): readonly [
            { readonly admitted: boolean; readonly probe: boolean; readonly wait: number },
            CircuitState,
          ] => {
            switch (s._tag) {
              case "Closed":
                return [{ admitted: true, probe: false, wait: 0 }, s]
              case "HalfOpen":
                return [{ admitted: false, probe: false, wait: resetMillis }, s]
              case "Open":
                return now >= s.until
                  ? [{ admitted: true, probe: true, wait: 0 }, { _tag: "HalfOpen" }]
                  : [{ admitted: false, probe: false, wait: s.until - now }, s]
            }
          },
        )
        if (!admission.admitted) return yield* Effect.fail(onOpen(admission.wait))
        return yield* effect.pipe(
          Effect.onExit((exit) =>
            Effect.gen(function* () {
              const end = yield* Clock.currentTimeMillis
              const failed = Exit.match(exit, {
                onSuccess: () => false,
                onFailure: (cause) =>
                  cause._tag === "Fail" ? isFailure(cause.error) : cause._tag !== "Interrupt",
              })
              const interrupted = Exit.isInterrupted(exit)
              yield* Ref.update(state, (s): CircuitState => {
                if (interrupted) {
                  // An abandoned probe proves nothing: let the next call probe again.
                  return admission.probe ? { _tag: "Open", until: end } : s
                }
                if (!failed) return { _tag: "Closed", failures: 0 }
                if (admission.probe) return { _tag: "Open", until: end + resetMillis }
                const failures = s._tag === "Closed" ? s.failures + 1 : options.failureThreshold
                return failures >= options.failureThreshold
                  ? { _tag: "Open", until: end + resetMillis }
                  : { _tag: "Closed", failures }
              })
            }),
          ),
        )
      })

    return { run, state: Ref.get(state) }
  })
