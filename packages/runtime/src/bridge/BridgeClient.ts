/**
 * The bridge client as plugins see it: one method per endpoint of the bridge's HTTP contract
 * (`@whatsapp-mcp/core/http-api`), with the contract's request and answer types, each failing with
 * a `BridgeClientError`. The server provides it (over HTTP, with the token, timeouts, retries where
 * repeating cannot send twice, and a circuit breaker); the test kit's `mockBridge` stands in for the
 * bridge in a plugin's tests.
 */
import type {
  DownloadRequest,
  DownloadResult,
  FetchHistoryRequest,
  FetchHistoryResult,
  Health,
  MarkReadRequest,
  MarkReadResult,
  ReactRequest,
  ReactResult,
  SendFileRequest,
  SendResult,
  SendTextRequest,
  SendVoiceRequest,
} from "@whatsapp-mcp/core/api"
import { Context, type Effect } from "effect"
import type { BridgeClientError } from "./BridgeClientError.js"

/** The state of the client's circuit breaker: closed (counting failures), open until a time, or probing. */
export type CircuitState =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number }
  | { readonly _tag: "HalfOpen" }

export interface BridgeClientService {
  readonly health: Effect.Effect<Health, BridgeClientError>
  /**
   * Health asked once, outside the circuit breaker and without retries: for a status line, so
   * asking how the bridge is never counts against the calls that act.
   */
  readonly probeHealth: Effect.Effect<Health, BridgeClientError>
  readonly sendText: (request: SendTextRequest) => Effect.Effect<SendResult, BridgeClientError>
  readonly sendFile: (request: SendFileRequest) => Effect.Effect<SendResult, BridgeClientError>
  readonly sendVoice: (request: SendVoiceRequest) => Effect.Effect<SendResult, BridgeClientError>
  readonly react: (request: ReactRequest) => Effect.Effect<ReactResult, BridgeClientError>
  readonly markRead: (request: MarkReadRequest) => Effect.Effect<MarkReadResult, BridgeClientError>
  readonly download: (request: DownloadRequest) => Effect.Effect<DownloadResult, BridgeClientError>
  /** Asks the phone for older messages of a chat and waits (as the request says) for them to be stored. */
  readonly fetchHistory: (
    request: FetchHistoryRequest,
  ) => Effect.Effect<FetchHistoryResult, BridgeClientError>
  readonly circuit: Effect.Effect<CircuitState>
}

export class BridgeClient extends Context.Tag("@whatsapp-mcp/runtime/BridgeClient")<
  BridgeClient,
  BridgeClientService
>() {}
