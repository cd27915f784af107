/**
 * Building blocks for tool input Schemas: arguments with defaults that show in the JSON Schema
 * clients see, and the paging arguments every list tool shares, with the same bounds everywhere.
 */
import { Schema } from "effect"

/**
 * An optional argument with a default, described for the model, the default shown in JSON Schema.
 * The description sits on the property, not on the type: on a refined type Effect would print it as
 * what was "expected" when a value fails the refinement.
 */
export const withDefault = <A, I>(
  schema: Schema.Schema<A, I, never>,
  value: NoInfer<A>,
  description: string,
) => Schema.optionalWith(schema, { default: () => value }).annotations({ description, default: value })

/** An optional argument without a default. */
export const optional = <A, I>(schema: Schema.Schema<A, I, never>, description: string) =>
  Schema.optional(schema).annotations({ description })

/** How many results a page holds: 1 to `max`. */
export const limit = (defaultValue = 20, max = 100) =>
  withDefault(
    Schema.Int.pipe(Schema.between(1, max, { title: "limit" })),
    defaultValue,
    `How many results to return per page (1-${max}).`,
  )

/** Which page to return, counting from 0. */
export const page = withDefault(
  Schema.Int.pipe(Schema.nonNegative({ title: "page" })),
  0,
  "Which page of results to return, counting from 0. Use the next page while `has_more` is true.",
)

/** The paging part of a list tool's output. */
export const PageInfo = Schema.Struct({
  page: Schema.Int,
  limit: Schema.Int,
  has_more: Schema.Boolean.annotations({ description: "Whether another page has more results." }),
})

/** A date-time argument as a model writes it; read in the configured time zone by `TimeZone.parse`. */
export const DateTimeInput = Schema.String.pipe(Schema.maxLength(64)).annotations({
  description:
    "ISO-8601 date or date-time, e.g. 2024-06-01, 2024-06-01T18:30 or 2024-06-01T18:30:00+02:00. Without an offset it is read in the configured time zone.",
})

/** A non-empty string of bounded length (identifiers, queries). */
export const BoundedString = (max: number, title: string) =>
  Schema.String.pipe(Schema.minLength(1, { title }), Schema.maxLength(max, { title }))
