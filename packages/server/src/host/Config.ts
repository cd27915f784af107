/**
 * The configuration file (`whatsapp-mcp.config.json`, `--config FILE` or `WHATSAPP_MCP_CONFIG`):
 * which plugins and tools are served, where the store and the bridge are, the time zone, and
 * read-only mode. Decoded with Schema, so a mistake is reported with the key that holds it.
 */
import { existsSync, readFileSync } from "node:fs"
import { BlockList, isIP } from "node:net"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { TimeZone } from "@whatsapp-mcp/runtime"
import { Data, Either, JSONSchema, Option, type ParseResult, Schema, SchemaAST } from "effect"
import { closestName } from "./internal/closestName.js"
import { isFilterName } from "./internal/filterName.js"
import { expandHome } from "./internal/homePath.js"

export const defaultFileName = "whatsapp-mcp.config.json"
export const defaultBridgeUrl = "http://127.0.0.1:8080"

const PluginSetting = Schema.Union(
  Schema.Boolean,
  Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
    title: "an object of the plugin's options",
    description: "Enables the plugin with these options (the plugin's own options Schema checks them).",
  }),
).annotations({
  title: "true, false or an object of the plugin's options",
  description:
    "true enables the plugin with its defaults, false disables it, an object enables it with options.",
})

const TimeZoneName = Schema.String.pipe(
  Schema.filter(
    (zone) =>
      TimeZone.isValidZone(zone) ||
      `"${zone}" is not a time zone name; use an IANA name such as Europe/Berlin`,
  ),
).annotations({
  jsonSchema: {
    type: "string",
    description:
      "IANA time zone name used to print and read times, e.g. Europe/Berlin. Default: the system's zone (or WHATSAPP_MCP_TIMEZONE).",
  },
})

const HttpUrl = Schema.String.pipe(
  Schema.filter(
    (url) => {
      try {
        const parsed = new URL(url)
        return parsed.protocol === "http:" || parsed.protocol === "https:" || `"${url}" is not an http(s) URL`
      } catch {
        return `"${url}" is not a URL; expected something like ${defaultBridgeUrl}`
      }
      // Without a JSON Schema of its own a filter would publish none of its annotations.
    },
    { jsonSchema: { format: "uri" } },
  ),
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
        HttpUrl.annotations({
          title: "an http(s) URL",
          description: `URL of the bridge's HTTP API. Default: ${defaultBridgeUrl}. Only this machine's addresses (localhost, 127.0.0.0/8, ::1) are accepted unless allowRemote is true: the bridge's token is sent with every request.`,
        }),
      ),
      allowRemote: Schema.optional(
        Schema.Boolean.annotations({
          description:
            "Accept a bridge.url on another machine. The bridge's token (which can send messages as you) then travels to that host with every request, readable by anyone on the way unless the URL is https. Default: false.",
        }),
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
          title: "a list of tool names",
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

const orList = (items: ReadonlyArray<string>): string => {
  const unique = [...new Set(items)]
  return unique.length <= 1
    ? (unique[0] ?? "nothing")
    : `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`
}

/** The bounds a filter publishes in its JSON Schema, in words: "from 1 to 100", "of at most 200 characters". */
const boundsInWords = (json: Record<string, unknown>): string | undefined => {
  const range = (low: unknown, high: unknown, unit: string) => {
    const hasLow = typeof low === "number"
    const hasHigh = typeof high === "number"
    if (hasLow && hasHigh) return `${unit === "" ? "from" : "of"} ${low} to ${high}${unit}`
    if (hasLow) return `of at least ${low}${unit}`
    if (hasHigh) return `of at most ${high}${unit}`
    return undefined
  }
  return (
    range(json.minimum, json.maximum, "") ??
    range(json.minLength, json.maxLength, " characters") ??
    range(json.minItems, json.maxItems, " items")
  )
}

/**
 * What a Schema accepts, in words: its title when it is words for people, else its shape. Effect's
 * own messages use the title or else the description, and a description written for a model or an
 * editor ("send_file reads only files below…") makes no sense after "expected".
 */
const expected = (ast: SchemaAST.AST): string => {
  const title = SchemaAST.getTitleAnnotation(ast)
  if (Option.isSome(title) && !isFilterName(title.value)) return title.value
  switch (ast._tag) {
    case "Refinement": {
      // Schema's own filters describe themselves in words: "an integer", "a number between 1 and 5".
      // A description given for people replaces that, so the bounds are read from the JSON Schema.
      const description = SchemaAST.getDescriptionAnnotation(ast)
      if (Option.isSome(description) && /^an? /.test(description.value)) return description.value
      const bounds = Option.match(SchemaAST.getJSONSchemaAnnotation(ast), {
        onNone: () => undefined,
        onSome: (json) => boundsInWords(json as Record<string, unknown>),
      })
      return bounds === undefined ? expected(ast.from) : `${expected(ast.from)} ${bounds}`
    }
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "Literal":
      return JSON.stringify(ast.literal)
    case "UndefinedKeyword":
      return "nothing"
    case "Union":
      return orList(ast.types.filter((type) => type._tag !== "UndefinedKeyword").map(expected))
    case "TupleType":
      return ast.rest.length === 1 && ast.elements.length === 0
        ? `a list, each item ${expected(ast.rest[0]?.type ?? ast)}`
        : "a list"
    case "TypeLiteral":
      return "an object"
    case "Transformation":
      return expected(ast.from)
    case "Suspend":
      return expected(ast.f())
    default:
      return String(ast)
  }
}

/** A value as found in the input, and what kind of value it is: `"~/outbox" (a string)`. */
const found = (actual: unknown): string => {
  const kind =
    actual === null
      ? undefined
      : Array.isArray(actual)
        ? "a list"
        : typeof actual === "object"
          ? "an object"
          : typeof actual === "string"
            ? "a string"
            : typeof actual === "number"
              ? "a number"
              : undefined
  const json = JSON.stringify(actual) ?? String(actual)
  const shown = json.length > 80 ? `${json.slice(0, 77)}…` : json
  return kind === undefined ? shown : `${shown} (${kind})`
}

interface IssueLine {
  readonly path: ReadonlyArray<PropertyKey>
  readonly text: string
}

/** One line per wrong key, found by walking Schema's issue tree; `keys` are the enclosing object's keys. */
const collect = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>,
  keys: ReadonlyArray<string>,
): ReadonlyArray<IssueLine> => {
  const line = (text: string): ReadonlyArray<IssueLine> => [{ path, text }]
  const mismatch = (ast: SchemaAST.AST, actual: unknown) =>
    line(`expected ${expected(ast)}; found ${found(actual)}`)
  switch (issue._tag) {
    case "Pointer":
      return collect(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])], keys)
    case "Composite": {
      const issues = Array.isArray(issue.issues) ? issue.issues : [issue.issues]
      if (SchemaAST.isUnion(issue.ast)) {
        // An optional key's "undefined" alternative is no help to someone who wrote a value.
        const relevant = issues.filter((i) => !(i._tag === "Type" && i.ast._tag === "UndefinedKeyword"))
        return relevant.every((i) => i._tag === "Type")
          ? mismatch(issue.ast, issue.actual)
          : relevant.filter((i) => i._tag !== "Type").flatMap((i) => collect(i, path, keys))
      }
      const ownKeys = SchemaAST.isTypeLiteral(issue.ast)
        ? issue.ast.propertySignatures.map((ps) => String(ps.name))
        : keys
      return issues.flatMap((i) => collect(i, path, ownKeys))
    }
    case "Type":
      return issue.message === undefined ? mismatch(issue.ast, issue.actual) : line(issue.message)
    case "Refinement":
      // The value is not even of the refined type: say what the refined type is, bounds included.
      return issue.kind === "From" && issue.issue._tag === "Type" && issue.issue.message === undefined
        ? mismatch(issue.ast, issue.actual)
        : collect(issue.issue, path, keys)
    case "Transformation":
      return collect(issue.issue, path, keys)
    case "Missing":
      return line(issue.message ?? "required, but missing")
    case "Unexpected": {
      const name = String(path[path.length - 1] ?? "")
      const suggestion = closestName(name, keys)
      return line(
        `unknown key "${name}"${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}${keys.length > 0 ? `; known keys: ${keys.join(", ")}` : ""}`,
      )
    }
    case "Forbidden":
      return line(issue.message ?? "cannot be checked here")
  }
}

/**
 * Formats a Schema decoding failure as one line per wrong key: the key's path, what it expects in
 * words and what was found (`plugins.send.allowedFileRoots: expected a list of folders; found
 * "~/outbox" (a string)`), or the check's own message; an unknown key gets a "did you mean".
 */
export const formatIssues = (error: ParseResult.ParseError, prefix = ""): string => {
  const lines = collect(error.issue, [], [])
  const byKey = new Map<string, Array<string>>()
  for (const line of lines) {
    const key = [prefix, ...line.path.map(String)].filter((part) => part !== "").join(".")
    const texts = byKey.get(key) ?? []
    if (!texts.includes(line.text)) texts.push(line.text)
    byKey.set(key, texts)
  }
  return [...byKey]
    .map(([key, texts]) => `${key === "" ? "(top level)" : key}: ${texts.join("; ")}`)
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
  /** Which bridge hosts count as this machine (default: `isLoopbackHost`); tests stand a local listener in for another host. */
  readonly isLocalHost?: ((hostname: string) => boolean) | undefined
}

const loopback = new BlockList()
loopback.addSubnet("127.0.0.0", 8, "ipv4")
loopback.addAddress("::1", "ipv6")

/**
 * Whether a URL's host name (as `new URL(…).hostname` gives it) is this machine: `localhost`, an
 * address in 127.0.0.0/8, or `[::1]`.
 */
export const isLoopbackHost = (hostname: string): boolean => {
  if (hostname.toLowerCase() === "localhost") return true
  const address = hostname.replace(/^\[(.*)\]$/, "$1")
  const family = isIP(address)
  return family !== 0 && loopback.check(address, family === 4 ? "ipv4" : "ipv6")
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
  // Empty means unset: a client that fills the variable from an optional setting left blank (a
  // Claude Desktop bundle does) passes "" rather than leaving it out.
  const envZone =
    sources.env.WHATSAPP_MCP_TIMEZONE?.trim() === "" ? undefined : sources.env.WHATSAPP_MCP_TIMEZONE
  if (envZone !== undefined && content.timezone === undefined && !TimeZone.isValidZone(envZone)) {
    return Either.left(
      new ConfigError({ message: `WHATSAPP_MCP_TIMEZONE: "${envZone}" is not a time zone name.` }),
    )
  }
  const bridgeUrl = content.bridge?.url ?? sources.env.WHATSAPP_MCP_BRIDGE_URL ?? defaultBridgeUrl
  const where = content.bridge?.url !== undefined ? "bridge.url" : "WHATSAPP_MCP_BRIDGE_URL"
  if (!URL.canParse(bridgeUrl)) {
    return Either.left(
      new ConfigError({
        message: `${where}: expected an http(s) URL such as ${defaultBridgeUrl}; found "${bridgeUrl}".`,
      }),
    )
  }
  const isLocal = sources.isLocalHost ?? isLoopbackHost
  if (content.bridge?.allowRemote !== true && !isLocal(new URL(bridgeUrl).hostname)) {
    return Either.left(
      new ConfigError({
        message: `${where}: "${bridgeUrl}" is not on this machine, and the bridge's token (which can send messages as you) goes with every request. Use the bridge on this machine (${defaultBridgeUrl}), or, if you run it elsewhere on purpose, add "allowRemote": true to the config file's "bridge" section.`,
      }),
    )
  }
  return Either.right({
    file,
    storeDir,
    bridgeUrl,
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
