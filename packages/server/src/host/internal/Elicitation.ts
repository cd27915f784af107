/**
 * The runtime's Confirmation service for one tool call, as MCP elicitation in form mode: the request
 * travels with the call (over HTTP, on the call's own response stream), and waiting for it ends
 * when the time limit passes or the call is cancelled, either of which withdraws the request from
 * the client.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { ErrorCode, McpError, type RequestId } from "@modelcontextprotocol/sdk/types.js"
import { Confirmation } from "@whatsapp-mcp/runtime"
import { Duration, Effect } from "effect"

/** An empty form: the person answers with accept, decline or cancel; the message says what is asked. */
const noFields = { type: "object" as const, properties: {} }

/** The client's words, on one line and bounded: they end up in what the model reads. */
const brief = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

const failure = (error: unknown, seconds: number) => {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new Confirmation.ConfirmationTimeout({ seconds })
  }
  if (error instanceof McpError) {
    return new Confirmation.ConfirmationFailed({
      reason: `the client answered with an error: ${brief(error.message)}`,
    })
  }
  // The SDK checks the answer against the result schema; anything else it refuses lands here.
  return new Confirmation.ConfirmationFailed({
    reason: "the client's answer was not one of accept, decline or cancel",
  })
}

/** Confirmation for the call `requestId` on `server`; unavailable when the client cannot show a form. */
export const forCall = (server: Server, requestId: RequestId): Confirmation.ConfirmationService => {
  // An `elicitation: {}` capability already reads as form mode here (the SDK fills it in at initialize).
  if (server.getClientCapabilities()?.elicitation?.form === undefined) return Confirmation.unavailable
  return {
    available: true,
    ask: (request) => {
      const timeout = Duration.decode(request.timeout ?? Confirmation.defaultTimeout)
      const seconds = Math.round(Duration.toSeconds(timeout) * 10) / 10
      return Effect.tryPromise({
        try: (signal) =>
          server.elicitInput(
            { mode: "form", message: request.message, requestedSchema: noFields },
            { relatedRequestId: requestId, signal, timeout: Duration.toMillis(timeout) },
          ),
        catch: (error) => failure(error, seconds),
      }).pipe(
        Effect.map(
          (answer): Confirmation.Outcome =>
            answer.action === "accept" ? "accepted" : answer.action === "decline" ? "declined" : "cancelled",
        ),
      )
    },
  }
}
