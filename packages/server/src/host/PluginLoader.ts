/**
 * Turns the config's `plugins` section into loaded plugins with decoded options, and the plugins
 * into the list of tools to serve: `readOnly` first, then `tools.exclude`, then plugin enablement.
 * Every mistake stops start-up with a message that names the key.
 */
import { existsSync, readFileSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { isAbsolute, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Plugin, type Prompt, type Resource, type Tool } from "@whatsapp-mcp/runtime"
import { Effect, Either, Schema, SchemaAST } from "effect"
import { type Config, ConfigError, formatIssues } from "./Config.js"
import { closestName } from "./internal/closestName.js"
import {
  compare,
  effectBeside,
  type FoundEffect,
  lineOf,
  serverEffectRange,
  serverEffectVersion,
} from "./internal/EffectVersion.js"
import { expandHome } from "./internal/homePath.js"

/** Built-in plugins by config key, loaded on demand. */
export type Builtins = Readonly<Record<string, () => Promise<unknown>>>

/**
 * Imports a third-party plugin's module, given a file URL or a package name. The default is the
 * runtime's own `import()`; a host that runs the runtime where `import()` cannot work (code compiled
 * through `node:vm`, as the bundled server is) passes one of its own.
 */
export type ImportModule = (specifier: string) => Promise<unknown>

const importWithRuntime: ImportModule = (specifier) => import(specifier)

export interface LoadedPlugin {
  /** The key in the config file (a built-in name, a path or a package name). */
  readonly key: string
  readonly plugin: Plugin.Any
  readonly options: unknown
  /** What start-up should tell the user about this plugin on stderr (it loads nonetheless). */
  readonly warnings: ReadonlyArray<string>
}

export interface ServedTool {
  readonly tool: Tool.Any
  readonly plugin: LoadedPlugin
}

const isPathSpecifier = (key: string) =>
  key.startsWith("./") ||
  key.startsWith("../") ||
  key.startsWith("/") ||
  key.startsWith("~/") ||
  isAbsolute(key)

/** The entry file of a plugin given as a directory (its package.json's export, main, or index.js). */
const entryOfDirectory = (dir: string): string => {
  const manifest = join(dir, "package.json")
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
      exports?: unknown
      main?: string
    }
    const root =
      typeof pkg.exports === "object" && pkg.exports !== null && "." in pkg.exports
        ? (pkg.exports as Record<string, unknown>)["."]
        : pkg.exports
    const pick = (value: unknown): string | undefined => {
      if (typeof value === "string") return value
      if (typeof value === "object" && value !== null) {
        const conditions = value as Record<string, unknown>
        for (const condition of ["import", "node", "default"]) {
          const found = pick(conditions[condition])
          if (found !== undefined) return found
        }
      }
      return undefined
    }
    const target = pick(root) ?? pkg.main
    if (target !== undefined) return resolve(dir, target)
  }
  return join(dir, "index.js")
}

/** A third-party plugin's module: what to import, and its file when it was found on disk. */
interface Located {
  readonly specifier: string
  readonly file: string | undefined
}

const locate = (key: string, baseDir: string, cwd: string): Located => {
  if (isPathSpecifier(key)) {
    const path = resolve(baseDir, expandHome(key))
    if (!existsSync(path)) throw new Error(`${path} does not exist`)
    const file = statSync(path).isDirectory() ? entryOfDirectory(path) : path
    if (!existsSync(file)) throw new Error(`${file} does not exist (was the plugin built?)`)
    return { specifier: pathToFileURL(file).href, file }
  }
  for (const base of [baseDir, cwd]) {
    try {
      const file = createRequire(join(base, "package.json")).resolve(key)
      return { specifier: pathToFileURL(file).href, file }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== "MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error
    }
  }
  return { specifier: key, file: undefined }
}

const pluginOf = (module: unknown): unknown => {
  const exports = module as { default?: unknown; plugin?: unknown }
  return Plugin.isPlugin(exports.default) ? exports.default : (exports.plugin ?? exports.default)
}

const describeBuiltins = (builtins: Builtins) => Object.keys(builtins).join(", ")

const isPackageName = (key: string) => key.startsWith("@") || key.includes("/")

const unknownPlugin = (key: string, builtins: Builtins) => {
  const suggestion = closestName(key, Object.keys(builtins))
  return new ConfigError({
    message: `plugins.${key}: unknown plugin "${key}".${suggestion === undefined ? "" : ` Did you mean "${suggestion}"?`} Built-in plugins are ${describeBuiltins(builtins)}; a third-party plugin is a path (./my-plugin) or an installed package name.`,
  })
}

/**
 * Checks a plugin set to false without loading it: it must still name a built-in plugin, an existing
 * path or an installed package, so that a typo ("medai": false) is not silently accepted.
 */
const checkDisabled = (key: string, config: Config, builtins: Builtins): Effect.Effect<void, ConfigError> => {
  if (builtins[key] !== undefined) return Effect.void
  if (isPathSpecifier(key)) {
    const path = resolve(config.baseDir, expandHome(key))
    return existsSync(path)
      ? Effect.void
      : Effect.fail(
          new ConfigError({
            message: `plugins.${key}: ${path} does not exist. Remove the entry, or correct the path.`,
          }),
        )
  }
  for (const base of [config.baseDir, process.cwd()]) {
    try {
      createRequire(join(base, "package.json")).resolve(key)
      return Effect.void
    } catch {
      // not installed below this directory; try the next one
    }
  }
  return Effect.fail(
    isPackageName(key)
      ? new ConfigError({
          message: `plugins.${key}: no installed package "${key}". Remove the entry, or install the package next to whatsapp-mcp.`,
        })
      : unknownPlugin(key, builtins),
  )
}

/** Whether an options Schema takes no options at all (`Plugin.NoOptions`): Schema would accept any object there. */
const takesNoOptions = (options: Schema.Schema.Any) => {
  const encoded = SchemaAST.encodedAST(options.ast)
  return (
    SchemaAST.isTypeLiteral(encoded) &&
    encoded.propertySignatures.length === 0 &&
    encoded.indexSignatures.length === 0
  )
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** What to run in the plugin's package folder to give it this server's effect. */
const installEffect = (found: FoundEffect) =>
  `\`npm install effect@${serverEffectRange}\`${found.installDir === undefined ? "" : ` in ${found.installDir}`}`

/**
 * Refuses a plugin made with an effect this server cannot run; otherwise says whether to warn. The
 * versions come from the plugin's stamp (`Plugin.make`) and from the effect its files load on disk;
 * each one found must fit, so that neither a bundled plugin nor a plugin with its own node_modules
 * slips through.
 */
const checkEffect = (
  key: string,
  name: string | undefined,
  found: ReadonlyArray<FoundEffect>,
): Either.Either<ReadonlyArray<string>, ConfigError> => {
  const plugin = name === undefined ? "the plugin" : `the plugin "${name}"`
  const warnings: Array<string> = []
  for (const effect of found) {
    const uses = `${plugin} uses effect ${effect.version}${effect.packageDir === undefined ? "" : ` (${effect.packageDir})`}`
    switch (compare(effect.version)) {
      case "other-major":
        return Either.left(
          new ConfigError({
            message: `plugins.${key}: ${uses}, but this server runs effect ${serverEffectVersion}, and code made with one major version of effect does not run on another. Install effect ${lineOf(serverEffectVersion)} in the plugin (${installEffect(effect)}), rebuild it, and start whatsapp-mcp again.`,
          }),
        )
      case "newer-minor":
        return Either.left(
          new ConfigError({
            message: `plugins.${key}: ${uses}, newer than this server's effect ${serverEffectVersion}: the plugin may use parts of effect this server lacks, which would fail only when a tool runs. Install effect ${lineOf(serverEffectVersion)} in the plugin (${installEffect(effect)}) and rebuild it, or update whatsapp-mcp to a release built with effect ${lineOf(effect.version)}.`,
          }),
        )
      case "older-minor":
        warnings.push(
          `plugins.${key}: warning: ${uses} and this server runs effect ${serverEffectVersion}; it is loaded, but plugins are tested with the server's line of effect. Install effect ${lineOf(serverEffectVersion)} in the plugin (${installEffect(effect)}) and rebuild it.`,
        )
        break
      case "same":
      case "unknown":
        break
    }
  }
  return Either.right([...new Set(warnings)])
}

const checkApiVersion = (key: string, plugin: Plugin.Any): Either.Either<void, ConfigError> => {
  const built: unknown = plugin.apiVersion
  if (built === Plugin.ApiVersion) return Either.void
  const message =
    typeof built !== "number"
      ? `the plugin "${plugin.name}" does not say which plugin API version it was built for. Make it with Plugin.make from @whatsapp-mcp/runtime, or give it apiVersion: ${Plugin.ApiVersion}.`
      : `the plugin "${plugin.name}" was built for plugin API version ${built}, but this server implements plugin API version ${Plugin.ApiVersion}. ${
          built > Plugin.ApiVersion
            ? `Update whatsapp-mcp to a release that implements version ${built}, or install a release of the plugin built for version ${Plugin.ApiVersion}.`
            : `Install a release of the plugin built for version ${Plugin.ApiVersion} (with the current @whatsapp-mcp/runtime), or rebuild it against that runtime.`
        }`
  return Either.left(new ConfigError({ message: `plugins.${key}: ${message}` }))
}

const loadOne = (
  key: string,
  setting: boolean | Readonly<Record<string, unknown>>,
  config: Config,
  builtins: Builtins,
  load: ImportModule,
): Effect.Effect<LoadedPlugin, ConfigError> =>
  Effect.gen(function* () {
    const builtin = builtins[key]
    const cannotLoad = (error: unknown) =>
      builtin === undefined && !isPathSpecifier(key) && !isPackageName(key)
        ? unknownPlugin(key, builtins)
        : new ConfigError({ message: `plugins.${key}: the plugin could not be loaded: ${messageOf(error)}` })
    // Built-in plugins are bundled with the server's own effect: only third-party ones are looked up.
    const located =
      builtin === undefined
        ? yield* Effect.try({ try: () => locate(key, config.baseDir, process.cwd()), catch: cannotLoad })
        : undefined
    const onDisk = located?.file === undefined ? undefined : effectBeside(located.file)
    const importing = builtin ?? (() => load(located?.specifier ?? key))
    const module = yield* Effect.either(Effect.tryPromise(importing))
    if (Either.isLeft(module)) {
      // A plugin made with another effect often fails while it loads ("Schema.between is not a
      // function"): its effect's version is then the message that helps.
      yield* checkEffect(key, undefined, onDisk === undefined ? [] : [onDisk])
      return yield* cannotLoad(module.left.error)
    }
    const plugin = pluginOf(module.right)
    if (!Plugin.isPlugin(plugin)) {
      return yield* new ConfigError({
        message: `plugins.${key}: the module does not export a plugin (expected a default export made with Plugin.make).`,
      })
    }
    const stamped: unknown = plugin.effectVersion
    const stamp: ReadonlyArray<FoundEffect> =
      typeof stamped === "string" && stamped !== onDisk?.version
        ? [
            {
              version: stamped,
              ...(onDisk?.installDir === undefined ? {} : { installDir: onDisk.installDir }),
            },
          ]
        : []
    const warnings = yield* checkEffect(key, plugin.name, [
      ...stamp,
      ...(onDisk === undefined ? [] : [onDisk]),
    ])
    yield* checkApiVersion(key, plugin)
    const raw = setting === true ? {} : setting
    const extra = Object.keys(raw)
    if (extra.length > 0 && takesNoOptions(plugin.options)) {
      return yield* new ConfigError({
        message: `${extra.map((option) => `plugins.${key}.${option}`).join(", ")}: unknown option: the plugin "${plugin.name}" takes no options; set it to true or false.`,
      })
    }
    const options = Schema.decodeUnknownEither(plugin.options, { errors: "all", onExcessProperty: "error" })(
      raw,
    )
    if (Either.isLeft(options)) {
      return yield* new ConfigError({
        message: `Invalid options for plugin "${key}":\n${formatIssues(options.left, `plugins.${key}`)}`,
      })
    }
    // Plugins written without Plugin.make (plain JavaScript) may leave the optional lists out.
    const normalised: Plugin.Any = {
      ...plugin,
      resources: plugin.resources ?? [],
      prompts: plugin.prompts ?? [],
    }
    return { key, plugin: normalised, options: options.right, warnings }
  })

/** Loads every enabled plugin: built-ins unless set to false, other keys unless set to false. */
export const loadPlugins = (
  config: Config,
  builtins: Builtins,
  load: ImportModule = importWithRuntime,
): Effect.Effect<ReadonlyArray<LoadedPlugin>, ConfigError> => {
  const settings = new Map<string, boolean | Readonly<Record<string, unknown>>>()
  for (const name of Object.keys(builtins)) settings.set(name, true)
  for (const [key, setting] of config.plugins) settings.set(key, setting)
  const disabled = [...settings].filter(([, setting]) => setting === false)
  const enabled = [...settings].filter(([, setting]) => setting !== false)
  return Effect.zipRight(
    Effect.forEach(disabled, ([key]) => checkDisabled(key, config, builtins), { discard: true }),
    Effect.forEach(enabled, ([key, setting]) => loadOne(key, setting, config, builtins, load)),
  )
}

/** Chooses the tools to serve and checks that every tool name is unique and every exclusion exists. */
export const selectTools = (
  plugins: ReadonlyArray<LoadedPlugin>,
  config: Pick<Config, "readOnly" | "excludeTools">,
  knownToolNames: ReadonlySet<string> = new Set(),
): Either.Either<ReadonlyArray<ServedTool>, ConfigError> => {
  const byName = new Map<string, ServedTool>()
  for (const plugin of plugins) {
    for (const tool of plugin.plugin.tools) {
      const existing = byName.get(tool.name)
      if (existing !== undefined) {
        return Either.left(
          new ConfigError({
            message: `Two plugins define the tool "${tool.name}": "${existing.plugin.key}" and "${plugin.key}". Disable one of them in the config file's plugins section.`,
          }),
        )
      }
      byName.set(tool.name, { tool, plugin })
    }
  }
  const known = new Set([...knownToolNames, ...byName.keys()])
  const unknown = config.excludeTools.filter((name) => !known.has(name))
  if (unknown.length > 0) {
    return Either.left(
      new ConfigError({
        message: `tools.exclude: unknown tool ${unknown.map((name) => `"${name}"`).join(", ")}. Known tools: ${[...known].sort().join(", ")}.`,
      }),
    )
  }
  const excluded = new Set(config.excludeTools)
  return Either.right(
    [...byName.values()].filter(
      ({ tool }) => (!config.readOnly || tool.annotations.readOnlyHint) && !excluded.has(tool.name),
    ),
  )
}

export interface ServedResource {
  readonly resource: Resource.Any
  readonly plugin: LoadedPlugin
}

export interface ServedPrompt {
  readonly prompt: Prompt.Any
  readonly plugin: LoadedPlugin
}

/** Collects the plugins' resource templates and prompts; a URI template or prompt name may appear once. */
export const selectExtras = (
  plugins: ReadonlyArray<LoadedPlugin>,
): Either.Either<
  { resources: ReadonlyArray<ServedResource>; prompts: ReadonlyArray<ServedPrompt> },
  ConfigError
> => {
  const resources = new Map<string, ServedResource>()
  const prompts = new Map<string, ServedPrompt>()
  for (const plugin of plugins) {
    for (const resource of plugin.plugin.resources) {
      const existing = resources.get(resource.uriTemplate)
      if (existing !== undefined) {
        return Either.left(
          new ConfigError({
            message: `Two plugins define the resource "${resource.uriTemplate}": "${existing.plugin.key}" and "${plugin.key}". Disable one of them.`,
          }),
        )
      }
      resources.set(resource.uriTemplate, { resource, plugin })
    }
    for (const prompt of plugin.plugin.prompts) {
      const existing = prompts.get(prompt.name)
      if (existing !== undefined) {
        return Either.left(
          new ConfigError({
            message: `Two plugins define the prompt "${prompt.name}": "${existing.plugin.key}" and "${plugin.key}". Disable one of them.`,
          }),
        )
      }
      prompts.set(prompt.name, { prompt, plugin })
    }
  }
  return Either.right({ resources: [...resources.values()], prompts: [...prompts.values()] })
}
