/**
 * The test kit, part of the public API: mounts plugins in a real MCP server connected to an SDK
 * `Client` in memory, so a plugin's tests exercise exactly what a model's client sees (argument
 * decoding, JSON Schemas, structuredContent validated against the output Schema, errors). Also
 * "toolsnaps": every tool's schema snapshotted to a file, so a change shows up in review; the check
 * that every parameter is described for a model; and
 * query plans: every SQL statement a tool runs, with SQLite's plan for it, to prove it uses indexes;
 * the demo store, ready-made; and stores built from recorded event streams by the bridge's own
 * ingestion.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Reactivity } from "@effect/experimental"
import { SqlClient, Statement } from "@effect/sql"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js"
import {
  BridgeError,
  type BridgeErrorCode,
  BridgeErrorStatus,
  bridgeErrorToBody,
} from "@whatsapp-mcp/core/api"
import {
  type BridgeEndpointName,
  BridgeEndpoints,
  bridgeEndpoint,
  type EndpointResponse,
} from "@whatsapp-mcp/core/http-api"
import { Confirmation, type Plugin, Store, TimeZone, type Tool, ToolContext } from "@whatsapp-mcp/runtime"
import {
  Application,
  BridgeClientLive,
  Config,
  isFilterName,
  ReadOnlySqliteClient,
  StoreLive,
} from "@whatsapp-mcp/server/host"
import { type Duration, Effect, Exit, Layer, Schema, Scope } from "effect"
import { HttpResponse, http, type RequestHandler } from "msw"
import { setupServer } from "msw/node"

export interface MountOptions {
  /** The plugins to serve, with their options as the config file would give them (default `true`). */
  readonly plugins: ReadonlyArray<
    Plugin.Any | readonly [Plugin.Any, boolean | Readonly<Record<string, unknown>>]
  >
  /** The store directory to read (it holds `messages.db`). Default: a directory with no store. */
  readonly storeDir?: string
  /** The time zone times are printed and read in. Default: UTC, so expectations do not depend on the machine. */
  readonly timezone?: string
  readonly readOnly?: boolean
  readonly excludeTools?: ReadonlyArray<string>
  readonly bridgeUrl?: string
  readonly tokenFile?: string
  /**
   * How the client answers the server's elicitation requests (a confirmation before a send), as the
   * person at a client would. When given, the client declares form-mode elicitation; by default it
   * declares none, like a client that cannot ask its user.
   */
  readonly elicitation?: (
    request: ElicitRequest["params"],
    /** Aborted when the server withdraws the request (its time limit passed, or the call was cancelled). */
    signal: AbortSignal,
  ) => ElicitResult | Promise<ElicitResult>
  /**
   * How often a call waiting for the person's confirmation reports progress to a client that asked
   * for it (default: the server's, 10 s), so that a test need not wait that long.
   */
  readonly confirmationProgressEvery?: Duration.DurationInput
}

export interface Mounted {
  /** An MCP SDK client connected to the server. */
  readonly client: Client
  /** What the server logged (its stderr in production). */
  readonly logs: ReadonlyArray<string>
  readonly application: Application.Application
}

const builtinsOf = (plugins: MountOptions["plugins"]) => {
  const builtins: Record<string, () => Promise<unknown>> = {}
  const settings: Array<readonly [string, boolean | Readonly<Record<string, unknown>>]> = []
  for (const entry of plugins) {
    const [plugin, setting] = Array.isArray(entry)
      ? (entry as readonly [Plugin.Any, boolean | Readonly<Record<string, unknown>>])
      : [entry as Plugin.Any, true as const]
    builtins[plugin.name] = async () => ({ default: plugin })
    settings.push([plugin.name, setting])
  }
  return { builtins, settings }
}

/** Serves the plugins and connects a client; both are closed when the scope closes. */
export const mount = (options: MountOptions): Effect.Effect<Mounted, Config.ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const { builtins, settings } = builtinsOf(options.plugins)
    const storeDir = options.storeDir ?? join(process.cwd(), ".store-missing")
    const config: Config.Config = {
      file: undefined,
      storeDir,
      bridgeUrl: options.bridgeUrl ?? Config.defaultBridgeUrl,
      tokenFile: options.tokenFile ?? join(storeDir, "bridge-token"),
      timezone: options.timezone ?? "UTC",
      readOnly: options.readOnly ?? false,
      plugins: settings,
      excludeTools: options.excludeTools ?? [],
      baseDir: process.cwd(),
    }
    const logs: Array<string> = []
    const application = yield* Effect.acquireRelease(
      Application.make({
        config,
        builtins,
        info: { name: "whatsapp-mcp-test", version: "0.0.0" },
        log: (line) => logs.push(line),
        ...(options.confirmationProgressEvery === undefined
          ? {}
          : { confirmationProgressEvery: options.confirmationProgressEvery }),
      }),
      (app) => Effect.promise(() => app.close()),
    )
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
    yield* Effect.promise(() => application.server.connect(serverTransport))
    const answer = options.elicitation
    const client = new Client(
      { name: "whatsapp-mcp-test-client", version: "0.0.0" },
      answer === undefined ? {} : { capabilities: { elicitation: { form: {} } } },
    )
    if (answer !== undefined) {
      client.setRequestHandler(ElicitRequestSchema, (request, extra) => answer(request.params, extra.signal))
    }
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => client.connect(clientTransport),
        catch: (error) =>
          new Config.ConfigError({ message: `The test client could not connect: ${String(error)}` }),
      }),
      () => Effect.promise(() => client.close()),
    )
    return { client, logs, application }
  })

/** The same as `mount`, for tests written with promises: call `close` when done. */
export const mountPromise = async (
  options: MountOptions,
): Promise<Mounted & { readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const mounted = await Effect.runPromise(mount(options).pipe(Scope.extend(scope)))
  return { ...mounted, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** What a model reads from a tool call. */
export interface ToolAnswer<Structured = Record<string, unknown>> {
  readonly isError: boolean
  /** The answer's first text part; a line about the store (WhatsApp not connected) may follow it. */
  readonly text: string
  /** Every text part, in order. */
  readonly texts: ReadonlyArray<string>
  readonly structured: Structured
}

/** Calls a tool through the client as a model's client does, and returns what the model reads. */
export const callTool = async <Structured = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Readonly<Record<string, unknown>> = {},
): Promise<ToolAnswer<Structured>> => {
  const result = await client.callTool({ name, arguments: { ...args } })
  const texts = (result.content as ReadonlyArray<{ readonly type: string; readonly text?: string }>).flatMap(
    (part) => (part.type === "text" && part.text !== undefined ? [part.text] : []),
  )
  return {
    isError: result.isError === true,
    text: texts[0] ?? "",
    texts,
    structured: result.structuredContent as Structured,
  }
}

export class ToolsnapMismatch extends Error {
  override readonly name = "ToolsnapMismatch"
}

/**
 * Compares every tool's published definition (name, title, description, annotations, input and
 * output JSON Schemas) with `<dir>/<tool>.snap.json`. A missing, changed or stale snapshot throws;
 * with the environment variable UPDATE_TOOLSNAPS=1 the files are written instead.
 */
export const checkToolsnaps = async (client: Client, dir: string): Promise<void> => {
  const { tools } = await client.listTools()
  const update = process.env.UPDATE_TOOLSNAPS === "1"
  const problems: Array<string> = []
  if (update) mkdirSync(dir, { recursive: true })
  const expectedFiles = new Set<string>()
  for (const tool of tools) {
    const file = join(dir, `${tool.name}.snap.json`)
    expectedFiles.add(`${tool.name}.snap.json`)
    const actual = `${JSON.stringify(tool, null, 2)}\n`
    if (update) {
      writeFileSync(file, actual)
      continue
    }
    if (!existsSync(file)) {
      problems.push(`${tool.name}: no snapshot at ${file}`)
    } else if (readFileSync(file, "utf8") !== actual) {
      problems.push(`${tool.name}: the published definition differs from ${file}`)
    }
  }
  const stale = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith(".snap.json") && !expectedFiles.has(f))
    : []
  for (const file of stale) {
    if (update) unlinkSync(join(dir, file))
    else problems.push(`${file}: snapshot of a tool that no longer exists`)
  }
  if (problems.length > 0) {
    throw new ToolsnapMismatch(
      `Tool definitions changed:\n${problems.join("\n")}\nIf the change is intended, run UPDATE_TOOLSNAPS=1 pnpm test and review the diff.`,
    )
  }
}

export class ParameterDescriptionProblem extends Error {
  override readonly name = "ParameterDescriptionProblem"
}

/** Schema's generic descriptions of a type ("a string at most 200 character(s) long", "an integer"). */
const isGenericDescription = (description: string): boolean =>
  /^an? (string|number|integer|boolean|whole number|non-negative|positive|negative|finite|list|array|object)\b/.test(
    description,
  ) || /character\(s\)|item\(s\)/.test(description)

type JsonObject = { readonly [key: string]: unknown }
const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null

const parameterProblems = (schema: JsonObject, path: string): ReadonlyArray<string> => {
  const properties = isObject(schema.properties) ? schema.properties : {}
  return Object.entries(properties).flatMap(([name, property]) => {
    if (!isObject(property)) return []
    const at = `${path}.${name}`
    const problems: Array<string> = []
    const { description, title } = property
    if (typeof description !== "string" || description.trim() === "") {
      problems.push(`${at}: no description; say what it is and how to write it (e.g. a JID, ISO-8601)`)
    } else if (isGenericDescription(description)) {
      problems.push(
        `${at}: the description "${description}" is Schema's generic one; say what the argument is and how to write it`,
      )
    }
    if (typeof title === "string" && isFilterName(title)) {
      problems.push(
        `${at}: the title "${title}" is the name of a Schema filter, not words for people; build the argument with Params (BoundedString, IntBetween, BoundedList…) or give it a title in words`,
      )
    }
    const items = property.items
    return [
      ...problems,
      ...parameterProblems(property, at),
      ...(isObject(items) ? parameterProblems(items, `${at}[]`) : []),
    ]
  })
}

/**
 * Checks what a model reads about each tool's parameters in tools/list: every parameter (and every
 * property of an object parameter) has a description that is more than Schema's generic one ("a
 * string at most 200 character(s) long"), and no title is the name of a Schema filter
 * ("maxLength(64)"). Throws a `ParameterDescriptionProblem` listing every problem.
 */
export const checkParameterDescriptions = async (client: Client): Promise<void> => {
  const { tools } = await client.listTools()
  const problems = tools.flatMap((tool) => parameterProblems(tool.inputSchema, tool.name))
  if (problems.length > 0) {
    throw new ParameterDescriptionProblem(
      `Parameters a model cannot read well:\n${problems.join("\n")}\nDescribe each argument with Params.withDefault, Params.optional or .annotations({ description }).`,
    )
  }
}

/** One SQL statement a tool ran, and how SQLite executes it (`EXPLAIN QUERY PLAN` details). */
export interface QueryPlan {
  readonly sql: string
  readonly plan: ReadonlyArray<string>
}

/** What a tool's handler returned, or the message it failed with, and the plans of its statements. */
export interface ExplainedCall {
  readonly result:
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly message: string }
  readonly plans: ReadonlyArray<QueryPlan>
}

/** One SQL statement as a tool ran it: its text and the values bound to it. */
export type RecordedStatement = readonly [sql: string, params: ReadonlyArray<unknown>]

/** A tool call run in-process: what the handler returned (or failed with) and its statements, in order. */
export interface RecordedCall {
  readonly result:
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly message: string }
  readonly statements: ReadonlyArray<RecordedStatement>
}

/** The services a read tool's handler needs, on a read-only connection to the store in `storeDir`. */
const handlerServices = (
  tool: Tool.Any,
  options: { readonly storeDir: string; readonly timezone?: string },
) =>
  Layer.mergeAll(
    // the client the server reads through, so that what is recorded is what the server runs
    Layer.scoped(
      SqlClient.SqlClient,
      ReadOnlySqliteClient.make(join(options.storeDir, Store.databaseFile)),
    ).pipe(Layer.provide(Reactivity.layer)),
    TimeZone.layer(options.timezone ?? "UTC"),
    StoreLive.layer(options.storeDir),
    // Recorded calls are for read tools; a tool that calls the bridge here finds none running.
    BridgeClientLive.layerFetch({
      url: "http://127.0.0.1:9",
      tokenFile: join(options.storeDir, "bridge-token"),
    }),
    Layer.succeed(
      ToolContext.ToolContext,
      ToolContext.ToolContext.of({ tool: tool.name, progress: () => Effect.void, log: () => Effect.void }),
    ),
    Layer.succeed(Confirmation.Confirmation, Confirmation.unavailable),
  )

/** Runs the handler on `args` (decoded by the tool's input Schema) and records every statement it runs. */
const recordOne = (tool: Tool.Any, args: Readonly<Record<string, unknown>>) =>
  Effect.gen(function* () {
    const statements: Array<RecordedStatement> = []
    const input = yield* Schema.decodeUnknown(tool.input)(args)
    // Every tool needs at most the runtime's services, which are all provided by `handlerServices`.
    const handler = tool.handler as (
      input: unknown,
    ) => Effect.Effect<unknown, Tool.Failure, Plugin.RuntimeServices>
    const exit = yield* handler(input).pipe(
      Statement.withTransformer((statement) =>
        Effect.sync(() => {
          statements.push(statement.compile())
          return statement
        }),
      ),
      Effect.exit,
    )
    const result: RecordedCall["result"] = Exit.isSuccess(exit)
      ? { ok: true, value: exit.value }
      : {
          ok: false,
          message: Exit.match(exit, {
            onSuccess: () => "",
            onFailure: (cause) => {
              const failure = cause._tag === "Fail" ? (cause.error as { message?: unknown }) : undefined
              return typeof failure?.message === "string" ? failure.message : String(cause)
            },
          }),
        }
    return { result, statements } satisfies RecordedCall
  })

/**
 * Runs one tool's handler on the store in `storeDir` (read-only) with `args` decoded by its input
 * Schema, records every SQL statement it runs, and returns SQLite's plan for each. A test asserts
 * on the plans, e.g. that no statement scans the messages table without an index.
 */
export const explainToolCall = (
  tool: Tool.Any,
  args: Readonly<Record<string, unknown>>,
  options: { readonly storeDir: string; readonly timezone?: string },
): Promise<ExplainedCall> => {
  const program = Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const { result, statements } = yield* recordOne(tool, args)
    const plans: Array<QueryPlan> = []
    for (const [text, params] of statements) {
      const rows = yield* sql.unsafe<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)
      plans.push({ sql: text, plan: rows.map((row) => row.detail) })
    }
    return { result, plans }
  })
  return Effect.runPromise(
    program.pipe(Effect.scoped, Effect.provide(handlerServices(tool, options)), Effect.orDie),
  )
}

/**
 * The plans of the statements `plugin`'s tool `name` runs on `args`, as `explainToolCall` gives them.
 * Rejects when the plugin has no such tool or the call fails, naming the tool, the arguments and the
 * failure, so that a plan test cannot pass by checking a call that went wrong.
 */
export const explainPluginCall = async (
  plugin: Plugin.Any,
  name: string,
  args: Readonly<Record<string, unknown>>,
  options: { readonly storeDir: string; readonly timezone?: string },
): Promise<ReadonlyArray<QueryPlan>> => {
  const tool = plugin.tools.find((t) => t.name === name)
  if (tool === undefined) {
    throw new Error(
      `The plugin ${plugin.name} has no tool ${name}; its tools: ${plugin.tools.map((t) => t.name).join(", ")}.`,
    )
  }
  const { result, plans } = await explainToolCall(tool, args, options)
  if (!result.ok) throw new Error(`${name} ${JSON.stringify(args)} failed: ${result.message}`)
  return plans
}

/**
 * Runs one tool's handler once per argument set, in-process on one read-only connection, and
 * returns every call's statements with their bound values: what `bench/read-tools.mjs` replays on
 * better-sqlite3 alone to time a tool's SQL apart from everything around it.
 */
export const recordToolCalls = (
  tool: Tool.Any,
  argsList: ReadonlyArray<Readonly<Record<string, unknown>>>,
  options: { readonly storeDir: string; readonly timezone?: string },
): Promise<ReadonlyArray<RecordedCall>> =>
  Effect.runPromise(
    Effect.forEach(argsList, (args) => recordOne(tool, args)).pipe(
      Effect.scoped,
      Effect.provide(handlerServices(tool, options)),
      Effect.orDie,
    ),
  )

/** Where the package keeps the demo store, built from the demo recording when the package is built. */
const shippedDemoStore = fileURLToPath(new URL("../demo/messages.db", import.meta.url))

/**
 * A store holding the demo recording (`fixtures/demo/demo.jsonl` in the repository: 16 chats, about
 * 300 messages between January and March 2026, as recorded, never shifted to the present), in a new
 * temporary directory. Returns the store directory, for `mount({ storeDir })`. Each call makes a
 * fresh copy of the store the package ships, so a test cannot change what the next one reads; it
 * needs neither the bridge nor Baileys.
 */
export const demoStore = (): string => {
  if (!existsSync(shippedDemoStore)) {
    throw new Error(
      `The test kit's demo store is missing (${shippedDemoStore}). Reinstall @whatsapp-mcp/testkit; inside the whatsapp-mcp repository, run \`npx -y pnpm@10.34.9 run build\`, which builds it.`,
    )
  }
  const storeDir = mkdtempSync(join(tmpdir(), "wa-demo-store-"))
  copyFileSync(shippedDemoStore, join(storeDir, Store.databaseFile))
  return storeDir
}

export interface FixtureStore {
  /** The store directory (holds `messages.db`), for `mount({ storeDir })`. */
  readonly storeDir: string
  /** Lines the bridge could not use, as `file:line: reason`; a test usually expects none. */
  readonly problems: ReadonlyArray<string>
}

/**
 * Builds a store from recorded event streams (JSON Lines, see ARCHITECTURE.md) in a new temporary
 * directory, through the bridge's own reader and ingestion, one event per batch as a live socket
 * delivers them, so a plugin's contract tests read exactly what the bridge would have stored.
 */
export const storeFromStreams = async (
  files: ReadonlyArray<string>,
  options: { readonly storeDir?: string } = {},
): Promise<FixtureStore> => {
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), "wa-fixture-store-"))
  const { decodeRecording } = await import("@whatsapp-mcp/bridge/recording")
  // The bridge's ingestion loads Baileys: imported only when a test builds a store.
  const { MessageStore, Ingestor } = await import("@whatsapp-mcp/bridge/ingest")
  const problems: Array<string> = []
  const program = Effect.gen(function* () {
    const ingestor = yield* Ingestor
    for (const file of files) {
      for (const line of decodeRecording(readFileSync(file, "utf8"), basename(file))) {
        if (line._tag === "MalformedLine") {
          problems.push(line.message)
          continue
        }
        const outcome = yield* ingestor.ingest([line.event])
        for (const skipped of outcome.skipped)
          problems.push(`${line.file}:${line.line}: ${JSON.stringify(skipped)}`)
      }
    }
  })
  await Effect.runPromise(
    program.pipe(
      Effect.provide(Ingestor.Default.pipe(Layer.provide(MessageStore.layer({ directory: storeDir })))),
      Effect.scoped,
    ) as Effect.Effect<void, unknown>,
  )
  return { storeDir, problems }
}

/** A request the mocked bridge received. */
export interface BridgeRequest {
  readonly endpoint: BridgeEndpointName | undefined
  readonly path: string
  readonly authorization: string | null
  readonly body: unknown
}

export interface MockBridge {
  /** Pass as `mount({ bridgeUrl, tokenFile })`. Nothing listens there: msw answers fetch. */
  readonly bridgeUrl: string
  /** A token file holding `token`, as the bridge writes it. */
  readonly tokenFile: string
  readonly token: string
  /**
   * Answers an endpoint with a body of the contract's response Schema; a body the contract does not
   * allow throws here, since the real bridge could never answer it.
   */
  readonly answer: <N extends BridgeEndpointName>(endpoint: N, body: EndpointResponse<N>) => void
  /** Answers an endpoint with one of the contract's errors, with the status the bridge uses for it. */
  readonly fail: (endpoint: BridgeEndpointName, code: BridgeErrorCode, message: string) => void
  /** Every request fails as with a bridge that is not running. */
  readonly down: () => void
  /** Requests received since the last `reset`. */
  readonly received: Array<BridgeRequest>
  readonly reset: () => void
  readonly close: () => void
}

const errorResponse = (code: BridgeErrorCode, message: string) =>
  HttpResponse.json(bridgeErrorToBody(new BridgeError({ code, message })), {
    status: BridgeErrorStatus[code],
  })

/**
 * A stand-in for the bridge's HTTP API, built on msw from the bridge's own contract, so a plugin's
 * tests meet the answers (and the errors, with their status codes) the real bridge gives. Requests
 * without the right bearer token are refused as the bridge refuses them.
 */
export const mockBridge = (options: { readonly url?: string } = {}): MockBridge => {
  const bridgeUrl = (options.url ?? "http://127.0.0.1:18089").replace(/\/+$/, "")
  const token = "test-token"
  const tokenFile = join(mkdtempSync(join(tmpdir(), "wa-mock-bridge-")), "bridge-token")
  writeFileSync(tokenFile, token, { mode: 0o600 })
  const received: Array<BridgeRequest> = []
  const server = sharedInterceptor.join()
  // This stand-in's own handlers, the newest first, as msw's `use` orders them.
  let handlers: Array<RequestHandler> = []
  const add = (handler: RequestHandler) => {
    handlers = [handler, ...handlers]
    server.use(handler)
  }
  const endpointOf = (path: string) => BridgeEndpoints.find((endpoint) => endpoint.path === path)?.name
  const handle =
    (respond: () => Response) =>
    async ({ request }: { request: Request }) => {
      const text = request.method === "POST" ? await request.text() : ""
      const path = new URL(request.url).pathname
      received.push({
        endpoint: endpointOf(path),
        path,
        authorization: request.headers.get("authorization"),
        body: text === "" ? undefined : (JSON.parse(text) as unknown),
      })
      if (request.headers.get("authorization") !== `Bearer ${token}`) {
        return errorResponse("bridge_unauthorized", "Missing or wrong bearer token.")
      }
      return respond()
    }
  const route = (endpoint: BridgeEndpointName, respond: () => Response) => {
    const { method, path } = bridgeEndpoint(endpoint)
    add((method === "GET" ? http.get : http.post)(`${bridgeUrl}${path}`, handle(respond)))
  }
  return {
    bridgeUrl,
    tokenFile,
    token,
    answer: (endpoint, body) => {
      const json = JSON.stringify(Schema.encodeUnknownSync(bridgeEndpoint(endpoint).response)(body))
      route(endpoint, () => new HttpResponse(json, { headers: { "content-type": "application/json" } }))
    },
    fail: (endpoint, code, message) => route(endpoint, () => errorResponse(code, message)),
    down: () => add(http.all(`${bridgeUrl}/*`, () => HttpResponse.error())),
    received,
    reset: () => {
      received.length = 0
      sharedInterceptor.forget(handlers)
      handlers = []
    },
    close: () => {
      sharedInterceptor.forget(handlers)
      handlers = []
      sharedInterceptor.leave()
    },
  }
}

/**
 * One msw server for every stand-in of the process: msw patches the global fetch, and a second
 * server's `close` would undo the first's patch, so that a test file with two stand-ins (or one
 * made and closed while another lives) saw the surviving one's requests reach the network. Each
 * stand-in adds and forgets only its own handlers; the server closes with the last stand-in.
 */
const sharedInterceptor = (() => {
  let server: ReturnType<typeof setupServer> | undefined
  let members = 0
  return {
    join: () => {
      if (server === undefined) {
        server = setupServer()
        server.listen({ onUnhandledRequest: "bypass" })
      }
      members++
      return server
    },
    /** Drops `gone` from the handlers in use, keeping every other stand-in's in their order. */
    forget: (gone: ReadonlyArray<RequestHandler>) => {
      if (server === undefined || gone.length === 0) return
      const kept = server.listHandlers().filter((handler) => !gone.includes(handler as RequestHandler))
      server.resetHandlers()
      // `use` puts its handlers first, in the order given: the list keeps msw's order as it was.
      server.use(...(kept as Array<RequestHandler>))
    },
    leave: () => {
      members--
      if (members === 0 && server !== undefined) {
        server.close()
        server = undefined
      }
    },
  }
})()
