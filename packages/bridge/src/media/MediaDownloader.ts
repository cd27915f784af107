/**
 * Downloads a stored message's media into `<store>/media/<chat>/<file>`. Every media field of a
 * message is set by whoever sent it, so nothing in it is trusted: the bytes come only from the
 * media CDN's own hosts (the URL built from `directPath`, never a foreign `url`), the encrypted body
 * is cut off past what the declared length (and the configured maximum) allows, its MAC and the
 * hashes the message carries are checked, and the file appears only once all of that passed.
 * Expired media (404/410) is re-requested from the sender's phone with `updateMediaMessage`,
 * since rc14's own retry never triggers.
 */
import { createDecipheriv, createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, rename, rm, stat } from "node:fs/promises"
import { join } from "node:path"
import { Transform, type TransformCallback } from "node:stream"
import { pipeline } from "node:stream/promises"
import { BridgeError, type DownloadResult, type MediaKind } from "@whatsapp-mcp/core/api"
import { getMediaKeys, normalizeMessageContent, type proto } from "@whiskeysockets/baileys"
import { Data, Effect } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { MediaCdn, type MediaCdnShape } from "./MediaCdn.js"

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

/** The default for `--max-media-mb`: 100 MiB. */
export const DefaultMaxMediaBytes = 100 * 1024 * 1024

/** WhatsApp media is AES-256-CBC (padded to whole 16-byte blocks) followed by a 10-byte MAC. */
const MacLength = 10
const BlockLength = 16

/** The largest encrypted body a file of `plainBytes` bytes can have. */
export const encryptedLimit = (plainBytes: number): number =>
  (Math.floor(plainBytes / BlockLength) + 1) * BlockLength + MacLength

/** The media could not be fetched for a reason a retry after a re-upload may cure (404, 410). */
class MediaExpired extends Data.TaggedError("MediaExpired")<{ readonly status: number }> {}

/** The media was refused or failed; `message` says what was wrong. */
class MediaRefused extends Data.TaggedError("MediaRefused")<{ readonly message: string }> {}

const declaredLength = (content: MediaContent): number | undefined => {
  const raw = content.fileLength
  if (raw === null || raw === undefined) return undefined
  const value = Number(raw.toString())
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

const nonEmpty = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined || value === "" ? undefined : value

/**
 * The one URL the media of `content` may be fetched from, or why there is none. The URL is built
 * from `directPath` on the CDN's host (as WhatsApp's clients do); a `url` the message carries is
 * used only when it names one of the CDN's own hosts, and without a `directPath` it must.
 */
export const mediaUrlFor = (
  content: Pick<MediaContent, "url" | "directPath">,
  cdn: Pick<MediaCdnShape, "allows" | "defaultHost">,
): { readonly url: URL } | { readonly refused: string } => {
  const rawUrl = nonEmpty(content.url)
  const directPath = nonEmpty(content.directPath)
  let named: URL | undefined
  if (rawUrl !== undefined) {
    try {
      named = new URL(rawUrl)
    } catch {
      return { refused: "the message's media URL is not a URL" }
    }
    if (!cdn.allows(named))
      return { refused: `the message names a media server that is not WhatsApp's (${named.host || rawUrl})` }
  }
  if (directPath === undefined) {
    return named === undefined ? { refused: "the message has no media path" } : { url: named }
  }
  const host = named?.host ?? cdn.defaultHost
  // A path must stay on that host: "//other.host/x" or "@other.host" would move the request elsewhere.
  if (!directPath.startsWith("/") || directPath.startsWith("//"))
    return { refused: "the message's media path is not a path" }
  let built: URL
  try {
    built = new URL(`https://${host}${directPath}`)
  } catch {
    return { refused: "the message's media path is not a path" }
  }
  return built.host === host && cdn.allows(built)
    ? { url: built }
    : { refused: "the message's media path leads off WhatsApp's media server" }
}

/**
 * Decrypts the encrypted body as it streams: refuses it as soon as it passes `limit` bytes (before
 * that chunk goes anywhere), and at the end checks the MAC, the SHA-256 of the encrypted bytes when
 * the message carried it, and the padding.
 */
class MediaDecryption extends Transform {
  private readonly decipher
  private readonly mac
  private readonly encryptedHash = createHash("sha256")
  private tail = Buffer.alloc(0)
  private received = 0

  constructor(
    keys: { readonly cipherKey: Uint8Array; readonly iv: Uint8Array; readonly macKey: Uint8Array },
    private readonly limit: number,
    private readonly expectedEncryptedSha256: string | undefined,
  ) {
    super()
    this.decipher = createDecipheriv("aes-256-cbc", keys.cipherKey, keys.iv)
    this.mac = createHmac("sha256", keys.macKey).update(keys.iv)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length
    if (this.received > this.limit) {
      callback(
        new MediaRefused({
          message: `the media server sent more than the ${this.limit} bytes this file can have`,
        }),
      )
      return
    }
    this.encryptedHash.update(chunk)
    // The last 10 bytes are the MAC, so the newest 10 bytes are held back until more arrive.
    const data = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk])
    const cut = Math.max(0, data.length - MacLength)
    const body = data.subarray(0, cut)
    this.tail = Buffer.from(data.subarray(cut))
    if (body.length > 0) {
      this.mac.update(body)
      this.push(this.decipher.update(body))
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    const failure = this.finish()
    callback(failure === undefined ? null : new MediaRefused({ message: failure }))
  }

  /** Checks the whole body and pushes the last block; returns what was wrong, if anything. */
  private finish(): string | undefined {
    if (this.tail.length < MacLength) return "the media server sent a truncated file"
    const mac = this.mac.digest().subarray(0, MacLength)
    if (!timingSafeEqual(mac, this.tail)) return "the downloaded file fails its MAC check"
    const encryptedSha256 = this.encryptedHash.digest("hex")
    if (this.expectedEncryptedSha256 !== undefined && encryptedSha256 !== this.expectedEncryptedSha256)
      return "the downloaded file does not match its encrypted SHA-256"
    try {
      this.push(this.decipher.final())
    } catch {
      return "the downloaded file does not decrypt"
    }
    return undefined
  }
}

/** Counts and hashes the decrypted bytes, refusing more than the message declared. */
class PlainCheck extends Transform {
  readonly hash = createHash("sha256")
  size = 0

  constructor(private readonly declared: number | undefined) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length
    if (this.declared !== undefined && this.size > this.declared) {
      callback(
        new MediaRefused({
          message: `the file is larger than the ${this.declared} bytes its message declared`,
        }),
      )
      return
    }
    this.hash.update(chunk)
    callback(null, chunk)
  }
}

export interface DownloadDeps {
  readonly storeDir: string
  /** Files larger than this are refused before a byte is fetched, and cut off past it. */
  readonly maxBytes?: number
  /** Asks the sender's phone to re-upload expired media; returns the message with fresh paths. */
  readonly refresh: (message: proto.IWebMessageInfo) => Effect.Effect<proto.IWebMessageInfo, BridgeError>
}

const unavailable = (detail: string) => new BridgeError({ code: "media_unavailable", message: detail })

const megabytes = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MB`

export const downloadMedia = (chatJid: string, message: proto.IWebMessageInfo, deps: DownloadDeps) =>
  Effect.gen(function* () {
    const cdn = yield* MediaCdn
    const maxBytes = deps.maxBytes ?? DefaultMaxMediaBytes
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
    const hex = (bytes: Uint8Array | null | undefined) =>
      bytes && bytes.length > 0 ? Buffer.from(bytes).toString("hex") : undefined
    const expected = hex(media.content.fileSha256)

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
      Effect.gen(function* () {
        if (!content.mediaKey || content.mediaKey.length === 0)
          return yield* new MediaRefused({ message: "the message carries no media key" })
        const chosen = mediaUrlFor(content, cdn)
        if ("refused" in chosen) return yield* new MediaRefused({ message: chosen.refused })
        const declared = declaredLength(content)
        if (declared !== undefined && declared > maxBytes)
          return yield* new MediaRefused({
            message: `the file is ${megabytes(declared)}, more than the bridge's limit of ${megabytes(maxBytes)} (raise it with --max-media-mb)`,
          })
        const limit = encryptedLimit(Math.min(declared ?? maxBytes, maxBytes))
        const keys = yield* Effect.tryPromise({
          try: () => getMediaKeys(content.mediaKey, media.downloadType),
          catch: () => new MediaRefused({ message: "the message's media key is not a key" }),
        })
        const { cipherKey, iv, macKey } = keys
        if (macKey === undefined)
          return yield* new MediaRefused({ message: "the message's media key is not a key" })
        const expectedEncrypted = hex(content.fileEncSha256)
        return yield* Effect.tryPromise({
          try: async (signal) => {
            await mkdir(dir, { recursive: true, mode: 0o700 })
            // One partial file per attempt, so two downloads of the same message never share one.
            const partial = `${target}.${randomUUID()}.part`
            try {
              const response = await cdn.get(chosen.url, signal)
              if (response.status !== 200) {
                response.body.destroy()
                throw response.status === 404 || response.status === 410
                  ? new MediaExpired({ status: response.status })
                  : new MediaRefused({ message: `WhatsApp's media server answered ${response.status}` })
              }
              if (response.length !== undefined && response.length > limit) {
                response.body.destroy()
                throw new MediaRefused({
                  message: `the media server offered ${response.length} bytes, more than the ${limit} bytes this file can have`,
                })
              }
              const plain = new PlainCheck(declared)
              await pipeline(
                response.body,
                new MediaDecryption({ cipherKey, iv, macKey }, limit, expectedEncrypted),
                plain,
                createWriteStream(partial, { mode: 0o600 }),
                { signal },
              )
              const sha256 = plain.hash.digest("hex")
              if (expected !== undefined && sha256 !== expected)
                throw new MediaRefused({ message: "the downloaded file does not match its SHA-256" })
              await rename(partial, target)
              return { size: plain.size, sha256 }
            } catch (error) {
              await rm(partial, { force: true })
              throw error
            }
          },
          catch: (error) =>
            error instanceof MediaExpired || error instanceof MediaRefused
              ? error
              : new MediaRefused({
                  message: `the transfer failed (${describeError(error)})`,
                }),
        })
      })

    const downloaded = yield* fetchOnce(media.content).pipe(
      Effect.catchTag("MediaExpired", () =>
        Effect.gen(function* () {
          const refreshed = yield* deps.refresh(message)
          const fresh = findMedia(refreshed.message)
          if (fresh === undefined) return yield* new MediaRefused({ message: "the phone sent no media back" })
          return yield* fetchOnce(fresh.content)
        }),
      ),
      Effect.mapError((error) =>
        error instanceof BridgeError
          ? error
          : error._tag === "MediaExpired"
            ? unavailable(
                `The media of message ${id} is no longer on WhatsApp's media server (it answered ${error.status}). ` +
                  "If it is old, WhatsApp may have deleted it: the sender's phone must be online to re-upload it.",
              )
            : unavailable(`The media of message ${id} was not downloaded: ${error.message}.`),
      ),
    )
    return result(downloaded.size, downloaded.sha256, false)
  })
