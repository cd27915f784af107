/**
 * What a failed download means for the model: the bridge's message (it says what to do), with the
 * two cases a model meets most spelled out: WhatsApp not connected, and media WhatsApp no longer has.
 */
import { type BridgeErrors, ToolError } from "@whatsapp-mcp/runtime"
import { Effect } from "effect"

const fail = (message: string) => Effect.fail(new ToolError({ message }))

/** Turns a download's failure into what the tool answers the model. */
export const explain = <A, R>(
  download: Effect.Effect<A, BridgeErrors.BridgeClientError, R>,
): Effect.Effect<A, ToolError, R> =>
  download.pipe(
    Effect.catchTags({
      BridgeError: (error) => {
        switch (error.code) {
          case "media_unavailable":
            return fail(
              `The media could not be downloaded: ${error.message} Tell the user; the text of the message is still in list_messages.`,
            )
          case "whatsapp_not_connected":
            return fail(`Media not downloaded: WhatsApp is not connected: ${error.message}`)
          default:
            return fail(error.message)
        }
      },
      BridgeUnavailable: (error) => fail(error.message),
      BridgeTimeout: (error) => fail(error.message),
      BridgeUnexpectedResponse: (error) => fail(error.message),
    }),
  )
