/**
 * The bridge's loopback HTTP server: binds 127.0.0.1 only, refuses cross-site and rebound requests,
 * checks the bearer token, bounds the body, decodes each request with the contract's Schema and
 * answers every failure with the contract's JSON error (never a stack trace).
 */
import { createServer } from "node:http"
import { MIMEType } from "node:util"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import {
  BridgeEndpoints,
  BridgeError,
  BridgeErrorStatus,
  bridgeErrorToBody,
  DefaultBridgePort,
  MaxRequestBodyBytes,
} from "@whatsapp-mcp/core/api"
import { Cause, Context, Effect, Layer, Option, ParseResult, type Redacted, Schema } from "effect"
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

/**
 * How long the bridge goes on discarding what a client still sends after it has answered without
 * reading the whole body (a refusal, a 413). Closing a socket with unread input makes the kernel send
 * a reset, which can reach the client before it has read the answer; this linger lets it read the
 * answer first, while nothing more is kept and the upload cannot hold the connection for long.
 */
const UnreadBodyLingerMillis = 1_000

/**
 * Discards the part of the body nobody read: the client's upload is not stalled, and the connection
 * is closed if the client is still sending a moment after the answer was written. A client whose
 * rest arrives within the linger keeps its connection.
 */
const discardUnreadBody = (request: HttpServerRequest.HttpServerRequest) => {
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  if (incoming.complete) return
  incoming.resume()
  NodeHttpServerRequest.toServerResponse(request).once("finish", () => {
    if (incoming.complete) return
    const socket = incoming.socket
    const linger = setTimeout(() => socket.destroy(), UnreadBodyLingerMillis)
    linger.unref()
    incoming.once("end", () => clearTimeout(linger))
    socket.once("close", () => clearTimeout(linger))
  })
}

/**
 * The body as text, refused with 413 past `limit` bytes whether its length was declared or it came
 * chunked. Bytes past the limit are never kept.
 */
const readBody = (request: HttpServerRequest.HttpServerRequest, limit: number) => {
  const tooLarge = refuse(
    "payload_too_large",
    `The request body is larger than the bridge's limit of ${limit} bytes (${Math.floor(limit / 1024)} KiB). Send files by path, not inline.`,
  )
  const declared = Number(request.headers["content-length"] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) return Effect.fail(tooLarge)
  // Read from the Node request itself: a Stream over it destroys the socket when it stops early,
  // which resets the connection before the 413 is written.
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  return Effect.async<string, BridgeError>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const stop = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) {
        chunks.push(chunk)
        return
      }
      stop()
      chunks.length = 0
      resume(Effect.fail(tooLarge))
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const onError = () => {
      stop()
      resume(Effect.fail(refuse("bad_request", "The request body could not be read.")))
    }
    incoming.on("data", onData)
    incoming.once("end", onEnd)
    incoming.once("error", onError)
    return Effect.sync(stop)
  })
}

/**
 * Only `application/json` (parameters such as `charset=utf-8` allowed): other JSON-flavoured types
 * (`application/json-seq`, `application/merge-patch+json`) mean something else, and a charset other
 * than UTF-8 would be misread.
 */
const contentTypeRefusal = (header: string | undefined): BridgeError | undefined => {
  const expected = "Send the request body as JSON with `Content-Type: application/json`."
  if (header === undefined || header.trim() === "") {
    return refuse("unsupported_content_type", `The request has no Content-Type. ${expected}`)
  }
  let type: MIMEType
  try {
    type = new MIMEType(header)
  } catch {
    return refuse("unsupported_content_type", `The Content-Type is not a media type. ${expected}`)
  }
  if (type.essence !== "application/json") {
    return refuse("unsupported_content_type", `The bridge does not accept ${type.essence}. ${expected}`)
  }
  const charset = type.params.get("charset")
  if (charset !== null && charset.toLowerCase() !== "utf-8") {
    return refuse(
      "unsupported_content_type",
      `The bridge reads JSON as UTF-8 only, not ${charset}: send \`Content-Type: application/json; charset=utf-8\`.`,
    )
  }
  return undefined
}

const makeApp = (options: {
  readonly token: Redacted.Redacted<string>
  readonly port: number
  readonly maxBodyBytes: number
  readonly actions: BridgeActionsShape
}) => {
  // The names a local client can reach the bridge by. `[::1]` is not one: the bridge does not listen
  // on IPv6, so only a forged header could carry it.
  const allowedHosts = new Set([`127.0.0.1:${options.port}`, `localhost:${options.port}`])
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
      const refusal = contentTypeRefusal(request.headers["content-type"])
      if (refusal !== undefined) return yield* refusal
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
    // Whatever part of the body was not read, the answer is now settled: discard it.
    Effect.tap(() => Effect.map(HttpServerRequest.HttpServerRequest, discardUnreadBody)),
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
