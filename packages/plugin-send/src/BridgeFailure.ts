/**
 * What a failed bridge call means for the model: the bridge's own message (it already says what to
 * do), prefixed with whether anything went out, and for a send whose fate is unknown, how to retry
 * it without any risk of sending twice.
 */
import { type BridgeErrors, ToolError } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

export interface FailureContext {
  /** What was attempted, e.g. "the message", "the reaction". */
  readonly what: string
  /** The key the send carried, so an uncertain send can be retried safely. */
  readonly idempotencyKey?: string
}

/**
 * The bridge's refusals that mean nothing was handed to WhatsApp, so the model can be told so
 * plainly. Spelled out per code, so a new code must be placed here before it compiles.
 */
const refusedBeforeSending: { readonly [C in BridgeErrors.BridgeErrorCode]: boolean } = {
  bridge_unauthorized: true,
  request_refused: false,
  not_found: false,
  method_not_allowed: false,
  bad_request: true,
  payload_too_large: false,
  unsupported_content_type: false,
  whatsapp_not_connected: true,
  invalid_recipient: true,
  not_on_whatsapp: true,
  message_not_found: true,
  no_messages_stored: true,
  history_request_pending: true,
  media_unavailable: false,
  file_not_allowed: true,
  file_not_found: true,
  file_too_large: true,
  unsupported_media: true,
  conversion_failed: true,
  rate_limited: true,
  send_failed: false,
  internal_error: false,
}

const fail = (message: string) => Effect.fail(new ToolError({ message }))

/** Turns a bridge call's failure into what the tool answers the model. */
export const explain =
  (context: FailureContext) =>
  <A, R>(call: Effect.Effect<A, BridgeErrors.BridgeClientError, R>): Effect.Effect<A, ToolError, R> => {
    const notSent = `Nothing was sent: ${context.what} did not go out.`
    return call.pipe(
      Effect.catchTags({
        BridgeUnavailable: (error) => fail(`${error.message} ${notSent}`),
        BridgeTimeout: () => {
          const retry =
            context.idempotencyKey === undefined
              ? "Calling again is safe."
              : `Check with list_messages whether it arrived before anything else; calling again with idempotency_key "${context.idempotencyKey}" can never send it twice.`
          return fail(
            `The WhatsApp bridge did not answer in time, so it is not known whether ${context.what} went out. ${retry}`,
          )
        },
        BridgeUnexpectedResponse: (error) => fail(error.message),
        BridgeError: (error) => {
          if (error.code === "bridge_unauthorized") return fail(`${error.message} ${notSent}`)
          if (error.code === "whatsapp_not_connected") {
            return fail(`${notSent} WhatsApp is not connected: ${error.message}`)
          }
          return fail(refusedBeforeSending[error.code] ? `${notSent} ${error.message}` : error.message)
        },
      }),
    )
  }
