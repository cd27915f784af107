/**
 * Pictures of downloaded media for a model to look at: a photo or sticker scaled down to what MCP
 * clients accept, or the thumbnail a video message carries. The bytes are the sender's, so any of
 * them may be corrupt, truncated or built to exhaust memory: decoding is bounded and a picture that
 * cannot be read is reported, never thrown. Scaling lives in the bridge, which owns the media and
 * its native dependencies, so the MCP server stays free of them.
 */
import type { MediaPreview, PreviewSource } from "@whatsapp-mcp/core/api"
import { MaxPreviewBytes, MaxPreviewEdge, MaxStoredThumbnailBytes } from "@whatsapp-mcp/core/limits"
import type { proto } from "@whiskeysockets/baileys"
import { Data, Effect } from "effect"
import sharp from "sharp"
import type { FoundMedia } from "./MediaDownloader.js"

// libvips' operation cache keeps decoded images around for reuse; a bridge previews each file once.
sharp.cache(false)

/**
 * Largest image decoded, in pixels: 64 megapixels covers every phone camera WhatsApp sends
 * uncompressed, while a tiny file declaring 50,000 × 50,000 pixels is refused before decoding.
 */
export const MaxInputPixels = 64_000_000

/** Smallest long edge tried when re-encoding a picture to fit `MaxPreviewBytes`. */
const MinEdge = 256

/** Why a picture could not be made; `message` says it in words a model can pass on. */
export class PreviewFailed extends Data.TaggedError("PreviewFailed")<{ readonly message: string }> {}

const describe = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  if (/buffer is empty|empty file/i.test(text)) return "the file is empty"
  if (/pixel limit/i.test(text)) return `it has more than ${MaxInputPixels / 1_000_000} megapixels`
  if (/unsupported image format/i.test(text)) return "it is not an image format the bridge reads"
  if (/premature end|truncated|unexpected end|corrupt|invalid|bad seek|not a/i.test(text))
    return "the image is corrupt or truncated"
  return `the image could not be decoded (${text.split("\n")[0]?.slice(0, 200) ?? "unknown error"})`
}

/**
 * `input` scaled so that its long edge is at most `MaxPreviewEdge` and its encoding at most
 * `MaxPreviewBytes`: JPEG, or PNG when it has transparency (stickers). Only the first frame of an
 * animation is read, and the EXIF orientation is applied, so the model sees it the right way up.
 */
export const preview = (
  input: Buffer | string,
  source: PreviewSource,
): Effect.Effect<MediaPreview, PreviewFailed> =>
  Effect.tryPromise({
    try: async () => {
      const decoder = () => sharp(input, { limitInputPixels: MaxInputPixels, failOn: "error", pages: 1 })
      const metadata = await decoder().metadata()
      // the size once the EXIF orientation is applied, as the model will see it
      const { width: uprightWidth, height: uprightHeight } = metadata.autoOrient
      if (!(uprightWidth >= 1 && uprightHeight >= 1)) throw new Error("invalid: the image has no size")
      const alpha = metadata.hasAlpha === true
      let edge = Math.min(MaxPreviewEdge, Math.max(uprightWidth, uprightHeight))
      let quality = 80
      for (;;) {
        const pipeline = decoder()
          .autoOrient()
          .resize({ width: edge, height: edge, fit: "inside", withoutEnlargement: true })
        const { data, info } = await (alpha
          ? pipeline.png({ compressionLevel: 9, palette: true })
          : pipeline.flatten({ background: "#ffffff" }).jpeg({ quality, mozjpeg: true })
        ).toBuffer({ resolveWithObject: true })
        if (data.length <= MaxPreviewBytes) {
          const scaled = info.width !== uprightWidth || info.height !== uprightHeight
          return {
            data: data.toString("base64"),
            mimetype: alpha ? "image/png" : "image/jpeg",
            width: info.width,
            height: info.height,
            source,
            ...(scaled ? { original_width: uprightWidth, original_height: uprightHeight } : {}),
            ...((metadata.pages ?? 1) > 1 ? { still: true } : {}),
          } satisfies MediaPreview
        }
        if (edge <= MinEdge) throw new Error(`still more than ${MaxPreviewBytes} bytes at ${edge} pixels`)
        edge = Math.max(MinEdge, Math.floor(edge * 0.7))
        quality = Math.max(50, quality - 10)
      }
    },
    catch: (error) => new PreviewFailed({ message: describe(error) }),
  })

/** The thumbnail a message carries, when it is small enough to be one. */
export const messageThumbnail = (media: FoundMedia): Uint8Array | undefined => {
  const content = media.content as proto.Message.IImageMessage &
    proto.Message.IVideoMessage &
    proto.Message.IStickerMessage
  const bytes = media.kind === "sticker" ? content.pngThumbnail : content.jpegThumbnail
  return bytes && bytes.length > 0 && bytes.length <= MaxStoredThumbnailBytes ? bytes : undefined
}

/** What the bridge answers beside a download when a preview was asked for. */
export type PreviewAnswer =
  | { readonly preview: MediaPreview; readonly preview_problem?: string }
  | { readonly preview_problem: string }
  | Record<string, never>

/**
 * The picture of a downloaded message for a model: the file itself for a photo or sticker (the
 * message's thumbnail when the file cannot be read), the message's thumbnail for a video, nothing
 * for audio and documents.
 */
export const previewForMessage = (media: FoundMedia, path: string): Effect.Effect<PreviewAnswer> => {
  const thumbnail = messageThumbnail(media)
  const fromThumbnail = (problem: string): Effect.Effect<PreviewAnswer> =>
    thumbnail === undefined
      ? Effect.succeed({ preview_problem: problem })
      : preview(Buffer.from(thumbnail), "message_thumbnail").pipe(
          Effect.map((picture): PreviewAnswer => ({ preview: picture, preview_problem: problem })),
          Effect.catchAll((failed) =>
            Effect.succeed<PreviewAnswer>({
              preview_problem: `${problem}; its thumbnail could not be read either: ${failed.message}`,
            }),
          ),
        )
  switch (media.kind) {
    case "image":
    case "sticker":
      return preview(path, "file").pipe(
        Effect.map((picture): PreviewAnswer => ({ preview: picture })),
        Effect.catchAll((failed) =>
          fromThumbnail(`The ${media.kind} file could not be shown: ${failed.message}`),
        ),
      )
    case "video":
      return thumbnail === undefined
        ? Effect.succeed({ preview_problem: "The video message carries no thumbnail to show" })
        : preview(Buffer.from(thumbnail), "message_thumbnail").pipe(
            Effect.map((picture): PreviewAnswer => ({ preview: picture })),
            Effect.catchAll((failed) =>
              Effect.succeed<PreviewAnswer>({
                preview_problem: `The video's thumbnail could not be shown: ${failed.message}`,
              }),
            ),
          )
    default:
      return Effect.succeed({})
  }
}
