/**
 * A plugin is a value: a named group of tools with an options Schema (its part of the config file)
 * and, optionally, a Layer of its own services built from those options. Built-in plugins and
 * third-party plugins are made the same way, with this module only.
 */
import type { SqlClient } from "@effect/sql"
import { type Layer, ModuleVersion, Schema } from "effect"
import type { BridgeClient } from "./bridge/BridgeClient.js"
import type { Confirmation } from "./Confirmation.js"
import type * as Prompt from "./Prompt.js"
import type * as Resource from "./Resource.js"
import type { Store } from "./Store.js"
import type { TimeZone } from "./TimeZone.js"
import type * as Tool from "./Tool.js"
import type { ToolContext } from "./ToolContext.js"

/**
 * The version of the plugin API this runtime implements. A plugin states the version it was built
 * for; the runtime refuses a plugin built for another one, at start-up, with a message saying so.
 */
export const ApiVersion = 1

/**
 * The services the runtime provides to every tool handler (`Store` says where the store is;
 * `Confirmation` asks the person at the client, where the client can).
 */
export type RuntimeServices =
  | SqlClient.SqlClient
  | TimeZone
  | ToolContext
  | BridgeClient
  | Store
  | Confirmation

/** Services a plugin's Layer may use while it is built (no per-call context, no store yet). */
export type LayerServices = TimeZone | BridgeClient

/** The Schema of a plugin's options; its encoded side is the JSON object found in the config file. */
// biome-ignore lint/suspicious/noExplicitAny: Schema's encoded type is invariant; any JSON object is accepted and decoded
export type OptionsSchema<Options> = Schema.Schema<Options, any, never>

export interface Plugin<Options, Provides> {
  readonly _tag: "Plugin"
  /** The plugin's key in the config file for built-in plugins; shown in errors for all plugins. */
  readonly name: string
  readonly version: string
  readonly description: string
  /** The plugin API version the plugin was built for: `Plugin.ApiVersion` at build time. */
  readonly apiVersion: number
  /**
   * The version of effect the plugin was made with (set by `make`). The server runs the plugin's
   * Effects and Schemas with its own effect, and refuses a plugin made with another major version.
   */
  readonly effectVersion?: string
  /** Decodes the plugin's value in the config file (`true` reads as `{}`). */
  readonly options: OptionsSchema<Options>
  readonly tools: ReadonlyArray<Tool.Any>
  /** Resource templates: things a client can offer the user to attach, e.g. a chat's transcript. */
  readonly resources: ReadonlyArray<Resource.Any>
  /** Prompts: ready-made requests a client can offer the user. */
  readonly prompts: ReadonlyArray<Prompt.Any>
  /** Builds the plugin's own services from its options. The error's message is shown at start-up. */
  readonly layer?: (options: Options) => Layer.Layer<Provides, { readonly message: string }, LayerServices>
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of plugins needs the widest element type
export type Any = Plugin<any, never>

/** Compiles only when every service the tools need is provided by the runtime or the plugin's Layer. */
type MissingServices<Tools extends ReadonlyArray<Tool.Any>, Extras, Provides> = Exclude<
  Tool.Requirements<Tools[number]> | Extras,
  RuntimeServices | Provides
>

/** The services resources and prompts need (distributes over the list's elements; none for an empty list). */
type ResourceRequirements<T> = T extends Resource.ResourceTemplate<infer _E, infer R> ? R : never
type PromptRequirements<T> = T extends Prompt.Prompt<infer _A, infer _E, infer R> ? R : never
type ExtraRequirements<Resources extends ReadonlyArray<unknown>, Prompts extends ReadonlyArray<unknown>> =
  | ResourceRequirements<Resources[number]>
  | PromptRequirements<Prompts[number]>

/** The options Schema of a plugin that takes none. */
export const NoOptions = Schema.Struct({})

/** A plugin's Layer: its own services, built from its decoded options. */
export type LayerOf<Options, Provides> = (
  options: Options,
) => Layer.Layer<Provides, { readonly message: string }, LayerServices>

export interface Definition<Options, Tools extends ReadonlyArray<Tool.Any>, Resources, Prompts, Provides> {
  readonly name: string
  readonly version: string
  readonly description: string
  readonly apiVersion?: number
  readonly options?: OptionsSchema<Options>
  readonly tools: Tools
  readonly resources?: Resources
  readonly prompts?: Prompts
  readonly layer?: LayerOf<Options, Provides>
}

/**
 * Defines a plugin. A plugin whose tools need a service that neither the runtime nor the plugin's
 * Layer provides gets a type that no loader accepts, whose one property names the missing services.
 */
export const make = <
  const Tools extends ReadonlyArray<Tool.Any>,
  Options = Readonly<Record<string, never>>,
  Provides = never,
  const Resources extends ReadonlyArray<Resource.Any> = readonly [],
  const Prompts extends ReadonlyArray<Prompt.Any> = readonly [],
>(
  definition: Definition<Options, Tools, Resources, Prompts, Provides>,
): [MissingServices<Tools, ExtraRequirements<Resources, Prompts>, Provides>] extends [never]
  ? Plugin<Options, Provides>
  : {
      readonly "tools need services nobody provides": MissingServices<
        Tools,
        ExtraRequirements<Resources, Prompts>,
        Provides
      >
    } =>
  ({
    _tag: "Plugin",
    apiVersion: ApiVersion,
    // effect's own constant, so it names the copy of effect this module loaded, bundled or not
    effectVersion: ModuleVersion.getCurrentVersion(),
    options: NoOptions,
    resources: [],
    prompts: [],
    ...definition,
  }) as never

/** Whether a value loaded from a module is a plugin (of any API version). */
export const isPlugin = (value: unknown): value is Any =>
  typeof value === "object" &&
  value !== null &&
  (value as { _tag?: unknown })._tag === "Plugin" &&
  typeof (value as { name?: unknown }).name === "string" &&
  Array.isArray((value as { tools?: unknown }).tools)
