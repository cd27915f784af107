/**
 * Asking the person at the client to confirm an action before a tool does it, through MCP
 * elicitation: the client shows the message with accept, decline and cancel. The server provides
 * this service for each call from what the client declared at initialize, so a handler never needs
 * to know the transport; where the client cannot show a form, `ask` answers "unavailable" at once.
 */
import { Context, Duration, Effect, Schema } from "effect"

/**
 * How the person answered. `unavailable`: the client cannot ask (no form-mode elicitation), so the
 * tool decides what to do without an answer, as it did before confirmations existed.
 */
export type Outcome = "accepted" | "declined" | "cancelled" | "unavailable"

export interface Request {
  /**
   * What the person reads, as plain text: what will be done, to whom, with what. Anything a sender
   * chose (a name, a message) must be quoted, so that it cannot read as a line of the request.
   */
  readonly message: string
  /** How long to wait for an answer before giving up; default `defaultTimeout`. */
  readonly timeout?: Duration.DurationInput
}

/** Long enough to read a message and decide; a client's own call timeout may end the wait earlier. */
export const defaultTimeout: Duration.Duration = Duration.minutes(2)

/** Nobody answered within the time limit; the request was withdrawn from the client. */
export class ConfirmationTimeout extends Schema.TaggedError<ConfirmationTimeout>()("ConfirmationTimeout", {
  seconds: Schema.Number,
}) {
  override get message(): string {
    return `Nobody answered the confirmation within ${this.seconds} s, so nothing was done. Ask the user whether to try again.`
  }
}

/** The client answered with something that is not an answer to the form, or the request failed. */
export class ConfirmationFailed extends Schema.TaggedError<ConfirmationFailed>()("ConfirmationFailed", {
  reason: Schema.String,
}) {
  override get message(): string {
    return `The confirmation could not be completed (${this.reason}), so nothing was done. Tell the user; try again only if they ask.`
  }
}

export interface ConfirmationService {
  /** Whether the client can show a confirmation (it declared form-mode elicitation). */
  readonly available: boolean
  /** Shows the request to the person and waits for their answer, at most the request's timeout. */
  readonly ask: (request: Request) => Effect.Effect<Outcome, ConfirmationTimeout | ConfirmationFailed>
}

export class Confirmation extends Context.Tag("@whatsapp-mcp/runtime/Confirmation")<
  Confirmation,
  ConfirmationService
>() {}

/** For a client that cannot ask the person (and for calls made outside any client). */
export const unavailable: ConfirmationService = {
  available: false,
  ask: () => Effect.succeed("unavailable"),
}

/** Asks the person at the client to confirm; see `ConfirmationService.ask`. */
export const ask = (
  request: Request,
): Effect.Effect<Outcome, ConfirmationTimeout | ConfirmationFailed, Confirmation> =>
  Effect.flatMap(Confirmation, (confirmation) => confirmation.ask(request))
