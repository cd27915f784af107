/**
 * What a handler can do while it runs: report progress to the client (when the client asked for it)
 * and send log messages through the MCP logging capability.
 */
import { Context, Effect } from "effect"

export type LogLevel = "debug" | "info" | "notice" | "warning" | "error"

export interface ToolContextService {
  /** The name of the tool being called. */
  readonly tool: string
  /** Reports progress; does nothing when the client did not ask for progress. */
  readonly progress: (progress: number, total?: number, message?: string) => Effect.Effect<void>
  /** Sends a log message to the client (and to stderr). */
  readonly log: (level: LogLevel, message: string) => Effect.Effect<void>
}

export class ToolContext extends Context.Tag("@whatsapp-mcp/runtime/ToolContext")<
  ToolContext,
  ToolContextService
>() {}

/** Reports progress of the current call, if the client asked for progress. */
export const progress = (
  progress: number,
  total?: number,
  message?: string,
): Effect.Effect<void, never, ToolContext> =>
  Effect.flatMap(ToolContext, (context) => context.progress(progress, total, message))
