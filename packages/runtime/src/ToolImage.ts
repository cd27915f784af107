/**
 * Pictures a tool answers with beside its text, for a model to look at (MCP image content). Only a
 * tool that declares it may do so gets them through to the client: the declaration is published in
 * tools/list, so a client knows before the call that the result may carry images, and the server
 * refuses pictures the declaration does not cover.
 */

/** The image types MCP clients that show pictures accept. */
export type MimeType = "image/jpeg" | "image/png" | "image/webp" | "image/gif"

/** One picture: its bytes in base64 and its type. */
export interface Image {
  readonly data: string
  readonly mimeType: MimeType
}

/** What a tool that may answer with pictures promises about them. */
export interface Declaration {
  /** The types its pictures come in. */
  readonly mimeTypes: ReadonlyArray<MimeType>
  /** The most bytes one picture has (before base64); a larger one is not sent. */
  readonly maxBytes: number
  /** The longest edge of a picture, in pixels. */
  readonly maxEdge: number
}

/** Where the declaration appears in a tool's listing (`_meta`), for clients and toolsnaps. */
export const MetaKey = "whatsapp-mcp/images"

const TypeId: unique symbol = Symbol.for("@whatsapp-mcp/runtime/ToolImage/WithImages")

/** A handler's result together with the pictures to send beside its text. */
export interface WithImages<O> {
  readonly [TypeId]: typeof TypeId
  readonly output: O
  readonly images: ReadonlyArray<Image>
}

/** The result `output` of a tool, answered with `images` as well (none: a plain result). */
export const withImages = <O>(output: O, images: ReadonlyArray<Image>): WithImages<O> => ({
  [TypeId]: TypeId,
  output,
  images,
})

export const isWithImages = (value: unknown): value is WithImages<unknown> =>
  typeof value === "object" && value !== null && TypeId in value

/** A handler's result without its pictures: for code that calls another tool's handler for its data. */
export const outputOf = <O>(result: O | WithImages<O>): O =>
  isWithImages(result) ? (result as WithImages<O>).output : (result as O)

/** The bytes a base64 string decodes to, without decoding it. */
export const decodedLength = (base64: string): number => {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0
  return Math.floor((base64.length * 3) / 4) - padding
}

/** Why `image` is not covered by `declaration`, or undefined when it is. */
export const refusal = (declaration: Declaration, image: Image): string | undefined => {
  if (!declaration.mimeTypes.includes(image.mimeType))
    return `its type ${image.mimeType} is not one the tool declares (${declaration.mimeTypes.join(", ")})`
  const bytes = decodedLength(image.data)
  if (bytes > declaration.maxBytes)
    return `it is ${bytes} bytes, more than the ${declaration.maxBytes} the tool declares`
  if (bytes === 0) return "it is empty"
  return undefined
}
