/**
 * A prompt is a plain value: a name, arguments described by a Schema of strings (MCP passes prompt
 * arguments as strings), and the messages it expands to. Clients offer prompts as ready-made
 * requests, e.g. "summarise what I missed in this chat".
 */
import type { Effect, Schema } from "effect"
import type { Failure } from "./Tool.js"

export interface Message {
  readonly role: "user" | "assistant"
  readonly text: string
}

export interface Prompt<A, E extends Failure, R> {
  readonly _tag: "Prompt"
  readonly name: string
  readonly title: string
  readonly description: string
  /** A Schema.Struct of string fields (optional ones with Schema.optional); descriptions are shown to users. */
  // biome-ignore lint/suspicious/noExplicitAny: the encoded side is a record of strings, checked when the server starts
  readonly arguments: Schema.Schema<A, any, never>
  readonly messages: (args: A) => Effect.Effect<ReadonlyArray<Message>, E, R>
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of prompts needs the widest element type
export type Any = Prompt<any, Failure, any>

export const make = <A, E extends Failure = never, R = never>(
  definition: Omit<Prompt<A, E, R>, "_tag">,
): Prompt<A, E, R> => ({ _tag: "Prompt", ...definition })
