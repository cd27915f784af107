/**
 * The runtime's Confirmation service for one tool call, as MCP elicitation in form mode: the request
 * travels with the call (over HTTP, on the call's own response stream), and waiting for it ends
 * when the time limit passes or the call is cancelled, either of which withdraws the request from
 * the client. While it waits, a call that asked for progress hears at a steady pace that it is still
 * waiting, so that a client whose own request timeout is shorter than the person's time to answer
 * can keep the call alive.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { ErrorCode, McpError, type RequestId } from "@modelcontextprotocol/sdk/types.js"
import { Confirmation } from "@whatsapp-mcp/runtime"
import { Clock, Duration, Effect, Schedule } from "effect"

/** An empty form: the person answers with accept, decline or cancel; the message says what is asked. */
const noFields = { type: "object" as const, properties: {} }

/** The client's words, on one line and bounded: they end up in what the model reads. */
const brief = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

const failure = (error: unknown, seconds: number) => {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new Confirmation.ConfirmationTimeout({ seconds })
  }
  if (error instanceof McpError) {
    return new Confirmation.ConfirmationFailed({
      reason: `the client answered with an error: ${brief(error.message)}`,
    })
  }
  // The SDK checks the answer against the result schema; anything else it refuses lands here.
  return new Confirmation.ConfirmationFailed({
    reason: "the client's answer was not one of accept, decline or cancel",
  })
}

/** How a call tells its client that it is still waiting for the person. */
export interface Waiting {
  /** The pace of the reports. */
  readonly every: Duration.DurationInput
  /** Sends one report: seconds waited so far, of `total` seconds at most, and what is awaited. */
  readonly report: (progress: number, total: number, message: string) => Effect.Effect<void>
}

/** "1 min 5 s", "40 s": what a person reads in a client's progress line; never more than is left. */
const spoken = (millis: number): string => {
  const seconds = Math.max(0, Math.floor(millis / 1000))
  const minutes = Math.floor(seconds / 60)
  if (minutes === 0) return `${seconds} s`
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`
}

/** Reports at `waiting.every` until interrupted, which the end of the wait does. */
const reportWhileWaiting = (waiting: Waiting, limit: Duration.Duration): Effect.Effect<void> =>
  Effect.gen(function* () {
    const every = Duration.decode(waiting.every)
    const limitMillis = Duration.toMillis(limit)
    const started = yield* Clock.currentTimeMillis
    const report = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const waited = now - started
      return waiting.report(
        waited / 1000,
        limitMillis / 1000,
        `Waiting for the user to confirm at the client: ${spoken(limitMillis - waited)} left before the request is withdrawn and nothing is done.`,
      )
    })
    // The first report after one interval: an answer given at once needs none.
    yield* Effect.sleep(every)
    yield* Effect.repeat(report, Schedule.spaced(every))
  })

/**
 * Confirmation for the call `requestId` on `server`; unavailable when the client cannot show a form.
 * With `waiting`, the wait is reported to the client until it ends (answer, time limit, cancellation).
 */
export const forCall = (
  server: Server,
  requestId: RequestId,
  waiting?: Waiting,
): Confirmation.ConfirmationService => {
  // An `elicitation: {}` capability already reads as form mode here (the SDK fills it in at initialize).
  if (server.getClientCapabilities()?.elicitation?.form === undefined) return Confirmation.unavailable
  return {
    available: true,
    ask: (request) => {
      const timeout = Duration.decode(request.timeout ?? Confirmation.defaultTimeout)
      const seconds = Math.round(Duration.toSeconds(timeout) * 10) / 10
      const answer = Effect.tryPromise({
        try: (signal) =>
          server.elicitInput(
            { mode: "form", message: request.message, requestedSchema: noFields },
            { relatedRequestId: requestId, signal, timeout: Duration.toMillis(timeout) },
          ),
        catch: (error) => failure(error, seconds),
      })
      // The reporting fiber belongs to the wait's scope: whatever ends the wait interrupts it.
      const awaited =
        waiting === undefined
          ? answer
          : Effect.scoped(Effect.zipRight(Effect.forkScoped(reportWhileWaiting(waiting, timeout)), answer))
      return awaited.pipe(
        Effect.map(
          (answer): Confirmation.Outcome =>
            answer.action === "accept" ? "accepted" : answer.action === "decline" ? "declined" : "cancelled",
        ),
      )
    },
  }
}
