/**
 * Recorded messages (WAProto JSON: 64-bit numbers as strings, enums as names, bytes as base64)
 * straight to WhatsApp's protobuf bytes, the same bytes `WebMessageInfo.encode(fromObject(json))`
 * writes. The generated `fromObject` reads every field of the schema on every object, and JSON
 * objects come in as many shapes as messages do, so those reads were a quarter of the decoding
 * thread's time; this visits only the keys an object has.
 *
 * It takes only the canonical form a recording holds. Anything else (a value of an unexpected type,
 * an unknown enum name, a map field) makes it give up on the batch, and the caller takes the
 * generated path, which reports what is wrong exactly as before.
 *
 * The schema comes from the `WAProto.proto` Baileys ships, read with the protobufjs its generated
 * code uses, so the two encoders cannot drift apart: at build time into `wire-schema.json` beside
 * the bundle (used only while that `.proto` is unchanged), otherwise at the first encoding.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import type * as Protobuf from "protobufjs"
import type { PackedMessages } from "../WireMessages.js"
import { extrasBeside } from "./ProtoExtras.js"
import { isRecord } from "./Shapes.js"

/** One field: JSON name, id, type (a scalar's name, or a message's or enum's full name), kind. */
export type WireField = readonly [
  name: string,
  id: number,
  type: string,
  kind: "scalar" | "message" | "enum" | "map",
  repeated: boolean,
  packed: boolean,
]

/**
 * The schema as the encoder needs it, by full type name (`proto.WebMessageInfo`). `pnpm build`
 * writes it beside the bundle (`wire-schema.json`), so the decoding thread does not parse the
 * 1 MB `.proto` at every start; `proto` is the hash of the `.proto` it was read from.
 */
export interface WireSchema {
  readonly proto: string
  readonly messages: Readonly<Record<string, ReadonlyArray<WireField>>>
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>
}

/** Where WAProto lives: its generated code, the `.proto` it was made from, and its protobufjs. */
const waproto = () => {
  const generated = createRequire(import.meta.url).resolve("@whiskeysockets/baileys/WAProto/index.js")
  const requireFromWAProto = createRequire(generated)
  const protoFile = requireFromWAProto.resolve("./WAProto.proto")
  return {
    protobuf: requireFromWAProto("protobufjs") as typeof Protobuf,
    protoFile,
    protoHash: () => createHash("sha256").update(readFileSync(protoFile)).digest("hex"),
  }
}

/** Reads the schema from the `WAProto.proto` Baileys ships. */
export const readWireSchema = (): WireSchema => {
  const { protobuf, protoFile, protoHash } = waproto()
  const messages: Record<string, ReadonlyArray<WireField>> = {}
  const enums: Record<string, Record<string, number>> = {}
  const visit = (namespace: Protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) {
        messages[nested.fullName.slice(1)] = nested.fieldsArray.map((field): WireField => {
          const type = field.resolve().resolvedType
          const [kind, name] = field.map
            ? (["map", field.type] as const)
            : type instanceof protobuf.Type
              ? (["message", type.fullName.slice(1)] as const)
              : type instanceof protobuf.Enum
                ? (["enum", type.fullName.slice(1)] as const)
                : (["scalar", field.type] as const)
          if (type instanceof protobuf.Enum) enums[name] = { ...type.values }
          return [field.name, field.id, name, kind, field.repeated, field.packed]
        })
      }
      if (nested instanceof protobuf.Namespace) visit(nested)
    }
  }
  visit(protobuf.loadSync(protoFile))
  return { proto: protoHash(), messages, enums }
}

/** A schema `pnpm build` wrote, if it is there and was read from the `.proto` installed now. */
export const readBuiltWireSchema = (file: URL): WireSchema | undefined => {
  try {
    const schema = JSON.parse(readFileSync(file, "utf8")) as WireSchema
    return schema.proto === waproto().protoHash() ? schema : undefined
  } catch {
    return undefined
  }
}

/** The schema `pnpm build` wrote beside the bundle if it is current, else the `.proto`'s. */
const currentSchema = (): WireSchema =>
  readBuiltWireSchema(new URL("./wire-schema.json", import.meta.url)) ?? readWireSchema()

/** Thrown inside this module when a value is not in the canonical form; never escapes. */
class NotCanonical {}
const notCanonical = (): never => {
  throw new NotCanonical()
}

interface FieldCoder {
  readonly id: number
  readonly write: (writer: Protobuf.Writer, value: unknown) => void
}

interface MessageCoder {
  /** by JSON key */
  readonly fields: Map<string, FieldCoder>
}

const makeEncoders = (
  schema: WireSchema,
  typeNames: ReadonlyArray<string>,
): Array<WireEncoder> | undefined => {
  const { protobuf } = waproto()
  const { util } = protobuf
  // the `long` package, as WAProto's own fromObject uses it (protobufjs types it as a bare constructor)
  const Long = util.Long as unknown as { fromValue(value: string | number): Protobuf.Long } | undefined
  if (Long === undefined) return undefined

  // How each scalar is checked and written; `wire` is the protobuf wire type.
  const int32 = (value: unknown) =>
    typeof value === "number" && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
      ? value
      : notCanonical()
  const uint32 = (value: unknown) =>
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 4294967295
      ? value
      : notCanonical()
  const long = (value: unknown) =>
    (typeof value === "string" && /^-?\d+$/.test(value)) || Number.isSafeInteger(value)
      ? Long.fromValue(value as string | number)
      : notCanonical()
  const number = (value: unknown) => (typeof value === "number" ? value : notCanonical())
  const scalars: Record<string, { wire: number; write: (writer: Protobuf.Writer, value: unknown) => void }> =
    {
      int32: { wire: 0, write: (w, v) => w.int32(int32(v)) },
      sint32: { wire: 0, write: (w, v) => w.sint32(int32(v)) },
      sfixed32: { wire: 5, write: (w, v) => w.sfixed32(int32(v)) },
      uint32: { wire: 0, write: (w, v) => w.uint32(uint32(v)) },
      fixed32: { wire: 5, write: (w, v) => w.fixed32(uint32(v)) },
      int64: { wire: 0, write: (w, v) => w.int64(long(v)) },
      sint64: { wire: 0, write: (w, v) => w.sint64(long(v)) },
      sfixed64: { wire: 1, write: (w, v) => w.sfixed64(long(v)) },
      uint64: { wire: 0, write: (w, v) => w.uint64(long(v)) },
      fixed64: { wire: 1, write: (w, v) => w.fixed64(long(v)) },
      double: { wire: 1, write: (w, v) => w.double(number(v)) },
      float: { wire: 5, write: (w, v) => w.float(number(v)) },
      bool: { wire: 0, write: (w, v) => w.bool(typeof v === "boolean" ? v : notCanonical()) },
      string: { wire: 2, write: (w, v) => w.string(typeof v === "string" ? v : notCanonical()) },
      bytes: {
        wire: 2,
        write: (w, v) => {
          if (v instanceof Uint8Array) return w.bytes(v)
          if (typeof v !== "string") return notCanonical()
          const bytes = util.newBuffer(util.base64.length(v))
          try {
            util.base64.decode(v, bytes, 0)
          } catch {
            return notCanonical()
          }
          return w.bytes(bytes)
        },
      },
    }

  const coders = new Map<string, MessageCoder>()

  const fieldCoder = ([, id, type, kind, repeated, packable]: WireField): FieldCoder => {
    if (kind === "map") return { id, write: notCanonical }
    let wire: number
    let writeValue: (writer: Protobuf.Writer, value: unknown) => void
    if (kind === "message") {
      const coder = messageCoder(type)
      wire = 2
      writeValue = (w, v) => {
        w.fork()
        writeMessage(coder, isRecord(v) ? v : notCanonical(), w)
        w.ldelim()
      }
    } else if (kind === "enum") {
      const values = schema.enums[type] ?? {}
      wire = 0
      writeValue = (w, v) =>
        w.int32(typeof v === "string" && Object.hasOwn(values, v) ? (values[v] as number) : int32(v))
    } else {
      const scalar = scalars[type] ?? { wire: 0, write: notCanonical }
      wire = scalar.wire
      writeValue = scalar.write
    }
    const tag = (id << 3) | wire
    if (!repeated) {
      return {
        id,
        write: (w, v) => {
          w.uint32(tag)
          writeValue(w, v)
        },
      }
    }
    // As protobufjs encodes: packed when the field is packable (not a message, string or bytes).
    const packed = packable && wire !== 2
    return {
      id,
      write: (w, v) => {
        if (!Array.isArray(v)) return notCanonical()
        if (v.length === 0) return
        if (packed) {
          w.uint32((id << 3) | 2).fork()
          for (const item of v) writeValue(w, item)
          w.ldelim()
        } else {
          for (const item of v) {
            w.uint32(tag)
            writeValue(w, item)
          }
        }
      },
    }
  }

  function messageCoder(typeName: string): MessageCoder {
    const known = coders.get(typeName)
    if (known !== undefined) return known
    const fields = schema.messages[typeName]
    if (fields === undefined) throw new Error(`${typeName} is not in the WAProto schema`)
    const coder: MessageCoder = { fields: new Map() }
    // registered before its fields, which may refer back to it
    coders.set(typeName, coder)
    for (const field of fields) coder.fields.set(field[0], fieldCoder(field))
    return coder
  }

  // Fields go out in id order, as protobufjs writes them; absent and null ones not at all. The
  // fields and values of the object at each depth are gathered in arrays kept from one call to the
  // next, so that encoding allocates nothing of its own (the thread's young generation is small).
  const levels: Array<{ readonly fields: Array<FieldCoder>; readonly values: Array<unknown> }> = []
  let depth = 0
  const level = () => {
    let known = levels[depth]
    if (known === undefined) {
      known = { fields: [], values: [] }
      levels[depth] = known
    }
    return known
  }

  function writeMessage(coder: MessageCoder, json: Record<string, unknown>, writer: Protobuf.Writer): void {
    const { fields, values } = level()
    let count = 0
    for (const key in json) {
      if (!Object.hasOwn(json, key)) continue
      const field = coder.fields.get(key)
      const value = json[key]
      if (field === undefined || value === null || value === undefined) continue
      // insertion by id: an object has a few fields, mostly in order already
      let at = count++
      while (at > 0 && (fields[at - 1] as FieldCoder).id > field.id) {
        fields[at] = fields[at - 1] as FieldCoder
        values[at] = values[at - 1]
        at--
      }
      fields[at] = field
      values[at] = value
    }
    depth++
    try {
      for (let i = 0; i < count; i++) (fields[i] as FieldCoder).write(writer, values[i])
    } finally {
      depth--
      // let go of this object's values
      values.fill(undefined, 0, count)
    }
  }

  const built = typeNames.map(messageCoder)
  coders.clear()
  return built.map((coder): WireEncoder => {
    return (values) => {
      const writer = protobuf.Writer.create()
      const ends = new Uint32Array(values.length)
      try {
        values.forEach((value, i) => {
          writeMessage(coder, isRecord(value) ? value : notCanonical(), writer)
          ends[i] = writer.len
        })
      } catch (error) {
        if (error instanceof NotCanonical) return undefined
        throw error
      }
      return { bytes: writer.finish(), ends }
    }
  })
}

/** Values encoded one after another (value i ends at `ends[i]`), or undefined if one is not canonical. */
export type WireEncoder = (
  values: ReadonlyArray<unknown>,
) => { readonly bytes: Uint8Array; readonly ends: Uint32Array } | undefined

/**
 * Encoders of the named WAProto types (`proto.WebMessageInfo`, …), from the schema written beside
 * the bundle, or else read from the `.proto`; the encoders keep only what they need of it (2 MB of
 * heap rather than 9). Undefined if the schema cannot be read.
 */
export const wireEncodersFor = (
  typeNames: ReadonlyArray<string>,
  schema?: WireSchema,
): Array<WireEncoder> | undefined => {
  try {
    return makeEncoders(schema ?? currentSchema(), typeNames)
  } catch {
    return undefined
  }
}

interface RecordedMessages {
  readonly encode: WireEncoder
  /** the schema's field names of a WebMessageInfo and of its MessageKey: anything else is an extra */
  readonly fields: ReadonlySet<string>
  readonly keyFields: ReadonlySet<string>
}

let recordedMessages: RecordedMessages | undefined | null = null

const forRecordedMessages = (): RecordedMessages | undefined => {
  if (recordedMessages !== null) return recordedMessages
  recordedMessages = undefined
  try {
    const schema = currentSchema()
    const names = (type: string) => new Set((schema.messages[type] ?? []).map(([name]) => name))
    const [encode] = makeEncoders(schema, ["proto.WebMessageInfo"]) ?? []
    if (encode !== undefined)
      recordedMessages = {
        encode,
        fields: names("proto.WebMessageInfo"),
        keyFields: names("proto.MessageKey"),
      }
  } catch {
    // the generated code encodes them
  }
  return recordedMessages
}

/**
 * Recorded messages as WebMessageInfo bytes (message i ends at `ends[i]`), or undefined when they
 * are not all in the canonical form (or the schema cannot be read): then encode them with the
 * generated code.
 */
export const encodeRecordedMessages: WireEncoder = (messages) => forRecordedMessages()?.encode(messages)

/**
 * Recorded messages packed as `packMessages` packs revived ones (bytes, where each ends, and the
 * keys Baileys sets beside the schema's fields), or undefined as `encodeRecordedMessages` is.
 */
export const packRecordedMessages = (messages: ReadonlyArray<unknown>): PackedMessages | undefined => {
  const recorded = forRecordedMessages()
  const encoded = recorded?.encode(messages)
  if (recorded === undefined || encoded === undefined) return undefined
  return {
    ...encoded,
    extras: messages.map(
      (message) => extrasBeside(message as object, recorded.fields, recorded.keyFields) ?? null,
    ),
  }
}
