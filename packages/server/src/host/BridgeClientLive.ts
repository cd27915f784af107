/**
 * The MCP side's client for the bridge's HTTP API, derived from the bridge's contract: bearer token
 * from `<store>/bridge-token`, a timeout on every call, retries (exponential backoff with jitter)
 * only where repeating cannot send twice, and a circuit breaker so a dead bridge fails fast.
 * Built on fetch (`FetchHttpClient`), which msw intercepts in tests.
 */
import { readFile } from "node:fs/promises"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import {
  type BridgeEndpointName,
  BridgeEndpoints,
  BridgeErrorBody,
  type EndpointRequest,
  type EndpointResponse,
} from "@whatsapp-mcp/core/api"
import { BridgeClient, BridgeErrors } from "@whatsapp-mcp/runtime"
import { Duration, Effect, Either, Layer, Ref, Schedule, Schema } from "effect"
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
}

const startBridge = "start it with `pnpm bridge` (or `pnpm demo` to try sample data)"

/** Errors that say the bridge is not answering: they open the breaker and may be retried. */
const isOutage = (error: BridgeErrors.BridgeClientError): boolean =>
  (error._tag === "BridgeUnavailable" && !error.circuitOpen) || error._tag === "BridgeTimeout"

const isRetryable = (error: BridgeErrors.BridgeClientError): boolean =>
  isOutage(error) || (error._tag === "BridgeRejected" && error.code === "internal_error")

const mayRetry = (name: BridgeEndpointName, request: unknown): boolean => {
  const policy = BridgeEndpoints[name].retry
  if (policy === "always") return true
  if (policy === "never") return false
  return typeof (request as { idempotency_key?: unknown }).idempotency_key === "string"
}

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

    const attempt = <N extends BridgeEndpointName>(name: N, request: EndpointRequest<N>) =>
      Effect.gen(function* () {
        const endpoint = BridgeEndpoints[name]
        const bearer = yield* token
        const url = `${base}${endpoint.path}`
        let httpRequest = endpoint.method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)
        httpRequest = HttpClientRequest.bearerToken(httpRequest, bearer)
        if (endpoint.method === "POST") {
          // The table's request Schema is a union across endpoints here; encoding is per endpoint.
          const encoded = yield* Schema.encode(endpoint.request as Schema.Schema<unknown, unknown>)(
            request,
          ).pipe(Effect.orDie)
          httpRequest = HttpClientRequest.bodyUnsafeJson(httpRequest, encoded)
        }
        const response = yield* http.execute(httpRequest).pipe(
          Effect.mapError(
            () =>
              new BridgeErrors.BridgeUnavailable({
                message: `The WhatsApp bridge is not running (nothing answers at ${base}): ${startBridge}. Tools that read messages still work.`,
                circuitOpen: false,
              }),
          ),
        )
        const body = yield* response.json.pipe(Effect.either)
        if (response.status === 200 && Either.isRight(body)) {
          const decoded = Schema.decodeUnknownEither(endpoint.response as Schema.Schema<unknown, unknown>)(
            body.right,
          )
          if (Either.isRight(decoded)) return decoded.right as EndpointResponse<N>
        }
        const error = Either.isRight(body)
          ? Schema.decodeUnknownEither(BridgeErrorBody)(body.right)
          : undefined
        if (error !== undefined && Either.isRight(error)) {
          if (error.right.error.code === "bridge_unauthorized") {
            // The bridge may have written a new token since it was read: read it again next time.
            yield* Ref.set(cachedToken, undefined)
            return yield* new BridgeErrors.BridgeUnauthorized({
              message: `The bridge refused the token from ${options.tokenFile}: make sure this server and the bridge use the same store directory (config \`store\` or \`bridge.tokenFile\`).`,
            })
          }
          return yield* Effect.fail(BridgeErrors.fromBridgeError(error.right.error))
        }
        return yield* new BridgeErrors.BridgeRejected({
          code: "unexpected_response",
          message: `Something other than the WhatsApp bridge answered at ${base} (HTTP ${response.status}): check \`bridge.url\` in the config, or ${startBridge}.`,
        })
      }).pipe(
        Effect.scoped,
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

    const call = <N extends BridgeEndpointName>(
      name: N,
      request: EndpointRequest<N>,
    ): Effect.Effect<EndpointResponse<N>, BridgeErrors.BridgeClientError> => {
      const guarded = breaker.run(
        attempt(name, request),
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
      call,
      health: call("health", {}),
      probeHealth: attempt("health", {}),
      sendText: (request) => call("sendText", request),
      sendFile: (request) => call("sendFile", request),
      sendVoice: (request) => call("sendVoice", request),
      react: (request) => call("react", request),
      markRead: (request) => call("markRead", request),
      download: (request) => call("download", request),
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
