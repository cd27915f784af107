/**
 * The bridge client as plugins see it: one method per endpoint of the bridge's HTTP contract
 * (`@whatsapp-mcp/core/api`), each failing with a `BridgeClientError`. The server provides it (over
 * HTTP, with the token, timeouts, retries where repeating cannot send twice, and a circuit breaker);
 * the test kit's `mockBridge` stands in for the bridge in a plugin's tests.
 */
import type { BridgeEndpointName, EndpointRequest, EndpointResponse } from "@whatsapp-mcp/core/api"
import { Context, type Effect } from "effect"
import type { BridgeClientError } from "./BridgeClientError.js"

/** The state of the client's circuit breaker: closed (counting failures), open until a time, or probing. */
export type CircuitState =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number }
  | { readonly _tag: "HalfOpen" }

export interface BridgeClientService {
  readonly call: <N extends BridgeEndpointName>(
    name: N,
    request: EndpointRequest<N>,
  ) => Effect.Effect<EndpointResponse<N>, BridgeClientError>
  readonly health: Effect.Effect<EndpointResponse<"health">, BridgeClientError>
  /**
   * Health asked once, outside the circuit breaker and without retries: for a status line, so
   * asking how the bridge is never counts against the calls that act.
   */
  readonly probeHealth: Effect.Effect<EndpointResponse<"health">, BridgeClientError>
  readonly sendText: (
    request: EndpointRequest<"sendText">,
  ) => Effect.Effect<EndpointResponse<"sendText">, BridgeClientError>
  readonly sendFile: (
    request: EndpointRequest<"sendFile">,
  ) => Effect.Effect<EndpointResponse<"sendFile">, BridgeClientError>
  readonly sendVoice: (
    request: EndpointRequest<"sendVoice">,
  ) => Effect.Effect<EndpointResponse<"sendVoice">, BridgeClientError>
  readonly react: (
    request: EndpointRequest<"react">,
  ) => Effect.Effect<EndpointResponse<"react">, BridgeClientError>
  readonly markRead: (
    request: EndpointRequest<"markRead">,
  ) => Effect.Effect<EndpointResponse<"markRead">, BridgeClientError>
  readonly download: (
    request: EndpointRequest<"download">,
  ) => Effect.Effect<EndpointResponse<"download">, BridgeClientError>
  readonly circuit: Effect.Effect<CircuitState>
}

export class BridgeClient extends Context.Tag("@whatsapp-mcp/runtime/BridgeClient")<
  BridgeClient,
  BridgeClientService
>() {}
