/**
 * Serves tools over MCP with the official SDK's low-level Server, so that the JSON Schemas clients
 * see are derived from the tools' Effect Schemas. tools/call decodes arguments with the tool's input
 * Schema, runs the handler as a fiber (a client's cancellation interrupts it), and answers with
 * `structuredContent` plus the tool's text rendering. Typed failures become `isError` results whose
 * message a model can act on; defects become a generic `isError` result and go to stderr in full.
 */
import type { SqlClient as SqlClientNs } from "@effect/sql"
import { SqlClient } from "@effect/sql"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  type Tool as McpTool,
} from "@modelcontextprotocol/sdk/types.js"
import { Cause, Effect, Either, Exit, type ManagedRuntime, Option, Schema } from "effect"
import { formatIssues } from "./Config.js"
import { objectJsonSchema } from "./internal/jsonSchema.js"
import type { ServedTool } from "./PluginLoader.js"
import type { StoreService } from "./Store.js"
import type * as Tool from "./Tool.js"
import { type LogLevel, ToolContext } from "./ToolContext.js"

export interface ServerInfo {
  readonly name: string
  readonly version: string
  /** Sent at initialize: how the tools fit together, for the model. */
  readonly instructions?: string | undefined
}

export interface ServeOptions {
  readonly info: ServerInfo
  readonly tools: ReadonlyArray<ServedTool>
  // biome-ignore lint/suspicious/noExplicitAny: the services plugins provide are only known at run time
  readonly runtime: ManagedRuntime.ManagedRuntime<any, unknown>
  readonly store: StoreService
  /** Where diagnostics go; never stdout. */
  readonly log: (line: string) => void
}

const describeFailure = (failure: unknown): string => {
  if (typeof failure === "object" && failure !== null) {
    const tagged = failure as { _tag?: unknown; message?: unknown }
    if (tagged._tag === "SqlError") {
      return `The message store could not be read (${String(tagged.message)}). If the bridge was just started or is migrating, try again in a moment.`
    }
    if (typeof tagged.message === "string" && tagged.message !== "") return tagged.message
  }
  return String(failure)
}

const errorResult = (text: string): CallToolResult => ({ content: [{ type: "text", text }], isError: true })

/** The MCP description of a tool, as tools/list returns it. */
export const describeTool = (tool: Tool.Any): McpTool => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: objectJsonSchema(tool.input, tool.name, "input") as McpTool["inputSchema"],
  outputSchema: objectJsonSchema(tool.output, tool.name, "output") as McpTool["outputSchema"],
  annotations: { title: tool.title, ...tool.annotations },
})

const stderrLevel: Record<LogLevel, LoggingLevel> = {
  debug: "debug",
  info: "info",
  notice: "notice",
  warning: "warning",
  error: "error",
}

export const makeServer = (options: ServeOptions): Server => {
  const { runtime, store, log } = options
  const server = new Server(
    { name: options.info.name, version: options.info.version },
    {
      capabilities: { tools: { listChanged: false }, logging: {} },
      ...(options.info.instructions !== undefined ? { instructions: options.info.instructions } : {}),
    },
  )
  const byName = new Map(options.tools.map((served) => [served.tool.name, served]))
  // Computed once: the schemas cannot change while the server runs.
  const listing = options.tools.map(({ tool }) => describeTool(tool))

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listing }))

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name
    const served = byName.get(name)
    if (served === undefined) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${name}". Available tools: ${[...byName.keys()].join(", ")}`,
      )
    }
    const { tool } = served
    const input = Schema.decodeUnknownEither(tool.input, { errors: "all", onExcessProperty: "error" })(
      request.params.arguments ?? {},
    )
    if (Either.isLeft(input)) {
      return errorResult(`Invalid arguments for ${name}:\n${formatIssues(input.left)}`)
    }

    const progressToken = request.params._meta?.progressToken
    const context = ToolContext.of({
      tool: name,
      progress: (progress, total, message) =>
        progressToken === undefined
          ? Effect.void
          : Effect.promise(() =>
              extra
                .sendNotification({
                  method: "notifications/progress",
                  params: {
                    progressToken,
                    progress,
                    ...(total !== undefined ? { total } : {}),
                    ...(message !== undefined ? { message } : {}),
                  },
                })
                .catch(() => undefined),
            ),
      log: (level, message) =>
        Effect.sync(() => log(`[${level}] ${name}: ${message}`)).pipe(
          Effect.zipRight(
            Effect.promise(() =>
              server
                .sendLoggingMessage({ level: stderrLevel[level], logger: name, data: message })
                .catch(() => undefined),
            ),
          ),
        ),
    })

    const program = Effect.flatMap(store.client, (sql: SqlClientNs.SqlClient) =>
      tool
        .handler(input.right)
        .pipe(Effect.provideService(SqlClient.SqlClient, sql), Effect.provideService(ToolContext, context)),
    )
    const exit = await runtime.runPromiseExit(program, { signal: extra.signal })

    if (Exit.isSuccess(exit)) {
      const encoded = Schema.encodeEither(tool.output)(exit.value)
      if (Either.isLeft(encoded)) {
        log(
          `tool ${name} returned a value that does not match its output Schema:\n${formatIssues(encoded.left)}`,
        )
        return errorResult(
          `${name} failed with an internal error; the details are in the whatsapp-mcp server's log.`,
        )
      }
      return {
        content: [{ type: "text", text: tool.render(exit.value) }],
        structuredContent: encoded.right as Record<string, unknown>,
      }
    }
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) return errorResult(describeFailure(failure.value))
    if (Cause.isInterruptedOnly(exit.cause)) return errorResult(`${name} was cancelled.`)
    log(`tool ${name} failed with a defect:\n${Cause.pretty(exit.cause)}`)
    return errorResult(
      `${name} failed with an internal error; the details are in the whatsapp-mcp server's log.`,
    )
  })

  return server
}
