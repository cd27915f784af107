/**
 * The bridge's HTTP contract as an `HttpApi`: every endpoint's method, path, payload and answer,
 * and the one error shape at the status its code travels with. The bridge's handlers, the MCP
 * server's client, the test kit's stand-in bridge and the OpenAPI document are all derived from
 * it, so none of them can drift from the others.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Context, Option, Schema } from "effect"
import {
  BridgeApiVersion,
  BridgeError,
  BridgeErrorCode,
  BridgeErrorStatus,
  bridgeErrorToBody,
  DownloadRequest,
  DownloadResult,
  EmptyRequest,
  FetchHistoryRequest,
  FetchHistoryResult,
  Health,
  MarkReadRequest,
  MarkReadResult,
  ReactRequest,
  ReactResult,
  type RetryPolicy,
  SendFileRequest,
  SendResult,
  SendTextRequest,
  SendVoiceRequest,
} from "./BridgeApi.js"

/** When a client may repeat a call to an endpoint (see `RetryPolicy`). */
export class Retry extends Context.Tag("@whatsapp-mcp/core/http-api/Retry")<Retry, RetryPolicy>() {}

/**
 * A request body is checked as strictly as it is described: a field the contract does not name is
 * refused rather than silently dropped, and the first problem found is the one reported.
 */
const strict = { parseOptions: { onExcessProperty: "error", errors: "first" } } as const

/**
 * The wire form of the errors that travel with one HTTP status: `{"error": {"code", "message",
 * "field"?}}` with only that status's codes, decoded straight into `BridgeError`.
 */
const errorsWithStatus = (status: number) => {
  const [first, ...rest] = BridgeErrorCode.literals.filter((code) => BridgeErrorStatus[code] === status)
  if (first === undefined) throw new Error(`No bridge error code travels with HTTP ${status}.`)
  const Code = Schema.Literal(first, ...rest)
  const Wire = Schema.Struct({
    error: Schema.Struct({ code: Code, message: Schema.String, field: Schema.optional(Schema.String) }),
  })
  const WithStatus = Schema.typeSchema(BridgeError).pipe(
    Schema.filter((error) => BridgeErrorStatus[error.code] === status),
  )
  return Schema.transform(Wire, WithStatus, {
    strict: true,
    decode: ({ error }) => new BridgeError(error),
    encode: (error) => bridgeErrorToBody(error),
  }).annotations(
    HttpApiSchema.annotations({
      status,
      identifier: `BridgeError${status}`,
      description: `Refused or failed: ${[first, ...rest].join(", ")}`,
    }),
  )
}

const statuses = [...new Set(Object.values(BridgeErrorStatus))].sort((a, b) => a - b)

/** Every `BridgeError`, each at the status of its code. */
export const BridgeErrorResponse = Schema.Union(...statuses.map(errorsWithStatus))

export class BridgeApiGroup extends HttpApiGroup.make("bridge")
  .add(
    HttpApiEndpoint.get("health", "/v1/health")
      .addSuccess(Health)
      .annotate(Retry, "always")
      .annotate(OpenApi.Summary, "How the bridge, its WhatsApp connection and its store are"),
  )
  .add(
    HttpApiEndpoint.post("sendText", "/v1/messages/text")
      .setPayload(SendTextRequest.annotations(strict))
      .addSuccess(SendResult)
      .annotate(Retry, "with_idempotency_key")
      .annotate(OpenApi.Summary, "Send a text message"),
  )
  .add(
    HttpApiEndpoint.post("sendFile", "/v1/messages/file")
      .setPayload(SendFileRequest.annotations(strict))
      .addSuccess(SendResult)
      .annotate(Retry, "with_idempotency_key")
      .annotate(OpenApi.Summary, "Send a file from an allowed folder, by path"),
  )
  .add(
    HttpApiEndpoint.post("sendVoice", "/v1/messages/voice")
      .setPayload(SendVoiceRequest.annotations(strict))
      .addSuccess(SendResult)
      .annotate(Retry, "with_idempotency_key")
      .annotate(OpenApi.Summary, "Send an audio file as a voice note, by path"),
  )
  .add(
    HttpApiEndpoint.post("react", "/v1/reactions")
      .setPayload(ReactRequest.annotations(strict))
      .addSuccess(ReactResult)
      // Setting the same reaction twice leaves the same state.
      .annotate(Retry, "always")
      .annotate(OpenApi.Summary, "Set or remove a reaction"),
  )
  .add(
    HttpApiEndpoint.post("markRead", "/v1/read")
      .setPayload(MarkReadRequest.annotations(strict))
      .addSuccess(MarkReadResult)
      .annotate(Retry, "always")
      .annotate(OpenApi.Summary, "Mark messages of a chat as read"),
  )
  .add(
    HttpApiEndpoint.post("download", "/v1/media/download")
      .setPayload(DownloadRequest.annotations(strict))
      .addSuccess(DownloadResult)
      .annotate(Retry, "always")
      .annotate(OpenApi.Summary, "Download and decrypt a message's media into the media cache"),
  )
  .add(
    HttpApiEndpoint.post("fetchHistory", "/v1/history/older")
      .setPayload(FetchHistoryRequest.annotations(strict))
      .addSuccess(FetchHistoryResult)
      // A repeat after a lost answer would find the first request still waiting for the phone
      // (refused as pending) or ask the phone twice; the caller reads the store instead.
      .annotate(Retry, "never")
      .annotate(
        OpenApi.Summary,
        "Ask the phone for the messages of a chat before its oldest stored one, and wait a bounded time for them",
      ),
  ) {}

/** Where the bridge serves the OpenAPI document of this contract (token required, like every endpoint). */
export const OpenApiPath = `/v${BridgeApiVersion}/openapi.json`

const platformDecodeErrorRef = "#/components/schemas/HttpApiDecodeError"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The document without the HTTP library's own decode error: the bridge answers every request that
 * does not match the contract with a `BridgeError` (`bad_request`, naming the field) instead.
 */
const withoutPlatformDecodeError = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutPlatformDecodeError)
  if (!isRecord(node)) return node
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) copy[key] = withoutPlatformDecodeError(value)
  const { anyOf, ...rest } = copy
  if (!Array.isArray(anyOf)) return copy
  const kept = anyOf.filter((member) => !(isRecord(member) && member.$ref === platformDecodeErrorRef))
  return kept.length === 1 && isRecord(kept[0]) ? { ...rest, ...kept[0] } : { ...rest, anyOf: kept }
}

export class BridgeHttpApi extends HttpApi.make("whatsapp-bridge")
  .add(BridgeApiGroup)
  // Any endpoint may fail with any code: the token, size and content-type checks come before the
  // endpoint is known, and an unexpected failure is reported the same way everywhere.
  .addError(BridgeErrorResponse)
  .annotate(OpenApi.Title, "whatsapp-mcp bridge")
  .annotate(OpenApi.Version, String(BridgeApiVersion))
  .annotate(
    OpenApi.Description,
    "The WhatsApp bridge's loopback API. Every request needs `Authorization: Bearer <token>` with the token from `<store>/bridge-token`; request bodies are JSON.",
  )
  .annotate(OpenApi.Transform, (spec) => {
    const { HttpApiDecodeError: _, Issue: __, PropertyKey: ___, ...schemas } = spec.components.schemas
    const cleaned = withoutPlatformDecodeError(spec)
    return {
      ...(isRecord(cleaned) ? cleaned : spec),
      components: {
        ...spec.components,
        schemas,
        securitySchemes: { ...spec.components.securitySchemes, bearer: { type: "http", scheme: "bearer" } },
      },
      security: [{ bearer: [] }],
    }
  }) {}

type Endpoints = HttpApiGroup.HttpApiGroup.Endpoints<typeof BridgeApiGroup>

export type BridgeEndpointName = Endpoints["name"]

/** What a call to an endpoint sends (`{}` for one without a body). */
export type EndpointRequest<N extends BridgeEndpointName> = [
  HttpApiEndpoint.HttpApiEndpoint.Payload<HttpApiEndpoint.HttpApiEndpoint.WithName<Endpoints, N>>,
] extends [never]
  ? Record<string, never>
  : HttpApiEndpoint.HttpApiEndpoint.Payload<HttpApiEndpoint.HttpApiEndpoint.WithName<Endpoints, N>>

/** What an endpoint answers when it succeeds. */
export type EndpointResponse<N extends BridgeEndpointName> = HttpApiEndpoint.HttpApiEndpoint.Success<
  HttpApiEndpoint.HttpApiEndpoint.WithName<Endpoints, N>
>

/**
 * One endpoint as data, for code that treats them all alike (a stand-in bridge, recordings, the
 * bridge's routing checks); its Schemas are the contract's, seen untyped.
 */
export interface BridgeEndpoint {
  readonly name: BridgeEndpointName
  readonly method: "GET" | "POST"
  readonly path: string
  readonly retry: RetryPolicy
  /** The request body (an empty object for an endpoint without one). */
  readonly request: Schema.Schema<unknown>
  /** The answer when the call succeeds. */
  readonly response: Schema.Schema<unknown>
}

const isBridgeEndpointName = (name: string): name is BridgeEndpointName => name in BridgeApiGroup.endpoints

const collectEndpoints = (): ReadonlyArray<BridgeEndpoint> => {
  const endpoints: Array<BridgeEndpoint> = []
  HttpApi.reflect(BridgeHttpApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, mergedAnnotations, payloads, successes }) => {
      const { name, method, path } = endpoint
      const payload = [...payloads.values()][0]?.ast
      const success = successes.get(200)?.ast
      if (
        !isBridgeEndpointName(name) ||
        (method !== "GET" && method !== "POST") ||
        success === undefined ||
        Option.isNone(success)
      ) {
        throw new Error(`The bridge contract has an endpoint it cannot describe: ${method} ${path}.`)
      }
      endpoints.push({
        name,
        method,
        path,
        retry: Context.getOrElse(mergedAnnotations, Retry, () => "never"),
        request: Schema.make(payload ?? EmptyRequest.ast),
        response: Schema.make(success.value),
      })
    },
  })
  return endpoints
}

/** Every endpoint of the contract, in the order it declares them. */
export const BridgeEndpoints: ReadonlyArray<BridgeEndpoint> = collectEndpoints()

/** The contract's endpoint of that name. */
export const bridgeEndpoint = (name: BridgeEndpointName): BridgeEndpoint => {
  const found = BridgeEndpoints.find((endpoint) => endpoint.name === name)
  if (found === undefined) throw new Error(`The bridge contract has no endpoint ${name}.`)
  return found
}

/** The OpenAPI 3 document of the contract. */
export const openApiDocument = (): OpenApi.OpenAPISpec => OpenApi.fromApi(BridgeHttpApi)
