/**
 * What the HTTP API does, one function per endpoint of the contract. The HTTP server only decodes,
 * guards and encodes; the live bridge and the replay bridge provide their own implementation.
 */

import type {
  BridgeEndpointName,
  BridgeError,
  EndpointRequest,
  EndpointResponse,
} from "@whatsapp-mcp/core/api"
import { Context, type Effect } from "effect"

export type BridgeActionsShape = {
  readonly [N in BridgeEndpointName]: (
    request: EndpointRequest<N>,
  ) => Effect.Effect<EndpointResponse<N>, BridgeError>
}

export class BridgeActions extends Context.Tag("whatsapp-mcp/bridge/BridgeActions")<
  BridgeActions,
  BridgeActionsShape
>() {}
