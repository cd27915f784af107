/**
 * Assembles a whatsapp-mcp server from a configuration: loads the enabled plugins, chooses the tools,
 * builds the shared services (time zone, store) and each plugin's own Layer, and returns an MCP
 * server ready to connect to a transport. Used by the command line and by the test kit alike.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { Store, TimeZone } from "@whatsapp-mcp/runtime"
import {
  Cause,
  type Duration,
  Effect,
  Either,
  Exit,
  FiberRef,
  HashSet,
  Layer,
  Logger,
  ManagedRuntime,
  Option,
} from "effect"
import * as BridgeClientLive from "./BridgeClientLive.js"
import { type Config, ConfigError } from "./Config.js"
import { makeServer, type ServerInfo } from "./McpServer.js"
import {
  type Builtins,
  type ImportModule,
  type LoadedPlugin,
  loadPlugins,
  type ServedTool,
  selectExtras,
  selectTools,
} from "./PluginLoader.js"
import { ResourceWatcher } from "./ResourceWatcher.js"
import * as StoreLive from "./StoreLive.js"

export interface ApplicationOptions {
  readonly config: Config
  readonly builtins: Builtins
  /** Names of every built-in tool, so that excluding one of a disabled plugin is not an error. */
  readonly builtinToolNames?: ReadonlyArray<string>
  readonly info: ServerInfo
  /** How third-party plugins are imported (default: `import()`). */
  readonly importModule?: ImportModule
  /** Where diagnostics go: stderr in the command line, a buffer in tests. Never stdout. */
  readonly log: (line: string) => void
  /** How often a call waiting for the person's confirmation reports progress (default 10 s). */
  readonly confirmationProgressEvery?: Duration.DurationInput
}

export interface Application {
  readonly server: Server
  /**
   * Another MCP server over the same runtime, tools and store: one per client session when serving
   * over HTTP. The caller closes it; `close` still releases what they share.
   */
  readonly newServer: () => Server
  readonly plugins: ReadonlyArray<LoadedPlugin>
  readonly tools: ReadonlyArray<ServedTool>
  /** Watches the store for every server's resource subscriptions. */
  readonly watcher: ResourceWatcher
  /** Closes the server and releases the store connection and every plugin's resources. */
  readonly close: () => Promise<void>
}

/**
 * Where effect's own log lines go: effect's default logger writes to stdout, which is the protocol.
 * Effect also warns on every step it runs of an Effect made by another copy of effect; a plugin with
 * its own copy of the same line of effect runs correctly, and the loader has already said anything
 * worth saying about its version once, at start-up.
 */
const effectDiagnostics = (log: (line: string) => void) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, log)),
    Layer.setVersionMismatchErrorLogLevel(Option.none()),
  )

/** The same for the start-up itself (loading plugins), as fiber-local settings: no Layer to build. */
const withEffectDiagnostics =
  (log: (line: string) => void) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    effect.pipe(
      Effect.locally(FiberRef.versionMismatchErrorLogLevel, Option.none()),
      Effect.locallyWith(FiberRef.currentLoggers, (loggers) =>
        HashSet.add(HashSet.remove(loggers, Logger.defaultLogger), Logger.map(Logger.logfmtLogger, log)),
      ),
    )

export const make = (options: ApplicationOptions): Effect.Effect<Application, ConfigError> =>
  Effect.gen(function* () {
    const { config } = options
    const plugins = yield* loadPlugins(config, options.builtins, options.importModule)
    for (const warning of plugins.flatMap((plugin) => plugin.warnings))
      options.log(`whatsapp-mcp: ${warning}`)
    const tools = yield* Either.match(selectTools(plugins, config, new Set(options.builtinToolNames ?? [])), {
      onLeft: Effect.fail,
      onRight: Effect.succeed,
    })

    const extras = yield* Either.match(selectExtras(plugins), {
      onLeft: Effect.fail,
      onRight: Effect.succeed,
    })

    const shared = Layer.merge(
      TimeZone.layer(config.timezone ?? TimeZone.systemZone()),
      BridgeClientLive.layerFetch({ url: config.bridgeUrl, tokenFile: config.tokenFile }),
    )
    const pluginLayers = plugins.flatMap(({ plugin, options: pluginOptions, key }) =>
      plugin.layer === undefined
        ? []
        : [
            plugin.layer(pluginOptions).pipe(
              Layer.mapError(
                (error) =>
                  new ConfigError({
                    message: `plugins.${key}: the plugin failed to start: ${error.message}`,
                  }),
              ),
            ),
          ],
    )
    const services = Layer.mergeAll(shared, StoreLive.layer(config.storeDir), ...pluginLayers).pipe(
      Layer.provideMerge(shared),
      Layer.provideMerge(effectDiagnostics(options.log)),
    )
    const runtime = ManagedRuntime.make(services)
    const started = yield* Effect.promise(() => runtime.runPromiseExit(Store.Store))
    if (Exit.isFailure(started)) {
      yield* Effect.promise(() => runtime.dispose())
      const failure = Cause.failureOption(started.cause)
      return yield* Option.isSome(failure)
        ? Effect.fail(failure.value)
        : Effect.fail(new ConfigError({ message: `Start-up failed:\n${Cause.pretty(started.cause)}` }))
    }
    const storeService = started.value

    const watcher = new ResourceWatcher({ runtime, store: storeService, log: options.log })
    const newServer = () =>
      makeServer({
        info: options.info,
        tools,
        ...extras,
        runtime,
        store: storeService,
        log: options.log,
        watcher,
        ...(options.confirmationProgressEvery === undefined
          ? {}
          : { confirmationProgressEvery: options.confirmationProgressEvery }),
      })
    const server = yield* Effect.try({
      try: newServer,
      catch: (error) => new ConfigError({ message: error instanceof Error ? error.message : String(error) }),
    }).pipe(Effect.tapError(() => Effect.promise(() => runtime.dispose())))
    return {
      server,
      newServer,
      plugins,
      tools,
      watcher,
      close: async () => {
        await server.close().catch(() => undefined)
        await watcher.close()
        await runtime.dispose()
      },
    }
  }).pipe(withEffectDiagnostics(options.log))
