/**
 * What can go wrong when the MCP server asks the bridge for something, one class per thing a model
 * (or user) would do differently. Each message says what happened and what to do.
 */
import type { BridgeErrorCode } from "@whatsapp-mcp/core/api"
import { Data } from "effect"

/** Nothing answered at the bridge URL (not running, wrong port), or the breaker is open. */
export class BridgeUnavailable extends Data.TaggedError("BridgeUnavailable")<{
  readonly message: string
  /** True when the call was not even attempted because recent calls all failed. */
  readonly circuitOpen: boolean
}> {}

export class BridgeTimeout extends Data.TaggedError("BridgeTimeout")<{
  readonly message: string
  readonly endpoint: string
}> {}

export class BridgeUnauthorized extends Data.TaggedError("BridgeUnauthorized")<{
  readonly message: string
}> {}

export class WhatsAppNotConnected extends Data.TaggedError("WhatsAppNotConnected")<{
  readonly message: string
}> {}

export class InvalidRecipient extends Data.TaggedError("InvalidRecipient")<{ readonly message: string }> {}

export class NotOnWhatsApp extends Data.TaggedError("NotOnWhatsApp")<{ readonly message: string }> {}

export class MediaUnavailable extends Data.TaggedError("MediaUnavailable")<{ readonly message: string }> {}

export class FileNotAllowed extends Data.TaggedError("FileNotAllowed")<{ readonly message: string }> {}

export class RateLimited extends Data.TaggedError("RateLimited")<{ readonly message: string }> {}

/** Any other refusal from the bridge, with its stable code (message_not_found, file_too_large, …). */
export class BridgeRejected extends Data.TaggedError("BridgeRejected")<{
  readonly code: BridgeErrorCode | "unexpected_response"
  readonly message: string
  readonly field?: string
}> {}

export type BridgeClientError =
  | BridgeUnavailable
  | BridgeTimeout
  | BridgeUnauthorized
  | WhatsAppNotConnected
  | InvalidRecipient
  | NotOnWhatsApp
  | MediaUnavailable
  | FileNotAllowed
  | RateLimited
  | BridgeRejected

/** Turns the bridge's JSON error into the matching class. */
export const fromBridgeError = (error: {
  readonly code: BridgeErrorCode
  readonly message: string
  readonly field?: string | undefined
}): BridgeClientError => {
  const { message } = error
  switch (error.code) {
    case "bridge_unauthorized":
      return new BridgeUnauthorized({ message })
    case "whatsapp_not_connected":
      return new WhatsAppNotConnected({ message })
    case "invalid_recipient":
      return new InvalidRecipient({ message })
    case "not_on_whatsapp":
      return new NotOnWhatsApp({ message })
    case "media_unavailable":
      return new MediaUnavailable({ message })
    case "file_not_allowed":
      return new FileNotAllowed({ message })
    case "rate_limited":
      return new RateLimited({ message })
    default:
      return new BridgeRejected(
        error.field === undefined
          ? { code: error.code, message }
          : { code: error.code, message, field: error.field },
      )
  }
}
