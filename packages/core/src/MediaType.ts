/**
 * Tells a file's type from its first bytes, not its name: a renamed file is sent as what it is,
 * and the kind of WhatsApp message (image, video, audio, document, sticker) follows from it. The
 * bridge sends by it; the MCP side shows the person the same type before a send.
 */

export type OutgoingKind = "image" | "video" | "audio" | "document" | "sticker"

export interface SniffedType {
  readonly mimetype: string
  readonly extension: string
  readonly kind: OutgoingKind
}

const startsWith = (bytes: Uint8Array, signature: ReadonlyArray<number>, offset = 0): boolean =>
  signature.every((b, i) => bytes[offset + i] === b)

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)))

const extensionTypes: Record<string, string> = {
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  html: "text/html",
  md: "text/markdown",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
}

/** `head` is the first 64 bytes or more; `fileName` only breaks ties among text and zip formats. */
export const sniff = (head: Uint8Array, fileName: string): SniffedType => {
  const ext = fileName.includes(".") ? (fileName.split(".").pop() ?? "").toLowerCase() : ""
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mimetype: "image/jpeg", extension: "jpg", kind: "image" }
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { mimetype: "image/png", extension: "png", kind: "image" }
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP")
    return { mimetype: "image/webp", extension: "webp", kind: ext === "webp" ? "sticker" : "image" }
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WAVE")
    return { mimetype: "audio/wav", extension: "wav", kind: "audio" }
  // GIFs go as documents: WhatsApp plays "GIFs" as MP4 video, which would need a conversion.
  if (ascii(head, 0, 4) === "GIF8") return { mimetype: "image/gif", extension: "gif", kind: "document" }
  if (ascii(head, 4, 8) === "ftyp") {
    const brand = ascii(head, 8, 12)
    if (brand.startsWith("M4A") || brand === "M4B ")
      return { mimetype: "audio/mp4", extension: "m4a", kind: "audio" }
    if (brand === "qt  ") return { mimetype: "video/quicktime", extension: "mov", kind: "video" }
    if (brand.startsWith("heic") || brand === "mif1")
      return { mimetype: "image/heic", extension: "heic", kind: "document" }
    return { mimetype: "video/mp4", extension: "mp4", kind: "video" }
  }
  if (ascii(head, 0, 4) === "OggS") {
    const isOpus = ascii(head, 28, 36) === "OpusHead"
    return { mimetype: isOpus ? "audio/ogg; codecs=opus" : "audio/ogg", extension: "ogg", kind: "audio" }
  }
  if (ascii(head, 0, 3) === "ID3" || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0))
    return { mimetype: "audio/mpeg", extension: "mp3", kind: "audio" }
  if (ascii(head, 0, 4) === "fLaC") return { mimetype: "audio/flac", extension: "flac", kind: "audio" }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3]))
    return { mimetype: "video/webm", extension: "webm", kind: "document" }
  if (ascii(head, 0, 5) === "%PDF-")
    return { mimetype: "application/pdf", extension: "pdf", kind: "document" }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const zipType = extensionTypes[ext]
    return zipType === undefined
      ? { mimetype: "application/zip", extension: "zip", kind: "document" }
      : { mimetype: zipType, extension: ext, kind: "document" }
  }
  const byName = extensionTypes[ext]
  if (byName !== undefined) return { mimetype: byName, extension: ext, kind: "document" }
  return { mimetype: "application/octet-stream", extension: ext === "" ? "bin" : ext, kind: "document" }
}

/** WhatsApp's limits, a little under what it accepts, so a send is not refused after the upload. */
export const MaxBytesByKind: Record<OutgoingKind, number> = {
  image: 16 * 1024 * 1024,
  video: 64 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
  sticker: 1024 * 1024,
  document: 100 * 1024 * 1024,
}
