/**
 * Building blocks for tool input Schemas: arguments with defaults that show in the JSON Schema
 * clients see, and the paging arguments every list tool shares, with the same bounds everywhere.
 *
 * What a model reads about an argument is its JSON Schema: a description that says what it is and
 * its format, and its bounds. Schema's own filters (`maxLength`, `between`, `Int`) would title each
 * argument after the filter ("maxLength(64)") and describe it generically ("a string at most 64
 * character(s) long"), so the types here carry their bounds without a title, and the helpers put
 * the argument's description on the property, where it survives whatever else the Struct holds.
 */
import { identity, Option, Predicate, Schema } from "effect"

/**
 * The format a type's values must follow (ISO-8601, a JID…), added after the description of every
 * argument of that type, so that each argument says both what it is and how to write it.
 */
const FormatAnnotationId = Symbol.for("@whatsapp-mcp/runtime/Params/format")

/** Marks `schema` with the format its values follow; `withDefault` and `optional` append it to the description. */
export const withFormat = <A, I>(
  schema: Schema.Schema<A, I, never>,
  format: string,
): Schema.Schema<A, I, never> => schema.annotations({ [FormatAnnotationId]: format, description: format })

const describe = (schema: Schema.Schema.Any, description: string): string => {
  const format = schema.ast.annotations[FormatAnnotationId]
  return typeof format === "string" ? `${description} ${format}` : description
}

/**
 * An optional argument with a default, described for the model, the default shown in JSON Schema.
 * The description sits on the property, not on the type: on a refined type Effect would print it as
 * what was "expected" when a value fails the refinement.
 */
export const withDefault = <A, I>(
  schema: Schema.Schema<A, I, never>,
  value: NoInfer<A>,
  description: string,
) =>
  Schema.optionalWith(schema, { default: () => value }).annotations({
    description: describe(schema, description),
    default: value,
  })

/**
 * An optional argument without a default. A plain `Schema.optional` loses its description from the
 * JSON Schema as soon as the Struct also holds an argument with a default (the Struct then becomes a
 * transformation, whose encoded side keeps only the properties' types); an optional-to-optional
 * property keeps it, since JSON Schema copies each transformed property's description across.
 */
export const optional = <A, I>(schema: Schema.Schema<A, I, never>, description: string) =>
  // An explicit undefined reads as absent, as with Schema.optional (JSON never carries one; in-process callers may).
  Schema.optionalToOptional(Schema.UndefinedOr(schema), Schema.typeSchema(schema), {
    decode: Option.filter(Predicate.isNotUndefined),
    encode: identity,
  }).annotations({ description: describe(schema, description) })

/**
 * A string of `min` (default 1) to `max` characters: identifiers, queries, texts. Its JSON Schema
 * has the bounds and no title; give the argument a description.
 */
export const BoundedString = (max: number, min = 1) =>
  Schema.String.pipe(
    Schema.filter(
      (text) =>
        (text.length >= min && text.length <= max) ||
        (text.length < min
          ? `expected at least ${min} character${min === 1 ? "" : "s"}; found an empty string`
          : `expected at most ${max} characters; found ${text.length}`),
      {
        description: `a string of ${min > 0 ? `${min} to ` : "at most "}${max} characters`,
        jsonSchema: min > 0 ? { minLength: min, maxLength: max } : { maxLength: max },
      },
    ),
  )

/** A whole number from `min` to `max`; its JSON Schema has the bounds and no title. */
export const IntBetween = (min: number, max: number) =>
  Schema.Number.pipe(
    Schema.filter(
      (n) =>
        (Number.isInteger(n) && n >= min && n <= max) ||
        `expected a whole number from ${min} to ${max}; found ${n}`,
      // "type" makes this the whole JSON Schema of the type: Number's own title and description stay out.
      {
        description: `a whole number from ${min} to ${max}`,
        jsonSchema: { type: "integer", minimum: min, maximum: max },
      },
    ),
  )

/** A whole number from `min` up; its JSON Schema has the bound and no title. */
export const IntAtLeast = (min: number) =>
  Schema.Number.pipe(
    Schema.filter(
      (n) => (Number.isSafeInteger(n) && n >= min) || `expected a whole number from ${min} up; found ${n}`,
      { description: `a whole number from ${min} up`, jsonSchema: { type: "integer", minimum: min } },
    ),
  )

/** A list of at most `max` items; its JSON Schema has the bound and no title. */
export const BoundedList = <A, I>(item: Schema.Schema<A, I, never>, max: number) =>
  Schema.Array(item).pipe(
    Schema.filter((items) => items.length <= max || `expected at most ${max} items; found ${items.length}`, {
      description: `a list of at most ${max} items`,
      jsonSchema: { maxItems: max },
    }),
  )

/** How many results a page holds: 1 to `max`. */
export const limit = (defaultValue = 20, max = 100, description = "How many results to return per page") =>
  withDefault(IntBetween(1, max), defaultValue, `${description} (1-${max}).`)

/** Which page to return, counting from 0. */
export const page = withDefault(
  IntAtLeast(0),
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
export const DateTimeInput = withFormat(
  BoundedString(64),
  "ISO-8601 date or date-time, with or without an offset, e.g. 2024-06-01, 2024-06-01T18:30 or 2024-06-01T18:30:00+02:00; without an offset it is read in the configured time zone.",
)
