/**
 * The configuration file (`whatsapp-mcp.config.json`, `--config FILE` or `WHATSAPP_MCP_CONFIG`):
 * which plugins and tools are served, where the store and the bridge are, the time zone, and
 * read-only mode. Decoded with Schema, so a mistake is reported with the key that holds it.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { Data, Either, JSONSchema, ParseResult, Schema } from "effect"
import { expandHome } from "./internal/homePath.js"
import { isValidZone } from "./TimeZone.js"

export const defaultFileName = "whatsapp-mcp.config.json"
export const defaultBridgeUrl = "http://127.0.0.1:8080"

const PluginSetting = Schema.Union(
  Schema.Boolean,
  Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
    title: "plugin options",
    description: "Enables the plugin with these options (the plugin's own options Schema checks them).",
  }),
).annotations({
  description:
    "true enables the plugin with its defaults, false disables it, an object enables it with options.",
})

const TimeZoneName = Schema.String.pipe(
  Schema.filter(
    (zone) =>
      isValidZone(zone) || `"${zone}" is not a time zone name; use an IANA name such as Europe/Berlin`,
  ),
).annotations({
  jsonSchema: {
    type: "string",
    description:
      "IANA time zone name used to print and read times, e.g. Europe/Berlin. Default: the system's zone (or WHATSAPP_MCP_TIMEZONE).",
  },
})

const HttpUrl = Schema.String.pipe(
  Schema.filter((url) => {
    try {
      const parsed = new URL(url)
      return parsed.protocol === "http:" || parsed.protocol === "https:" || `"${url}" is not an http(s) URL`
    } catch {
      return `"${url}" is not a URL; expected something like ${defaultBridgeUrl}`
    }
  }),
)

export const ConfigFile = Schema.Struct({
  $schema: Schema.optional(Schema.String),
  store: Schema.optional(
    Schema.String.annotations({
      description:
        "Directory of the store the bridge writes (messages.db, bridge-token). Relative paths are resolved against this file's directory. Default: ./store",
    }),
  ),
  bridge: Schema.optional(
    Schema.Struct({
      url: Schema.optional(
        HttpUrl.annotations({ description: `URL of the bridge's HTTP API. Default: ${defaultBridgeUrl}` }),
      ),
      tokenFile: Schema.optional(
        Schema.String.annotations({
          description: "File holding the bridge's bearer token. Default: <store>/bridge-token",
        }),
      ),
    }),
  ),
  timezone: Schema.optional(TimeZoneName),
  readOnly: Schema.optional(
    Schema.Boolean.annotations({
      description:
        "Serve only tools that change nothing (no sends, reactions or read marks). Beats every other setting. The environment variable WHATSAPP_MCP_READ_ONLY=1 sets it too.",
    }),
  ),
  plugins: Schema.optional(
    Schema.Record({ key: Schema.String, value: PluginSetting }).annotations({
      description:
        "Built-in plugins (contacts, chats, messages, send, media) are on unless set to false. Any other key is a plugin module: a path relative to this file, or an installed package name.",
    }),
  ),
  tools: Schema.optional(
    Schema.Struct({
      exclude: Schema.optional(
        Schema.Array(Schema.String).annotations({
          description: "Tool names never served, whatever plugin they belong to.",
        }),
      ),
    }),
  ),
}).annotations({
  identifier: "WhatsAppMcpConfig",
  title: "whatsapp-mcp configuration",
  description: "Configuration of the whatsapp-mcp MCP server.",
})

export type ConfigFile = typeof ConfigFile.Type

/** The configuration with every default applied and every path absolute. */
export interface Config {
  /** The file it came from, if any. */
  readonly file: string | undefined
  readonly storeDir: string
  readonly bridgeUrl: string
  readonly tokenFile: string
  readonly timezone: string | undefined
  readonly readOnly: boolean
  /** Plugin keys in file order with their raw settings. */
  readonly plugins: ReadonlyArray<
    readonly [key: string, setting: boolean | Readonly<Record<string, unknown>>]
  >
  readonly excludeTools: ReadonlyArray<string>
  /** Directory that relative plugin paths are resolved against. */
  readonly baseDir: string
}

export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

/**
 * Formats a Schema decoding failure as one line per wrong key, starting with the key. An optional
 * key's "Expected undefined" alternative is left out, and the alternatives of a choice are listed
 * together ("Expected one of "a", "b"").
 */
export const formatIssues = (error: ParseResult.ParseError, prefix = ""): string => {
  const byKey = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const key = [prefix, ...issue.path.map(String)].filter((part) => part !== "").join(".")
    const messages = byKey.get(key) ?? []
    messages.push(issue.message)
    byKey.set(key, messages)
  }
  return [...byKey]
    .map(([key, all]) => {
      const messages = all.length > 1 ? all.filter((m) => !m.startsWith("Expected undefined,")) : all
      const alternatives = messages.map((m) => /^Expected (.+), actual (.+)$/s.exec(m))
      const text =
        messages.length > 1 && alternatives.every((m) => m !== null && m[2] === alternatives[0]?.[2])
          ? `Expected one of ${alternatives.map((m) => m?.[1]).join(", ")}; got ${alternatives[0]?.[2]}`
          : messages.join("; ")
      return `${key === "" ? "(top level)" : key}: ${text}`
    })
    .join("\n")
}

const decode = Schema.decodeUnknownEither(ConfigFile, { errors: "all", onExcessProperty: "error" })

const truthy = (value: string | undefined): boolean =>
  value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase())

export interface Sources {
  /** `--config FILE`, if given. */
  readonly configFlag?: string | undefined
  /** `--store DIR`, if given: beats the file's `store`. */
  readonly storeFlag?: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

/** Finds, reads and decodes the configuration. */
export const load = (sources: Sources): Either.Either<Config, ConfigError> => {
  const explicit = sources.configFlag ?? sources.env.WHATSAPP_MCP_CONFIG
  const candidate = explicit ?? join(sources.cwd, defaultFileName)
  const file = explicit !== undefined || existsSync(candidate) ? resolve(sources.cwd, candidate) : undefined

  let content: ConfigFile = {}
  if (file !== undefined) {
    let text: string
    try {
      text = readFileSync(file, "utf8")
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : String(error)
      return Either.left(new ConfigError({ message: `Cannot read the config file ${file}: ${reason}.` }))
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return Either.left(
        new ConfigError({
          message: `The config file ${file} is not valid JSON: ${(error as Error).message}`,
        }),
      )
    }
    const decoded = decode(json)
    if (Either.isLeft(decoded)) {
      return Either.left(
        new ConfigError({
          message: `The config file ${file} has invalid values:\n${formatIssues(decoded.left)}`,
        }),
      )
    }
    content = decoded.right
  }

  const baseDir = file === undefined ? sources.cwd : dirname(file)
  const absolute = (path: string, base: string) =>
    isAbsolute(path) ? path : resolve(base, expandHome(path, sources.env))
  const storeDir =
    sources.storeFlag !== undefined
      ? absolute(sources.storeFlag, sources.cwd)
      : absolute(content.store ?? sources.env.WHATSAPP_MCP_STORE ?? "./store", baseDir)
  const envZone = sources.env.WHATSAPP_MCP_TIMEZONE
  if (envZone !== undefined && content.timezone === undefined && !isValidZone(envZone)) {
    return Either.left(
      new ConfigError({ message: `WHATSAPP_MCP_TIMEZONE: "${envZone}" is not a time zone name.` }),
    )
  }
  return Either.right({
    file,
    storeDir,
    bridgeUrl: content.bridge?.url ?? sources.env.WHATSAPP_MCP_BRIDGE_URL ?? defaultBridgeUrl,
    tokenFile:
      content.bridge?.tokenFile !== undefined
        ? absolute(content.bridge.tokenFile, baseDir)
        : join(storeDir, "bridge-token"),
    timezone: content.timezone ?? envZone,
    readOnly: content.readOnly === true || truthy(sources.env.WHATSAPP_MCP_READ_ONLY),
    plugins: Object.entries(content.plugins ?? {}),
    excludeTools: content.tools?.exclude ?? [],
    baseDir,
  })
}

/** The JSON Schema of the config file, for editors (checked in as whatsapp-mcp.config.schema.json). */
export const jsonSchema = (): Record<string, unknown> => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {}
  const root = JSONSchema.fromAST(ConfigFile.ast, { definitions, topLevelReferenceStrategy: "skip" })
  return { $schema: "http://json-schema.org/draft-07/schema#", ...root }
}
