/**
 * Serves tools over MCP with the official SDK's low-level Server, so that the JSON Schemas clients
 * see are derived from the tools' Effect Schemas. tools/call decodes arguments with the tool's input
 * Schema, runs the handler as a fiber (a client's cancellation interrupts it), and answers with
 * `structuredContent` plus the tool's text rendering. Typed failures become `isError` results whose
 * message a model can act on; defects become a generic `isError` result and go to stderr in full.
 */
import type { SqlClient as SqlClientNs } from "@effect/sql"
import { SqlClient } from "@effect/sql"
import { Server, type ServerOptions } from "@modelcontextprotocol/sdk/server/index.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  GetPromptRequestSchema,
  type Implementation,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  type Tool as McpTool,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js"
import { Confirmation, Resource, type Store, type Tool, ToolContext, ToolImage } from "@whatsapp-mcp/runtime"
import { Cause, Duration, Effect, Either, Exit, type ManagedRuntime, Option, Schema, SchemaAST } from "effect"
import { formatIssues } from "./Config.js"
import * as ConnectionNotice from "./internal/ConnectionNotice.js"
import * as Elicitation from "./internal/Elicitation.js"
import { objectJsonSchema } from "./internal/jsonSchema.js"
import {
  checkRequestParams,
  ProtocolError,
  type RequestSchema,
  ResourceNotFound,
} from "./internal/protocolErrors.js"
import type { ServedPrompt, ServedResource, ServedTool } from "./PluginLoader.js"
import { type Listener, type ResourceWatcher, TooManySubscriptions } from "./ResourceWatcher.js"

export interface ServerInfo {
  readonly name: string
  readonly version: string
  /** Sent at initialize: how the tools fit together, for the model. */
  readonly instructions?: string | undefined
}

export interface ServeOptions {
  readonly info: ServerInfo
  readonly tools: ReadonlyArray<ServedTool>
  readonly resources?: ReadonlyArray<ServedResource>
  readonly prompts?: ReadonlyArray<ServedPrompt>
  // biome-ignore lint/suspicious/noExplicitAny: the services plugins provide are only known at run time
  readonly runtime: ManagedRuntime.ManagedRuntime<any, unknown>
  readonly store: Store.StoreService
  /** Where diagnostics go; never stdout. */
  readonly log: (line: string) => void
  /**
   * Watches the store for subscribed sessions, shared by every server of the process; without it,
   * resources cannot be subscribed to.
   */
  readonly watcher?: ResourceWatcher
  /**
   * How often a call waiting for the person's confirmation tells a client that asked for progress
   * that it still waits; default 10 s.
   */
  readonly confirmationProgressEvery?: Duration.DurationInput
}

/**
 * Well inside the 60 s after which clients built on the TypeScript SDK give up on a request, so that
 * one that resets its timeout on progress keeps the call alive while the person reads the form.
 */
const defaultConfirmationProgressEvery: Duration.Duration = Duration.seconds(10)

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
  ...(tool.images === undefined
    ? {}
    : {
        _meta: {
          [ToolImage.MetaKey]: {
            mimeTypes: [...tool.images.mimeTypes],
            maxBytes: tool.images.maxBytes,
            maxEdge: tool.images.maxEdge,
          },
        },
      }),
})

/**
 * The pictures of a result a client may get: only those the tool declared. Any other is left out,
 * logged, and named in a line of text so that the model knows something is missing.
 */
const declaredImages = (
  tool: Tool.Any,
  images: ReadonlyArray<ToolImage.Image>,
  log: (line: string) => void,
): { readonly sent: ReadonlyArray<ToolImage.Image>; readonly notes: ReadonlyArray<string> } => {
  if (images.length === 0) return { sent: [], notes: [] }
  const declaration = tool.images
  if (declaration === undefined) {
    log(`tool ${tool.name} returned pictures but does not declare images; they were not sent`)
    return { sent: [], notes: [] }
  }
  const sent: Array<ToolImage.Image> = []
  const notes: Array<string> = []
  for (const image of images) {
    const refused = ToolImage.refusal(declaration, image)
    if (refused === undefined) sent.push(image)
    else {
      log(`tool ${tool.name} returned a picture that was not sent: ${refused}`)
      notes.push(`A picture was left out of this result: ${refused}.`)
    }
  }
  return { sent, notes }
}

const stderrLevel: Record<ToolContext.LogLevel, LoggingLevel> = {
  debug: "debug",
  info: "info",
  notice: "notice",
  warning: "warning",
  error: "error",
}

/** The arguments of a prompt as MCP lists them, from the prompt's Schema.Struct of strings. */
const promptArguments = (served: ServedPrompt) => {
  const ast = SchemaAST.encodedAST(served.prompt.arguments.ast)
  if (!SchemaAST.isTypeLiteral(ast)) {
    throw new Error(
      `The arguments Schema of prompt "${served.prompt.name}" must be a Schema.Struct of strings.`,
    )
  }
  return ast.propertySignatures.map((property) => {
    const candidates = [
      property,
      property.type,
      ...(SchemaAST.isUnion(property.type) ? property.type.types : []),
    ]
    const description = Option.firstSomeOf(candidates.map((node) => SchemaAST.getDescriptionAnnotation(node)))
    return {
      name: String(property.name),
      required: !property.isOptional,
      ...(Option.isSome(description) ? { description: description.value } : {}),
    }
  })
}

/** The SDK's Server, with the params of every request it serves checked before the SDK reads them. */
class CheckedServer extends Server {
  constructor(
    info: Implementation,
    options: ServerOptions,
    private readonly served: ReadonlyArray<RequestSchema>,
  ) {
    super(info, options)
  }

  override connect(transport: Transport): Promise<void> {
    return super.connect(checkRequestParams(transport, this.served))
  }
}

/**
 * This server lists everything in one page and so never issues a cursor: any cursor a client sends
 * is one it did not get from here.
 */
const refuseCursor = (method: string, params: { readonly cursor?: string | undefined } | undefined) => {
  if (params?.cursor === undefined) return
  throw new ProtocolError(
    ErrorCode.InvalidParams,
    `Invalid params for ${method}: \`cursor\` was not issued by this server, which returns everything in one page. Call ${method} without a cursor.`,
  )
}

export const makeServer = (options: ServeOptions): Server => {
  const { runtime, store, log } = options
  const resources = options.resources ?? []
  const prompts = options.prompts ?? []
  const watcher = options.watcher
  // Advertised only when something can be followed: a client that sees `subscribe` may rely on it.
  const subscribable = watcher !== undefined && resources.some(({ resource }) => resource.watch !== undefined)
  const listChanges =
    subscribable &&
    resources.some(({ resource }) => resource.watch !== undefined && resource.list !== undefined)
  // The requests this server answers; any other method is left to the SDK's "Method not found".
  const served: ReadonlyArray<RequestSchema> = [
    InitializeRequestSchema,
    PingRequestSchema,
    SetLevelRequestSchema,
    ListToolsRequestSchema,
    CallToolRequestSchema,
    // The status resource is always there, so resources are always served.
    ListResourcesRequestSchema,
    ListResourceTemplatesRequestSchema,
    ReadResourceRequestSchema,
    ...(subscribable ? [SubscribeRequestSchema, UnsubscribeRequestSchema] : []),
    ...(prompts.length > 0 ? [ListPromptsRequestSchema, GetPromptRequestSchema] : []),
  ]
  const server = new CheckedServer(
    { name: options.info.name, version: options.info.version },
    {
      capabilities: {
        tools: { listChanged: false },
        logging: {},
        resources: { listChanged: listChanges, ...(subscribable ? { subscribe: true } : {}) },
        ...(prompts.length > 0 ? { prompts: { listChanged: false } } : {}),
      },
      ...(options.info.instructions !== undefined ? { instructions: options.info.instructions } : {}),
    },
    served,
  )
  const byName = new Map(options.tools.map((served) => [served.tool.name, served]))
  // Computed once: the schemas cannot change while the server runs.
  const listing = options.tools.map(({ tool }) => describeTool(tool))

  /** Runs an effect of a plugin with the store and a call context; a client's cancellation interrupts it. */
  const run = <A>(
    // biome-ignore lint/suspicious/noExplicitAny: the services plugins provide are only known at run time
    effect: Effect.Effect<A, unknown, any>,
    context: ToolContext.ToolContextService,
    signal: AbortSignal,
  ) =>
    runtime.runPromiseExit(
      Effect.flatMap(store.client, (sql: SqlClientNs.SqlClient) =>
        effect.pipe(
          Effect.provideService(SqlClient.SqlClient, sql),
          Effect.provideService(ToolContext.ToolContext, context),
          // Reading a resource or a prompt never stops to ask the person.
          Effect.provideService(Confirmation.Confirmation, Confirmation.unavailable),
        ),
      ),
      { signal },
    )

  /** A typed failure becomes a protocol error the client shows; a defect is logged and hidden. */
  const unwrapOrThrow = <A>(exit: Exit.Exit<A, unknown>, what: string): A => {
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure))
      throw new ProtocolError(ErrorCode.InvalidParams, describeFailure(failure.value))
    log(`${what} failed with a defect:\n${Cause.pretty(exit.cause)}`)
    throw new ProtocolError(
      ErrorCode.InternalError,
      `${what} failed with an internal error; see the server's log.`,
    )
  }

  const quietContext = (name: string): ToolContext.ToolContextService => ({
    tool: name,
    progress: () => Effect.void,
    log: (level, message) => Effect.sync(() => log(`[${level}] ${name}: ${message}`)),
  })
  /**
   * Gives the connection status the store's client when the store opens: the bridge's side is worth
   * reporting either way, so a store that cannot be opened only leaves out the newest message.
   */
  const withStoreIfOpen = <A>(effect: Effect.Effect<A>): Effect.Effect<A> =>
    Effect.flatMap(Effect.option(store.client), (sql) =>
      Option.match(sql, {
        onNone: () => effect,
        onSome: (client) => Effect.provideService(effect, SqlClient.SqlClient, client),
      }),
    )

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (request) => {
    refuseCursor(request.method, request.params)
    return {
      resourceTemplates: resources.map(({ resource }) => ({
        uriTemplate: resource.uriTemplate,
        name: resource.name,
        title: resource.title,
        description: resource.description,
        mimeType: resource.mimeType,
      })),
    }
  })
  server.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
    refuseCursor(request.method, request.params)
    const listed = await Promise.all(
      resources.map(async ({ resource }) => {
        if (resource.list === undefined) return []
        const exit = await run(resource.list, quietContext(resource.name), extra.signal)
        // A store that is not there yet lists nothing rather than failing the whole listing.
        if (Exit.isFailure(exit)) return []
        return exit.value.map((item) => ({ mimeType: resource.mimeType, ...item }))
      }),
    )
    return { resources: [...listed.flat(), ConnectionNotice.statusListing] }
  })
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const uri = request.params.uri
    if (uri === ConnectionNotice.statusUri) {
      // Read fresh each time: a client reads it to learn whether the notice it saw still holds.
      const text = await runtime
        .runPromise(withStoreIfOpen(ConnectionNotice.readStatus), { signal: extra.signal })
        .catch(() => ConnectionNotice.statusJson(Option.none(), String))
      return {
        contents: [{ uri, mimeType: ConnectionNotice.statusListing.mimeType, text }],
      }
    }
    for (const { resource } of resources) {
      const params = Resource.match(resource.uriTemplate, uri)
      if (params === undefined) continue
      const exit = await run(resource.read(params, uri), quietContext(resource.name), extra.signal)
      const contents = unwrapOrThrow(exit, `Reading ${uri}`)
      return { contents: [{ uri, mimeType: contents.mimeType ?? resource.mimeType, text: contents.text }] }
    }
    throw new ProtocolError(
      ResourceNotFound,
      `Resource not found: no resource matches ${uri}. Resource templates: ${resources.map((r) => r.resource.uriTemplate).join(", ") || "none"}; the connection status is ${ConnectionNotice.statusUri}.`,
      { uri },
    )
  })

  if (subscribable && watcher !== undefined) {
    const listener: Listener = {
      updated: (uri) => void server.sendResourceUpdated({ uri }).catch(() => undefined),
      listChanged: () => {
        if (listChanges) void server.sendResourceListChanged().catch(() => undefined)
      },
    }
    watcher.register(listener)
    server.onclose = () => watcher.unregister(listener)
    const followable = resources
      .filter(({ resource }) => resource.watch !== undefined)
      .map(({ resource }) => resource.uriTemplate)
      .join(", ")

    server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
      const uri = request.params.uri
      for (const { resource } of resources) {
        const params = Resource.match(resource.uriTemplate, uri)
        if (params === undefined) continue
        if (resource.watch === undefined) {
          throw new ProtocolError(
            ErrorCode.InvalidParams,
            `${uri} cannot be subscribed to: it does not change while you read it. Resources that can: ${followable}.`,
          )
        }
        const exit = await run(resource.watch(params, uri), quietContext(resource.name), extra.signal)
        const watch = unwrapOrThrow(exit, `Subscribing to ${uri}`)
        try {
          await watcher.subscribe(listener, uri, watch)
        } catch (error) {
          if (error instanceof TooManySubscriptions)
            throw new ProtocolError(ErrorCode.InvalidParams, error.message)
          throw error
        }
        return {}
      }
      if (uri === ConnectionNotice.statusUri) {
        throw new ProtocolError(
          ErrorCode.InvalidParams,
          `${uri} cannot be subscribed to: read it again when a tool says the connection changed. Resources that can: ${followable}.`,
        )
      }
      throw new ProtocolError(
        ResourceNotFound,
        `Resource not found: no resource matches ${uri}. Resources that can be subscribed to: ${followable}.`,
        { uri },
      )
    })
    server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      // Unsubscribing from what is not followed leaves nothing to undo: not an error.
      watcher.unsubscribe(listener, request.params.uri)
      return {}
    })
  }

  if (prompts.length > 0) {
    const promptListing = prompts.map((served) => ({
      name: served.prompt.name,
      title: served.prompt.title,
      description: served.prompt.description,
      arguments: promptArguments(served),
    }))
    const promptsByName = new Map(prompts.map((served) => [served.prompt.name, served]))
    server.setRequestHandler(ListPromptsRequestSchema, async (request) => {
      refuseCursor(request.method, request.params)
      return { prompts: promptListing }
    })
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const served = promptsByName.get(request.params.name)
      if (served === undefined) {
        throw new ProtocolError(
          ErrorCode.InvalidParams,
          `Unknown prompt "${request.params.name}". Available prompts: ${[...promptsByName.keys()].join(", ")}`,
        )
      }
      const args = Schema.decodeUnknownEither(served.prompt.arguments, {
        errors: "all",
        onExcessProperty: "error",
      })(request.params.arguments ?? {})
      if (Either.isLeft(args)) {
        throw new ProtocolError(
          ErrorCode.InvalidParams,
          `Invalid arguments for prompt ${served.prompt.name}:\n${formatIssues(args.left)}`,
        )
      }
      const exit = await run(
        served.prompt.messages(args.right),
        quietContext(served.prompt.name),
        extra.signal,
      )
      const messages = unwrapOrThrow(exit, `The prompt ${served.prompt.name}`)
      return {
        description: served.prompt.description,
        messages: messages.map((m) => ({ role: m.role, content: { type: "text" as const, text: m.text } })),
      }
    })
  }

  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    refuseCursor(request.method, request.params)
    return { tools: listing }
  })

  // Shared by every read tool for a few seconds: a burst of calls asks the bridge once.
  let staleNotice: Promise<Effect.Effect<Option.Option<string>>> | undefined
  const connectionNotice = async (): Promise<Option.Option<string>> => {
    staleNotice ??= runtime.runPromise(
      Effect.cachedWithTTL(withStoreIfOpen(ConnectionNotice.current), Duration.seconds(10)),
    )
    return staleNotice.then((notice) => runtime.runPromise(notice)).catch(() => Option.none())
  }

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name
    const served = byName.get(name)
    if (served === undefined) {
      throw new ProtocolError(
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
    // MCP requires each progress of a call to be above the one before: the handler's own reports
    // and a confirmation's "still waiting" share the token, so one that is not above is dropped.
    let lastProgress = Number.NEGATIVE_INFINITY
    const progress = (progress: number, total?: number, message?: string): Effect.Effect<void> =>
      progressToken === undefined
        ? Effect.void
        : Effect.suspend(() => {
            if (!(progress > lastProgress)) return Effect.void
            lastProgress = progress
            return Effect.promise(() =>
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
            )
          })
    const context = ToolContext.ToolContext.of({
      tool: name,
      progress,
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
      tool.handler(input.right).pipe(
        Effect.provideService(SqlClient.SqlClient, sql),
        Effect.provideService(ToolContext.ToolContext, context),
        Effect.provideService(
          Confirmation.Confirmation,
          Elicitation.forCall(
            server,
            extra.requestId,
            // Without a token the client did not ask for progress, and MCP forbids sending any.
            progressToken === undefined
              ? undefined
              : {
                  every: options.confirmationProgressEvery ?? defaultConfirmationProgressEvery,
                  // Counts on from the handler's own last report when that is above the time
                  // waited: a report must go out to keep the call alive.
                  report: (waited, limit, message) =>
                    waited > lastProgress
                      ? progress(waited, limit, message)
                      : progress(lastProgress + 1, undefined, message),
                },
          ),
        ),
      ),
    )
    const exit = await runtime.runPromiseExit(program, { signal: extra.signal })

    if (Exit.isSuccess(exit)) {
      const [output, images] = ToolImage.isWithImages(exit.value)
        ? [exit.value.output, exit.value.images]
        : [exit.value, []]
      const encoded = Schema.encodeEither(tool.output)(output)
      if (Either.isLeft(encoded)) {
        log(
          `tool ${name} returned a value that does not match its output Schema:\n${formatIssues(encoded.left)}`,
        )
        return errorResult(
          `${name} failed with an internal error; the details are in the whatsapp-mcp server's log.`,
        )
      }
      // A tool that reads only the store answers from it however old it is: say so when the store
      // may be behind WhatsApp. Tools that reach WhatsApp (open world) fail on their own instead.
      const readsStoreOnly = tool.annotations.readOnlyHint && !tool.annotations.openWorldHint
      const notice = readsStoreOnly ? await connectionNotice() : Option.none<string>()
      const pictures = declaredImages(tool, images, log)
      return {
        content: [
          { type: "text", text: tool.render(output) },
          ...pictures.sent.map((image) => ({
            type: "image" as const,
            data: image.data,
            mimeType: image.mimeType,
          })),
          ...pictures.notes.map((text) => ({ type: "text" as const, text })),
          ...(Option.isSome(notice) ? [{ type: "text" as const, text: notice.value }] : []),
        ],
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
