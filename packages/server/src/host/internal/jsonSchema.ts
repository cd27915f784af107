/**
 * MCP wants each tool's input and output described by a JSON Schema whose root is an object.
 * Effect's JSONSchema.make turns a named Schema into a top-level `$ref`, so the root is inlined here.
 */
import { JSONSchema, type Schema, SchemaAST } from "effect"

export type ObjectJsonSchema = { readonly type: "object"; readonly [key: string]: unknown }

export const objectJsonSchema = (
  schema: Schema.Schema.Any,
  toolName: string,
  side: string,
): ObjectJsonSchema => {
  // Schema.Struct({}) means "any non-nullish value" to Effect; to a tool it means "no arguments".
  const encoded = SchemaAST.encodedAST(schema.ast)
  if (
    SchemaAST.isTypeLiteral(encoded) &&
    encoded.propertySignatures.length === 0 &&
    encoded.indexSignatures.length === 0
  ) {
    return { type: "object", properties: {}, additionalProperties: false }
  }
  const definitions: Record<string, JSONSchema.JsonSchema7> = {}
  const root = JSONSchema.fromAST(schema.ast, {
    definitions,
    topLevelReferenceStrategy: "skip",
  }) as unknown as Record<string, unknown>
  if (root.type !== "object") {
    throw new Error(`The ${side} Schema of tool "${toolName}" must describe an object (a Schema.Struct).`)
  }
  const { $schema: _ignored, ...rest } = root
  return (Object.keys(definitions).length > 0 ? { ...rest, $defs: definitions } : rest) as ObjectJsonSchema
}
