/**
 * Errors every plugin may raise. Each message is written for the model: it says what was wrong and
 * what to do next, because the model reads it as it is.
 */
import { Schema } from "effect"

/** A failure with a message of the plugin's choosing, for cases no more specific error fits. */
export class ToolError extends Schema.TaggedError<ToolError>()("ToolError", {
  message: Schema.String,
}) {}

/** An argument that decoded as a value but does not make sense (an unknown chat, a bad date). */
export class InvalidArgument extends Schema.TaggedError<InvalidArgument>()("InvalidArgument", {
  argument: Schema.String,
  problem: Schema.String,
}) {
  override get message(): string {
    return `Invalid argument "${this.argument}": ${this.problem}`
  }
}

/** A tool whose definition is published but whose behaviour is not part of this version. */
export class NotAvailableYet extends Schema.TaggedError<NotAvailableYet>()("NotAvailableYet", {
  tool: Schema.String,
}) {
  override get message(): string {
    return `The tool ${this.tool} is not available yet in this version of whatsapp-mcp. Tell the user it cannot be done yet; do not retry.`
  }
}

/** The store cannot be read: it does not exist yet, or it is not a whatsapp-mcp store. */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  path: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `The WhatsApp message store at ${this.path} cannot be read: ${this.reason}`
  }
}
