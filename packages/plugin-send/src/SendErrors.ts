/**
 * Refusals of the send plugin itself, before anything reaches the bridge. Each message says why and
 * what the user (not the model) can change in the config file, since these are the user's limits.
 */
import type { Confirmation } from "@whatsapp-mcp/runtime"
import { Data } from "effect"

const configHint = "in the `plugins.send` section of whatsapp-mcp.config.json, then restart the MCP server"

/** The recipient is not in `allowedRecipients`. */
export class RecipientNotAllowed extends Data.TaggedError("RecipientNotAllowed")<{
  readonly recipient: string
}> {
  override get message(): string {
    return `Not sent: ${this.recipient} is not in the allowed recipients (plugins.send.allowedRecipients). Tell the user; do not try another way. To allow it, the user adds "${this.recipient}" to "allowedRecipients" ${configHint}.`
  }
}

/** File sending is off, or the file is outside every allowed folder. */
export class FileNotAllowed extends Data.TaggedError("FileNotAllowed")<{
  readonly path: string
  /** The configured roots; empty when file sending is off. */
  readonly roots: ReadonlyArray<string>
}> {
  override get message(): string {
    if (this.roots.length === 0) {
      return `Not sent: sending files is off because no folders are allowed. To enable it, the user lists the folders files may be sent from as "allowedFileRoots" (e.g. ["~/outbox"]) ${configHint}.`
    }
    return `Not sent: ${this.path} is not inside the folders files may be sent from (${this.roots.join(", ")}), once symlinks and .. are resolved. Ask the user to move the file into one of them, or to add its folder to "allowedFileRoots" ${configHint}.`
  }
}

export class FileNotFound extends Data.TaggedError("FileNotFound")<{ readonly path: string }> {
  override get message(): string {
    return `Not sent: there is no file at ${this.path}. Check the path with the user (it must be the full path).`
  }
}

export class FileTooLarge extends Data.TaggedError("FileTooLarge")<{
  readonly path: string
  readonly size: number
  readonly limit: number
}> {
  override get message(): string {
    const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`
    return `Not sent: ${this.path} is ${mb(this.size)}, above the limit of ${mb(this.limit)} (plugins.send.maxFileBytes). Send a smaller file, or the user raises "maxFileBytes" ${configHint}.`
  }
}

export class UnsupportedFile extends Data.TaggedError("UnsupportedFile")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `Not sent: ${this.path} ${this.reason}`
  }
}

/** More sends in the last minute than `sendsPerMinute` allows. */
export class SendLimitReached extends Data.TaggedError("SendLimitReached")<{
  readonly limit: number
  readonly retryInSeconds: number
}> {
  override get message(): string {
    return `Not sent: at most ${this.limit} messages and reactions per minute (plugins.send.sendsPerMinute). Wait ${this.retryInSeconds} s before sending again, and check with the user that so many sends are intended.`
  }
}

/**
 * The person did not accept the send when their client asked: they declined or dismissed it, no
 * answer came in time, or the client's answer could not be read. Nothing was sent either way.
 */
export class SendNotConfirmed extends Data.TaggedError("SendNotConfirmed")<{
  readonly answer:
    | "declined"
    | "cancelled"
    | Confirmation.ConfirmationTimeout
    | Confirmation.ConfirmationFailed
}> {
  override get message(): string {
    switch (this.answer) {
      case "declined":
        return "Not sent: the user declined this send when asked to confirm it. Do not send it again unless the user asks for it; ask them what to change."
      case "cancelled":
        return "Not sent: the user dismissed the confirmation without accepting it. Do not send it unless the user asks again."
      default:
        return `Not sent: ${this.answer.message}`
    }
  }
}
