/**
 * What the HTTP API does, one function per endpoint of the contract. The HTTP server only guards,
 * and the handlers derived from the contract decode and encode; the live bridge and the replay bridge provide their own implementation.
 */

import type { BridgeError } from "@whatsapp-mcp/core/api"
import type { BridgeEndpointName, EndpointRequest, EndpointResponse } from "@whatsapp-mcp/core/http-api"
import { Context, type Effect } from "effect"

export type BridgeActionsShape = {
  readonly [N in BridgeEndpointName]: (
    request: EndpointRequest<N>,
  ) => Effect.Effect<EndpointResponse<N>, BridgeError>
}

export class BridgeActions extends Context.Tag("@whatsapp-mcp/bridge/BridgeActions")<
  BridgeActions,
  BridgeActionsShape
>() {}
