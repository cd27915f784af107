/**
 * The bridge's loopback HTTP server: binds 127.0.0.1 only, refuses cross-site and rebound requests,
 * checks the bearer token, bounds the body, decodes each request with the contract's Schema and
 * answers every failure with the contract's JSON error (never a stack trace).
 */
import { createServer } from "node:http"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import {
  Cause,
  Chunk,
  Context,
  Effect,
  Layer,
  Option,
  ParseResult,
  type Redacted,
  Schema,
  Stream,
} from "effect"
import {
  BridgeEndpoints,
  BridgeError,
  BridgeErrorStatus,
  bridgeErrorToBody,
  DefaultBridgePort,
  MaxRequestBodyBytes,
} from "../BridgeApi.js"
import { BridgeActions, type BridgeActionsShape } from "./BridgeActions.js"
import { tokenMatches } from "./BridgeToken.js"

export interface BridgeHttpServerOptions {
  readonly token: Redacted.Redacted<string>
  /** 0 picks a free port (tests). Default 8080. */
  readonly port?: number
  readonly maxBodyBytes?: number
}

/** The running server: where it listens. */
export class BridgeHttpServer extends Context.Tag("whatsapp-mcp/bridge/BridgeHttpServer")<
  BridgeHttpServer,
  { readonly host: "127.0.0.1"; readonly port: number; readonly url: string }
>() {}

const refuse = (code: BridgeError["code"], message: string, field?: string) =>
  new BridgeError(field === undefined ? { code, message } : { code, message, field })

const errorResponse = (error: BridgeError) =>
  HttpServerResponse.unsafeJson(bridgeErrorToBody(error), {
    status: BridgeErrorStatus[error.code],
    headers:
      error.code === "bridge_unauthorized" ? { "www-authenticate": 'Bearer realm="whatsapp-bridge"' } : {},
  })

type Route = {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly run: (actions: BridgeActionsShape, body: unknown) => Effect.Effect<unknown, BridgeError>
}

const describeParseError = (error: ParseResult.ParseError): { message: string; field?: string } => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (first === undefined) return { message: "Invalid request body." }
  const field = first.path.map(String).join(".")
  return field === ""
    ? { message: `Invalid request body: ${first.message}` }
    : { message: `Invalid request body: \`${field}\`: ${first.message}`, field }
}

const routes: ReadonlyArray<Route> = Object.values(BridgeEndpoints).map((endpoint) => {
  const decode = Schema.decodeUnknown(endpoint.request as Schema.Schema<unknown, unknown>, {
    errors: "first",
    onExcessProperty: "error",
  })
  const encode = Schema.encode(endpoint.response as Schema.Schema<unknown, unknown>)
  return {
    method: endpoint.method,
    path: endpoint.path,
    run: (actions, body) =>
      decode(body).pipe(
        Effect.mapError((error) => {
          const { message, field } = describeParseError(error)
          return refuse("bad_request", message, field)
        }),
        // The endpoint table and the actions are keyed alike; TypeScript cannot correlate the
        // union members through Object.values, so the handler is looked up untyped here.
        Effect.flatMap((request) =>
          (actions[endpoint.name] as (request: unknown) => Effect.Effect<unknown, BridgeError>)(request),
        ),
        Effect.flatMap((response) =>
          encode(response).pipe(
            Effect.orDieWith(
              (e) => new Error(`Response for ${endpoint.path} does not match the contract: ${e.message}`),
            ),
          ),
        ),
      ),
  }
})

const readBody = (request: HttpServerRequest.HttpServerRequest, limit: number) =>
  Effect.gen(function* () {
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    const tooLarge = refuse(
      "payload_too_large",
      `The request body is larger than ${limit} bytes. Send files by path, not inline.`,
    )
    if (Number.isFinite(declared) && declared > limit) return yield* tooLarge
    const chunks = yield* request.stream.pipe(
      Stream.mapError(() => refuse("bad_request", "The request body could not be read.")),
      Stream.mapAccumEffect(0, (size, chunk) =>
        size + chunk.length > limit
          ? Effect.fail(tooLarge)
          : Effect.succeed([size + chunk.length, chunk] as const),
      ),
      Stream.runCollect,
    )
    return Buffer.concat(Chunk.toArray(chunks)).toString("utf8")
  })

const makeApp = (options: {
  readonly token: Redacted.Redacted<string>
  readonly port: number
  readonly maxBodyBytes: number
  readonly actions: BridgeActionsShape
}) => {
  const allowedHosts = new Set([
    `127.0.0.1:${options.port}`,
    `localhost:${options.port}`,
    `[::1]:${options.port}`,
  ])
  return Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const host = request.headers.host?.toLowerCase()
    if (host === undefined || !allowedHosts.has(host)) {
      return yield* refuse(
        "request_refused",
        `The bridge only answers requests addressed to 127.0.0.1:${options.port} or localhost:${options.port}.`,
      )
    }
    if (request.headers.origin !== undefined) {
      return yield* refuse(
        "request_refused",
        "Requests from web pages (with an Origin header) are refused: only local programs may use the bridge.",
      )
    }
    const authorization = request.headers.authorization ?? ""
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization)
    if (match?.[1] === undefined || !tokenMatches(options.token, match[1])) {
      return yield* refuse(
        "bridge_unauthorized",
        "Missing or wrong bearer token: send `Authorization: Bearer <token>` with the token from <store>/bridge-token.",
      )
    }
    const url = new URL(request.url, "http://127.0.0.1")
    const candidates = routes.filter((route) => route.path === url.pathname)
    if (candidates.length === 0) {
      return yield* refuse("not_found", `No endpoint at ${url.pathname}.`)
    }
    const route = candidates.find((candidate) => candidate.method === request.method)
    if (route === undefined) {
      return yield* refuse(
        "method_not_allowed",
        `${url.pathname} accepts ${candidates.map((c) => c.method).join(", ")}, not ${request.method}.`,
      )
    }
    let body: unknown = {}
    if (route.method === "POST") {
      const contentType = request.headers["content-type"] ?? ""
      if (!/^application\/json\b/i.test(contentType)) {
        return yield* refuse(
          "bad_request",
          "Send the request body as JSON with `Content-Type: application/json`.",
        )
      }
      const text = yield* readBody(request, options.maxBodyBytes)
      body = yield* Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => refuse("bad_request", "The request body is not valid JSON."),
      })
    }
    const result = yield* route.run(options.actions, body)
    return HttpServerResponse.unsafeJson(result, { headers: { "cache-control": "no-store" } })
  }).pipe(
    Effect.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure) && failure.value instanceof BridgeError) {
        return Effect.succeed(errorResponse(failure.value))
      }
      // Details go to the bridge's own log (stderr), never to the caller.
      return Effect.logError("Request failed unexpectedly", Cause.pretty(cause)).pipe(
        Effect.as(
          errorResponse(
            refuse(
              "internal_error",
              "The bridge failed unexpectedly; its log (stderr) has the details. Try again.",
            ),
          ),
        ),
      )
    }),
  )
}

/**
 * Starts the server for the lifetime of the scope, answering with the current `BridgeActions`.
 * Always on 127.0.0.1: the API can send messages as the user, so it is never exposed further.
 */
export const serveBridgeApi = (options: BridgeHttpServerOptions) =>
  Effect.gen(function* () {
    const actions = yield* BridgeActions
    const server = yield* NodeHttpServer.make(() => createServer(), {
      host: "127.0.0.1",
      port: options.port ?? DefaultBridgePort,
    })
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : (options.port ?? DefaultBridgePort)
    const app = makeApp({
      token: options.token,
      port,
      maxBodyBytes: options.maxBodyBytes ?? MaxRequestBodyBytes,
      actions,
    })
    yield* server.serve(app)
    return { host: "127.0.0.1", port, url: `http://127.0.0.1:${port}` } as const
  })

export const layer = (options: BridgeHttpServerOptions) =>
  Layer.scoped(BridgeHttpServer, serveBridgeApi(options))
