/**
 * The bridge's loopback HTTP server: binds 127.0.0.1 only, refuses cross-site and rebound requests,
 * checks the bearer token, bounds the body and accepts only JSON, then hands the request to the
 * handlers derived from the contract (`BridgeHttpApi`), which decode it and encode the answer.
 * Every failure is the contract's JSON error (never a stack trace).
 */
import { createServer } from "node:http"
import { MIMEType } from "node:util"
import { HttpApiBuilder, HttpApiError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import {
  BridgeError,
  BridgeErrorStatus,
  bridgeErrorToBody,
  DefaultBridgePort,
  MaxRequestBodyBytes,
} from "@whatsapp-mcp/core/api"
import { BridgeEndpoints, BridgeHttpApi, OpenApiPath, openApiDocument } from "@whatsapp-mcp/core/http-api"
import * as TokenFile from "@whatsapp-mcp/core/token"
import { Cause, Context, Effect, Layer, Option, type Redacted } from "effect"
import { BridgeActions } from "./BridgeActions.js"

export interface BridgeHttpServerOptions {
  readonly token: Redacted.Redacted<string>
  /** 0 picks a free port (tests). Default 8080. */
  readonly port?: number
  readonly maxBodyBytes?: number
}

/** The running server: where it listens. */
export class BridgeHttpServer extends Context.Tag("@whatsapp-mcp/bridge/BridgeHttpServer")<
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

/** The contract's handlers: each endpoint answered by the action of the same name. */
const BridgeHandlers = HttpApiBuilder.group(BridgeHttpApi, "bridge", (handlers) =>
  Effect.map(BridgeActions, (actions) =>
    handlers
      .handle("health", () => actions.health({}))
      .handle("sendText", ({ payload }) => actions.sendText(payload))
      .handle("sendFile", ({ payload }) => actions.sendFile(payload))
      .handle("sendVoice", ({ payload }) => actions.sendVoice(payload))
      .handle("react", ({ payload }) => actions.react(payload))
      .handle("markRead", ({ payload }) => actions.markRead(payload))
      .handle("download", ({ payload }) => actions.download(payload))
      .handle("fetchHistory", ({ payload }) => actions.fetchHistory(payload)),
  ),
)

/** A body that does not match the contract, told as the contract's `bad_request` naming the field. */
const describeDecodeError = (error: HttpApiError.HttpApiDecodeError): BridgeError => {
  const first = error.issues[0]
  if (first === undefined) return refuse("bad_request", "Invalid request body.")
  const field = first.path.map(String).join(".")
  return field === ""
    ? refuse("bad_request", `Invalid request body: ${first.message}`)
    : refuse("bad_request", `Invalid request body: \`${field}\`: ${first.message}`, field)
}

// The derived app's type says it fails with nothing (it encodes its errors itself); the decode
// failures this turns into `bad_request` are caught on their way to that encoding.
const DecodeErrorsAsBridgeErrors = HttpApiBuilder.middleware(BridgeHttpApi, (app) =>
  Effect.catchAllCause(app, (cause) => {
    const failure: Option.Option<unknown> = Cause.failureOption(cause)
    return Option.isSome(failure) && failure.value instanceof HttpApiError.HttpApiDecodeError
      ? Effect.fail(describeDecodeError(failure.value))
      : Effect.failCause(cause)
  }),
)

/** The app derived from the contract, answering with `actions`. */
const contractApp = Effect.gen(function* () {
  const context = yield* Layer.build(
    HttpApiBuilder.api(BridgeHttpApi).pipe(
      Layer.provide(BridgeHandlers),
      Layer.provideMerge(DecodeErrorsAsBridgeErrors),
      Layer.provideMerge(HttpApiBuilder.Router.Live),
      Layer.provideMerge(HttpApiBuilder.Middleware.layer),
      Layer.merge(NodeHttpServer.layerContext),
    ),
  )
  const app = yield* Effect.provide(HttpApiBuilder.httpApp, context)
  return Effect.provide(app, context)
})

/** Where the bridge answers, and with what method: the contract's endpoints and its OpenAPI document. */
const routes: ReadonlyArray<{ readonly method: "GET" | "POST"; readonly path: string }> = [
  ...BridgeEndpoints,
  { method: "GET", path: OpenApiPath },
]

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

/**
 * The checks every request passes before the contract's handlers see it (they do not depend on the
 * endpoint), around `app`, the app derived from the contract.
 */
const guard = (
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>,
  options: {
    readonly token: Redacted.Redacted<string>
    readonly port: number
    readonly maxBodyBytes: number
  },
) => {
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
    if (match?.[1] === undefined || !TokenFile.matches(options.token, match[1])) {
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
    if (route.path === OpenApiPath) {
      return HttpServerResponse.unsafeJson(openApiDocument(), { headers: { "cache-control": "no-store" } })
    }
    let forward = request
    if (route.method === "POST") {
      const refusal = contentTypeRefusal(request.headers["content-type"])
      if (refusal !== undefined) return yield* refusal
      const text = yield* readBody(request, options.maxBodyBytes)
      yield* Effect.try({
        try: (): unknown => JSON.parse(text),
        catch: () => refuse("bad_request", "The request body is not valid JSON."),
      })
      // The body was read here, bounded; the contract's handlers decode it from this copy.
      forward = HttpServerRequest.fromWeb(
        new Request(new URL(request.url, `http://127.0.0.1:${options.port}`), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
        }),
      )
    }
    const response = yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, forward)
    return response.status === 200
      ? HttpServerResponse.setHeader(response, "cache-control", "no-store")
      : response
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
    const app = yield* contractApp.pipe(Effect.provideService(BridgeActions, actions))
    yield* server.serve(
      guard(app, { token: options.token, port, maxBodyBytes: options.maxBodyBytes ?? MaxRequestBodyBytes }),
    )
    return { host: "127.0.0.1", port, url: `http://127.0.0.1:${port}` } as const
  })

export const layer = (options: BridgeHttpServerOptions) =>
  Layer.scoped(BridgeHttpServer, serveBridgeApi(options))
