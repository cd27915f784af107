/**
 * A tool is a plain value: its name, the Schemas of what it takes and returns, the MCP
 * annotations, a description written for a model, a text rendering of its result and an Effect
 * handler. The runtime derives the MCP JSON Schemas from the Effect Schemas.
 */
import type { Effect, Schema } from "effect"
import type * as ToolImage from "./ToolImage.js"

/** The four MCP tool annotations. All four are required so that no tool forgets to say what it does. */
export interface Annotations {
  /** The tool does not change anything (no send, no mark read, no file written outside the cache). */
  readonly readOnlyHint: boolean
  /** The tool may do something that cannot be undone (a message that cannot be unsent). */
  readonly destructiveHint: boolean
  /** Calling it again with the same arguments has no further effect. */
  readonly idempotentHint: boolean
  /** The tool reaches beyond the local store (WhatsApp itself, the network). */
  readonly openWorldHint: boolean
}

/**
 * What a handler may fail with: any tagged error whose message tells the model what went wrong and
 * what to do about it. The message is shown to the model as it is.
 */
export interface Failure {
  readonly _tag: string
  readonly message: string
}

/**
 * An input Schema: it must describe an object of named arguments (checked when the server starts,
 * since Schema's encoded type is invariant and cannot be bounded here).
 */
// biome-ignore lint/suspicious/noExplicitAny: the encoded side is checked at start-up, see above
export type InputSchema<I> = Schema.Schema<I, any, never>

/** An output Schema: it must describe an object, sent as `structuredContent` (checked at start-up). */
// biome-ignore lint/suspicious/noExplicitAny: the encoded side is checked at start-up, see above
export type OutputSchema<O> = Schema.Schema<O, any, never>

export interface Tool<I, O, E extends Failure, R> {
  readonly _tag: "Tool"
  /** snake_case, unique across every loaded plugin. */
  readonly name: string
  /** A short human title, shown by clients in their tool lists. */
  readonly title: string
  /** Written for a model: when to use the tool, what it returns, what to do before calling it. */
  readonly description: string
  readonly input: InputSchema<I>
  readonly output: OutputSchema<O>
  readonly annotations: Annotations
  /** The text a model reads alongside the structured result: short, one line per item. */
  readonly render: (output: O) => string
  /**
   * Declared by a tool that may answer with pictures for the model to see: its handler may then
   * return `ToolImage.withImages(output, images)`. A tool without it never sends any.
   */
  readonly images?: ToolImage.Declaration
  readonly handler: (input: I) => Effect.Effect<O | ToolImage.WithImages<O>, E, R>
}

/** A tool of any type, as plugins list them. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tools needs the widest element type
export type Any = Tool<any, any, Failure, any>

/** The services a list of tools needs. */
export type Requirements<T> = T extends Tool<infer _I, infer _O, infer _E, infer R> ? R : never

/** Defines a tool. Only a constructor: it checks nothing at run time that the types do not. */
export const make = <I, O, E extends Failure = never, R = never>(
  definition: Omit<Tool<I, O, E, R>, "_tag">,
): Tool<I, O, E, R> => ({ _tag: "Tool", ...definition })

/** Annotations of a tool that only reads the local store. */
export const readOnly: Annotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}
