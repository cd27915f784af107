/**
 * The MCP side's client for the bridge's HTTP API, derived from the bridge's contract
 * (`BridgeHttpApi`): bearer token from `<store>/bridge-token`, a timeout on every call, retries
 * (exponential backoff with jitter) only where repeating cannot send twice, and a circuit breaker so
 * a dead bridge fails fast. The bridge's refusals arrive as the contract's `BridgeError`; only what
 * keeps an answer from arriving is translated here. Built on fetch (`FetchHttpClient`), which msw
 * intercepts in tests.
 */
import { readFile } from "node:fs/promises"
import {
  FetchHttpClient,
  HttpApiClient,
  type HttpApiError,
  HttpClient,
  HttpClientError,
  HttpClientRequest,
} from "@effect/platform"
import { BridgeError } from "@whatsapp-mcp/core/api"
import * as Commands from "@whatsapp-mcp/core/commands"
import { type BridgeEndpointName, BridgeHttpApi, bridgeEndpoint } from "@whatsapp-mcp/core/http-api"
import { MaxHistoryWaitSeconds } from "@whatsapp-mcp/core/limits"
import { BridgeClient, BridgeErrors } from "@whatsapp-mcp/runtime"
import { Duration, Effect, Layer, type ParseResult, Ref, Schedule } from "effect"
import * as CircuitBreaker from "./CircuitBreaker.js"

export interface BridgeClientOptions {
  /** Base URL of the bridge, e.g. http://127.0.0.1:8080 */
  readonly url: string
  /** File holding the bearer token (default place: `<store>/bridge-token`). */
  readonly tokenFile: string
  /** Per-call timeout overrides; defaults suit each endpoint (sends with uploads take longer). */
  readonly timeouts?: Partial<Record<BridgeEndpointName, Duration.DurationInput>>
  /** Retries after the first attempt, where repeating is safe. Default 2. */
  readonly maxRetries?: number
  /** First retry delay, doubled each time, with jitter. Default 200 ms. */
  readonly retryBase?: Duration.DurationInput
  /** Consecutive failures (no answer, timeout) that open the breaker. Default 3. */
  readonly failureThreshold?: number
  /** How long the breaker stays open before a probe. Default 10 s. */
  readonly resetAfter?: Duration.DurationInput
}

export const defaultTimeouts: Record<BridgeEndpointName, Duration.DurationInput> = {
  health: Duration.seconds(3),
  sendText: Duration.seconds(30),
  sendFile: Duration.minutes(2),
  sendVoice: Duration.minutes(2),
  react: Duration.seconds(15),
  markRead: Duration.seconds(15),
  download: Duration.minutes(2),
  // The bridge waits for the phone up to the request's own bound; this leaves it time to answer after.
  fetchHistory: Duration.seconds(MaxHistoryWaitSeconds + 15),
}

const startBridge = `start it with \`${Commands.current.bridge}\` (or \`${Commands.current.demo}\` to try sample data)`

/** Errors that say the bridge is not answering: they open the breaker and may be retried. */
const isOutage = (error: BridgeErrors.BridgeClientError): boolean =>
  (error._tag === "BridgeUnavailable" && !error.circuitOpen) || error._tag === "BridgeTimeout"

const isRetryable = (error: BridgeErrors.BridgeClientError): boolean =>
  isOutage(error) || (error._tag === "BridgeError" && error.code === "internal_error")

const mayRetry = (name: BridgeEndpointName, request: object): boolean => {
  const policy = bridgeEndpoint(name).retry
  if (policy === "always") return true
  if (policy === "never") return false
  return "idempotency_key" in request && typeof request.idempotency_key === "string"
}

/** How a call through the derived client can fail before the translation below. */
type RawFailure =
  | BridgeError
  | BridgeErrors.BridgeUnavailable
  | HttpApiError.HttpApiDecodeError
  | HttpClientError.HttpClientError
  | ParseResult.ParseError

export const make = (options: BridgeClientOptions) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const base = options.url.replace(/\/+$/, "")
    const breaker = yield* CircuitBreaker.make({
      failureThreshold: options.failureThreshold ?? 3,
      resetAfter: options.resetAfter ?? Duration.seconds(10),
    })
    const cachedToken = yield* Ref.make<string | undefined>(undefined)

    const token = Effect.gen(function* () {
      const cached = yield* Ref.get(cachedToken)
      if (cached !== undefined) return cached
      const read = yield* Effect.tryPromise(() => readFile(options.tokenFile, "utf8")).pipe(
        Effect.mapError(
          () =>
            new BridgeErrors.BridgeUnavailable({
              message: `The WhatsApp bridge has not created its token at ${options.tokenFile} yet: ${startBridge}, using the same store directory as this server.`,
              circuitOpen: false,
            }),
        ),
      )
      const value = read.trim()
      yield* Ref.set(cachedToken, value)
      return value
    })

    const bridge = yield* HttpApiClient.group(BridgeHttpApi, {
      group: "bridge",
      baseUrl: base,
      httpClient: http.pipe(
        HttpClient.mapRequestEffect((request) =>
          Effect.map(token, (bearer) => HttpClientRequest.bearerToken(request, bearer)),
        ),
        // Only the bridge answers in JSON here; anything else is some other program on the port.
        HttpClient.filterOrFail(
          (response) => (response.headers["content-type"] ?? "").startsWith("application/json"),
          (response) =>
            new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode" }),
        ),
      ),
    })

    const notTheBridge = (status: number | undefined) =>
      new BridgeErrors.BridgeUnexpectedResponse({
        message: `Something other than the WhatsApp bridge answered at ${base}${status === undefined ? "" : ` (HTTP ${status})`}: check \`bridge.url\` in the config, or ${startBridge}.`,
      })

    const translate = (error: RawFailure): Effect.Effect<never, BridgeErrors.BridgeClientError> => {
      switch (error._tag) {
        case "BridgeError":
          if (error.code !== "bridge_unauthorized") return Effect.fail(error)
          // The bridge may have written a new token since it was read: read it again next time.
          return Effect.zipRight(
            Ref.set(cachedToken, undefined),
            Effect.fail(
              new BridgeError({
                code: "bridge_unauthorized",
                message: `The bridge refused the token from ${options.tokenFile}: make sure this server and the bridge use the same store directory (config \`store\` or \`bridge.tokenFile\`).`,
              }),
            ),
          )
        case "BridgeUnavailable":
          return Effect.fail(error)
        case "RequestError":
          return Effect.fail(
            new BridgeErrors.BridgeUnavailable({
              message: `The WhatsApp bridge is not running (nothing answers at ${base}): ${startBridge}. Tools that read messages still work.`,
              circuitOpen: false,
            }),
          )
        case "ResponseError":
          return Effect.fail(notTheBridge(error.response.status))
        case "HttpApiDecodeError":
        case "ParseError":
          return Effect.fail(notTheBridge(undefined))
      }
    }

    const attempt = <A>(name: BridgeEndpointName, send: Effect.Effect<A, RawFailure>) =>
      send.pipe(
        Effect.catchAll(translate),
        Effect.timeoutFail({
          duration: options.timeouts?.[name] ?? defaultTimeouts[name],
          onTimeout: () =>
            new BridgeErrors.BridgeTimeout({
              endpoint: name,
              message: `The WhatsApp bridge did not answer ${name} in time; it may be busy or stuck. Check its log, then try again.`,
            }),
        }),
      )

    const retryPolicy = Schedule.exponential(options.retryBase ?? Duration.millis(200), 2).pipe(
      Schedule.jittered,
      Schedule.intersect(Schedule.recurs(options.maxRetries ?? 2)),
      Schedule.whileInput(isRetryable),
    )

    const call = <A>(
      name: BridgeEndpointName,
      request: object,
      send: Effect.Effect<A, RawFailure>,
    ): Effect.Effect<A, BridgeErrors.BridgeClientError> => {
      const guarded = breaker.run(
        attempt(name, send),
        isOutage,
        (waitMillis, { probing }) =>
          new BridgeErrors.BridgeUnavailable({
            message: probing
              ? `The WhatsApp bridge is being checked after failed calls: try again in ${Math.ceil(waitMillis / 1000)} s. If it stays down, ${startBridge}. Tools that read messages still work.`
              : `The WhatsApp bridge is not answering (last calls failed; next check in ${Math.ceil(waitMillis / 1000)} s): ${startBridge}. Tools that read messages still work.`,
            circuitOpen: true,
          }),
      )
      return mayRetry(name, request) ? Effect.retry(guarded, retryPolicy) : guarded
    }

    return BridgeClient.BridgeClient.of({
      health: call("health", {}, bridge.health()),
      probeHealth: attempt("health", bridge.health()),
      sendText: (request) => call("sendText", request, bridge.sendText({ payload: request })),
      sendFile: (request) => call("sendFile", request, bridge.sendFile({ payload: request })),
      sendVoice: (request) => call("sendVoice", request, bridge.sendVoice({ payload: request })),
      react: (request) => call("react", request, bridge.react({ payload: request })),
      markRead: (request) => call("markRead", request, bridge.markRead({ payload: request })),
      download: (request) => call("download", request, bridge.download({ payload: request })),
      fetchHistory: (request) => call("fetchHistory", request, bridge.fetchHistory({ payload: request })),
      circuit: breaker.state,
    })
  })

export const layer = (
  options: BridgeClientOptions,
): Layer.Layer<BridgeClient.BridgeClient, never, HttpClient.HttpClient> =>
  Layer.effect(BridgeClient.BridgeClient, make(options))

/** Over the global fetch: what the MCP server uses, and what msw intercepts in tests. */
export const layerFetch = (options: BridgeClientOptions): Layer.Layer<BridgeClient.BridgeClient> =>
  layer(options).pipe(Layer.provide(FetchHttpClient.layer))
