/**
 * What can go wrong when the MCP server asks the bridge for something. When the bridge answers, it
 * is the contract's own `BridgeError`, whose stable `code` says what happened (`not_on_whatsapp`,
 * `file_not_found`, …) and whose message says what to do. When it does not, it is one of the
 * client's own few errors below.
 */
import { BridgeError, BridgeErrorCode } from "@whatsapp-mcp/core/api"
import { Data } from "effect"

export { BridgeError, BridgeErrorCode }

/** Nothing answered at the bridge URL (not running, wrong port, no token yet), or the breaker is open. */
export class BridgeUnavailable extends Data.TaggedError("BridgeUnavailable")<{
  readonly message: string
  /** True when the call was not even attempted because recent calls all failed. */
  readonly circuitOpen: boolean
}> {}

/** The bridge did not answer in time: whether a send went out is not known. */
export class BridgeTimeout extends Data.TaggedError("BridgeTimeout")<{
  readonly message: string
  readonly endpoint: string
}> {}

/** Something answered at the bridge URL, but not as the bridge would: another program, or a wrong URL. */
export class BridgeUnexpectedResponse extends Data.TaggedError("BridgeUnexpectedResponse")<{
  readonly message: string
}> {}

export type BridgeClientError = BridgeError | BridgeUnavailable | BridgeTimeout | BridgeUnexpectedResponse
