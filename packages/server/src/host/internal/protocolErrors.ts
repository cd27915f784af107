/**
 * JSON-RPC errors as the MCP adapter answers them. The SDK (1.32) answers a request whose params
 * break the method's schema with -32603 Internal error and the validator's raw dump
 * (typescript-sdk#2284), and an `McpError` thrown by a handler reaches TypeScript clients as
 * `MCP error -32602: MCP error -32602: …`. Requests are therefore checked here before the SDK sees
 * them, and handlers throw `ProtocolError`, whose message travels as it is.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import {
  ErrorCode,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
} from "@modelcontextprotocol/sdk/types.js"

/** MCP's code for a resource URI the server does not have. */
export const ResourceNotFound = -32002

/**
 * An error a request handler throws to answer with a JSON-RPC error: the SDK sends `code`, `message`
 * and `data` as they are, where `McpError` would put its own "MCP error <code>:" before the message.
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError"
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

/** One failed check, as the SDK's request schemas (Zod 4) report it. */
interface ParamsIssue {
  readonly code: string
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
  readonly expected?: unknown
  readonly values?: ReadonlyArray<unknown>
}

/** A method's request schema, as far as the check needs it: the SDK's `*RequestSchema` objects. */
export interface RequestSchema {
  readonly shape: { readonly method: { readonly value: string } }
  readonly safeParse: (
    value: unknown,
  ) =>
    | { readonly success: true }
    | { readonly success: false; readonly error: { readonly issues: ReadonlyArray<ParamsIssue> } }
}

const describeValue = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string":
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
    case "object":
      return "an object"
    default:
      return String(value)
  }
}

/** Zod's name for a type, as a client author says it. */
const typeName = (expected: string) => (expected === "record" ? "object" : expected)

const article = (expected: string) => {
  const type = typeName(expected)
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

/** One line per problem, naming the param by its path under `params` and what it must be. */
const describeIssue = (request: JSONRPCRequest, issue: ParamsIssue): string => {
  const inParams = issue.path[0] === "params" ? issue.path.slice(1) : issue.path
  const name = inParams.length === 0 ? "params" : inParams.map(String).join(".")
  const actual = issue.path.reduce<unknown>(
    (value, key) =>
      typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    request,
  )
  if (issue.code === "invalid_type" && typeof issue.expected === "string") {
    return actual === undefined
      ? `\`${name}\` is required: ${article(issue.expected)}`
      : `\`${name}\` must be ${article(issue.expected)}, not ${describeValue(actual)}`
  }
  if (issue.code === "invalid_value" && issue.values !== undefined) {
    return `\`${name}\` must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, not ${describeValue(actual)}`
  }
  return `\`${name}\`: ${issue.message}`
}

/** The error to answer a request with when its params break its method's schema, else undefined. */
export const paramsError = (
  request: JSONRPCRequest,
  schema: RequestSchema,
): { code: number; message: string } | undefined => {
  const parsed = schema.safeParse({ method: request.method, params: request.params })
  if (parsed.success) return undefined
  const problems = parsed.error.issues.map((issue) => describeIssue(request, issue))
  return {
    code: ErrorCode.InvalidParams,
    message: `Invalid params for ${request.method}: ${problems.join("; ")}.`,
  }
}

/**
 * Wraps a transport so that a request for one of `schemas`' methods whose params break the schema is
 * answered with -32602 and a readable message, and never reaches the SDK. Callbacks set on the
 * wrapped transport before it starts keep being called, as the SDK itself does.
 */
export const checkRequestParams = (
  transport: Transport,
  schemas: ReadonlyArray<RequestSchema>,
): Transport => {
  const byMethod = new Map(schemas.map((schema) => [schema.shape.method.value, schema]))
  const checked: Transport = {
    start: () => {
      const onclose = transport.onclose
      const onerror = transport.onerror
      const onmessage = transport.onmessage
      transport.onclose = () => {
        onclose?.()
        checked.onclose?.()
      }
      transport.onerror = (error) => {
        onerror?.(error)
        checked.onerror?.(error)
      }
      transport.onmessage = <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => {
        onmessage?.(message, extra)
        const schema = isJSONRPCRequest(message) ? byMethod.get(message.method) : undefined
        const error = schema === undefined ? undefined : paramsError(message as JSONRPCRequest, schema)
        if (error === undefined) return checked.onmessage?.(message, extra)
        const id = (message as JSONRPCRequest).id
        transport
          .send({ jsonrpc: "2.0", id, error })
          .catch((cause: unknown) =>
            checked.onerror?.(cause instanceof Error ? cause : new Error(String(cause))),
          )
      }
      return transport.start()
    },
    send: (message, options) => transport.send(message, options),
    close: () => transport.close(),
    get sessionId() {
      return transport.sessionId
    },
    setProtocolVersion: (version) => transport.setProtocolVersion?.(version),
  }
  return checked
}
