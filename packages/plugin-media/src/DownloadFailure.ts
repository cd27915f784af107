/**
 * What a failed download means for the model: the bridge's message (it says what to do), with the
 * two cases a model meets most spelled out: no bridge, and media WhatsApp no longer has.
 */
import type { BridgeErrors } from "@whatsapp-mcp/runtime"
import { Data } from "effect"

export class DownloadFailure extends Data.TaggedError("DownloadFailure")<{
  readonly code: string
  readonly message: string
}> {}

export const explain = (error: BridgeErrors.BridgeClientError): DownloadFailure => {
  switch (error._tag) {
    case "MediaUnavailable":
      return new DownloadFailure({
        code: error._tag,
        message: `The media could not be downloaded: ${error.message} Tell the user; the text of the message is still in list_messages.`,
      })
    case "WhatsAppNotConnected":
      return new DownloadFailure({
        code: error._tag,
        message: `Media not downloaded: WhatsApp is not connected: ${error.message}`,
      })
    case "BridgeRejected":
      return new DownloadFailure({ code: error.code, message: error.message })
    default:
      return new DownloadFailure({ code: error._tag, message: error.message })
  }
}
