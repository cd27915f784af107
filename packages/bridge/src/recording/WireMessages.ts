/**
 * WebMessageInfo payloads moved between threads as WhatsApp's own protobuf bytes: one buffer per
 * batch (transferred, not copied) that the receiver decodes as a live socket decodes what it
 * receives. The bytes each message came from are remembered, so storing it encodes nothing again.
 */
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import { extrasOf, type ProtoExtras, restoreExtras } from "./internal/ProtoJson.js"

/** A batch of messages as bytes: message i is `bytes[ends[i-1] ?? 0, ends[i])`. */
export interface PackedMessages {
  readonly bytes: Uint8Array
  readonly ends: Uint32Array
  /** keys Baileys sets beside the schema's fields (`key.remoteJidAlt`, …), which bytes cannot hold */
  readonly extras: ReadonlyArray<ProtoExtras | null>
}

const wireBytes = new WeakMap<object, Uint8Array>()

/** The protobuf bytes this message was decoded from, if it came through `unpackMessages`. */
export const wireBytesOf = (message: object): Uint8Array | undefined => wireBytes.get(message)

/** Encodes revived messages into one buffer. Throws if WAProto cannot encode one of them. */
export const packMessages = (messages: ReadonlyArray<proto.IWebMessageInfo>): PackedMessages => {
  // one writer for the whole batch (the first encode creates it): each message is appended to it,
  // and where it ends is noted
  const ends = new Uint32Array(messages.length)
  let writer: ReturnType<typeof proto.WebMessageInfo.encode> | undefined
  messages.forEach((message, i) => {
    writer = proto.WebMessageInfo.encode(message, writer)
    ends[i] = writer.len
  })
  return {
    bytes: writer?.finish() ?? new Uint8Array(0),
    ends,
    extras: messages.map((message) => extrasOf(proto.WebMessageInfo, message) ?? null),
  }
}

/** Decodes a packed batch into WebMessageInfo instances, each with its extras and its bytes. */
export const unpackMessages = (packed: PackedMessages): Array<proto.WebMessageInfo> => {
  const buffer = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength)
  const messages: Array<proto.WebMessageInfo> = []
  let start = 0
  for (let i = 0; i < packed.ends.length; i++) {
    const end = packed.ends[i] ?? start
    const bytes = buffer.subarray(start, end)
    const message = proto.WebMessageInfo.decode(bytes)
    const extras = packed.extras[i]
    if (extras) restoreExtras(message, extras)
    wireBytes.set(message, bytes)
    messages.push(message)
    start = end
  }
  return messages
}
