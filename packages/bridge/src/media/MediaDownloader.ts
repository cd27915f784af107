/**
 * Downloads a stored message's media: from the stored `mediaKey` and `directPath` (never rebuilt
 * from a URL), decrypted by Baileys, cached under `<store>/media/<chat>/<file>`, its SHA-256 checked
 * against the one WhatsApp sent. Expired media (404/410) is re-requested from the sender's phone
 * with `updateMediaMessage`, since rc14's own retry never triggers.
 */
import { createHash } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, rename, rm, stat } from "node:fs/promises"
import { join } from "node:path"
import { pipeline } from "node:stream/promises"
import { downloadContentFromMessage, normalizeMessageContent, type proto } from "@whiskeysockets/baileys"
import { Effect } from "effect"
import { BridgeError, type DownloadResult, type MediaKind } from "../BridgeApi.js"
import { disconnectCode } from "../socket/DisconnectPolicy.js"

type MediaContent =
  | proto.Message.IImageMessage
  | proto.Message.IVideoMessage
  | proto.Message.IAudioMessage
  | proto.Message.IDocumentMessage
  | proto.Message.IStickerMessage

export interface FoundMedia {
  readonly kind: MediaKind
  readonly downloadType: "image" | "video" | "audio" | "document" | "sticker"
  readonly content: MediaContent
}

/** The media part of a message, unwrapping view-once, ephemeral and captioned-document wrappers. */
export const findMedia = (message: proto.IMessage | null | undefined): FoundMedia | undefined => {
  const content = normalizeMessageContent(message)
  if (content == null) return undefined
  if (content.imageMessage) return { kind: "image", downloadType: "image", content: content.imageMessage }
  if (content.videoMessage) return { kind: "video", downloadType: "video", content: content.videoMessage }
  if (content.audioMessage)
    return {
      kind: content.audioMessage.ptt ? "voice" : "audio",
      downloadType: "audio",
      content: content.audioMessage,
    }
  if (content.documentMessage)
    return { kind: "document", downloadType: "document", content: content.documentMessage }
  if (content.stickerMessage)
    return { kind: "sticker", downloadType: "sticker", content: content.stickerMessage }
  return undefined
}

const extensionFor = (mimetype: string, kind: MediaKind): string => {
  const sub = mimetype.split(";")[0]?.split("/")[1]?.trim() ?? ""
  const known: Record<string, string> = {
    jpeg: "jpg",
    png: "png",
    webp: "webp",
    gif: "gif",
    mp4: "mp4",
    quicktime: "mov",
    ogg: "ogg",
    mpeg: "mp3",
    "x-m4a": "m4a",
    aac: "aac",
    pdf: "pdf",
  }
  return known[sub] ?? (kind === "voice" ? "ogg" : /^[a-z0-9]{1,8}$/.test(sub) ? sub : "bin")
}

/** Keeps a name to letters, digits, dot, dash and underscore: no traversal, no hidden files. */
export const safeFileName = (name: string): string => {
  const cleaned = name
    .normalize("NFKC")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, 120)
  return cleaned === "" ? "file" : cleaned
}

const hashFile = (path: string) =>
  Effect.promise(async () => {
    const hash = createHash("sha256")
    await pipeline(createReadStream(path), hash)
    return hash.digest("hex")
  })

export interface DownloadDeps {
  readonly storeDir: string
  /** Asks the sender's phone to re-upload expired media; returns the message with fresh paths. */
  readonly refresh: (message: proto.IWebMessageInfo) => Effect.Effect<proto.IWebMessageInfo, BridgeError>
}

const unavailable = (detail: string) => new BridgeError({ code: "media_unavailable", message: detail })

export const downloadMedia = (chatJid: string, message: proto.IWebMessageInfo, deps: DownloadDeps) =>
  Effect.gen(function* () {
    const id = message.key?.id ?? "unknown"
    const media = findMedia(message.message)
    if (media === undefined) {
      return yield* new BridgeError({
        code: "unsupported_media",
        field: "message_id",
        message: `Message ${id} has no image, video, audio, document or sticker to download.`,
      })
    }
    const mimetype = media.content.mimetype ?? "application/octet-stream"
    const documentName =
      media.kind === "document" ? (media.content as proto.Message.IDocumentMessage).fileName : null
    const fileName = safeFileName(
      documentName ? `${id}-${documentName}` : `${id}.${extensionFor(mimetype, media.kind)}`,
    )
    const dir = join(deps.storeDir, "media", safeFileName(chatJid))
    const target = join(dir, fileName)
    const expected = media.content.fileSha256
      ? Buffer.from(media.content.fileSha256).toString("hex")
      : undefined

    const result = (size: number, sha256: string, cached: boolean): DownloadResult => ({
      path: target,
      mimetype,
      size,
      sha256,
      kind: media.kind,
      file_name: fileName,
      cached,
    })

    const existing = yield* Effect.promise(() => stat(target).catch(() => undefined))
    if (existing?.isFile() && existing.size > 0) {
      const sha256 = yield* hashFile(target)
      if (expected === undefined || sha256 === expected) return result(existing.size, sha256, true)
    }

    const fetchOnce = (content: MediaContent) =>
      Effect.tryPromise({
        try: async () => {
          if (!content.mediaKey || (!content.directPath && !content.url)) {
            throw Object.assign(new Error("no media key or path stored"), { output: { statusCode: 400 } })
          }
          await mkdir(dir, { recursive: true, mode: 0o700 })
          const partial = `${target}.part`
          const hash = createHash("sha256")
          let size = 0
          try {
            const stream = await downloadContentFromMessage(
              {
                mediaKey: content.mediaKey,
                directPath: content.directPath ?? null,
                url: content.url ?? null,
              },
              media.downloadType,
            )
            stream.on("data", (chunk: Buffer) => {
              hash.update(chunk)
              size += chunk.length
            })
            await pipeline(stream, createWriteStream(partial, { mode: 0o600 }))
            const sha256 = hash.digest("hex")
            if (expected !== undefined && sha256 !== expected) {
              throw Object.assign(new Error("the downloaded file does not match its SHA-256"), {
                output: { statusCode: 422 },
              })
            }
            await rename(partial, target)
            return { size, sha256 }
          } catch (error) {
            await rm(partial, { force: true })
            throw error
          }
        },
        catch: (error) => error,
      })

    const downloaded = yield* fetchOnce(media.content).pipe(
      Effect.catchIf(
        (error) => {
          const code = disconnectCode(error)
          return code === 404 || code === 410
        },
        () =>
          Effect.gen(function* () {
            const refreshed = yield* deps.refresh(message)
            const fresh = findMedia(refreshed.message)
            if (fresh === undefined)
              return yield* Effect.fail(new Error("the phone sent no media back") as unknown)
            return yield* fetchOnce(fresh.content)
          }),
      ),
      Effect.mapError((error) =>
        error instanceof BridgeError
          ? error
          : unavailable(
              `The media of message ${id} could not be downloaded (${error instanceof Error ? error.message : String(error)}). ` +
                "If it is old, WhatsApp may have deleted it: the sender's phone must be online to re-upload it.",
            ),
      ),
    )
    return result(downloaded.size, downloaded.sha256, false)
  })
