/**
 * What a failed bridge call means for the model: the bridge's own message (it already says what to
 * do), prefixed with whether anything went out, and for a send whose fate is unknown, how to retry
 * it without any risk of sending twice.
 */
import type { BridgeErrors } from "@whatsapp-mcp/runtime"
import { Data } from "effect"

/** A bridge call that did not succeed; `code` is the bridge's error code or the client's error kind. */
export class BridgeFailure extends Data.TaggedError("BridgeFailure")<{
  readonly code: string
  readonly message: string
}> {}

export interface FailureContext {
  /** What was attempted, e.g. "the message", "the reaction". */
  readonly what: string
  /** The key the send carried, so an uncertain send can be retried safely. */
  readonly idempotencyKey?: string
}

export const explain =
  (context: FailureContext) =>
  (error: BridgeErrors.BridgeClientError): BridgeFailure => {
    const notSent = `Nothing was sent: ${context.what} did not go out.`
    switch (error._tag) {
      case "BridgeUnavailable":
      case "BridgeUnauthorized":
        return new BridgeFailure({ code: error._tag, message: `${error.message} ${notSent}` })
      case "BridgeTimeout": {
        const retry =
          context.idempotencyKey === undefined
            ? "Calling again is safe."
            : `Check with list_messages whether it arrived before anything else; calling again with idempotency_key "${context.idempotencyKey}" can never send it twice.`
        return new BridgeFailure({
          code: error._tag,
          message: `The WhatsApp bridge did not answer in time, so it is not known whether ${context.what} went out. ${retry}`,
        })
      }
      case "WhatsAppNotConnected":
        return new BridgeFailure({
          code: error._tag,
          message: `${notSent} WhatsApp is not connected: ${error.message}`,
        })
      case "InvalidRecipient":
      case "NotOnWhatsApp":
      case "FileNotAllowed":
      case "RateLimited":
        return new BridgeFailure({ code: error._tag, message: `${notSent} ${error.message}` })
      case "MediaUnavailable":
        return new BridgeFailure({ code: error._tag, message: error.message })
      case "BridgeRejected":
        return new BridgeFailure({
          code: error.code,
          message:
            error.code === "message_not_found" ||
            error.code === "bad_request" ||
            error.code.startsWith("file_") ||
            error.code === "unsupported_media" ||
            error.code === "conversion_failed"
              ? `${notSent} ${error.message}`
              : error.message,
        })
    }
  }
