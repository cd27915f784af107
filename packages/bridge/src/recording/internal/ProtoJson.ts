/**
 * Moves WAProto payloads to and from JSON: proto fields go through the schema (64-bit numbers as
 * strings, bytes as base64, enums as names), and the keys Baileys adds beside them
 * (`key.remoteJidAlt`, `lastMessageRecvTimestamp`, …) are kept, because the schema would drop them.
 */
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import { isRecord, type JsonRecord } from "./Shapes.js"

// Names that would replace an instance's prototype or methods if copied from a recorded line.
const reserved: ReadonlySet<string> = new Set(["__proto__", "constructor", "toJSON"])

/** Copies the keys of `from` that are not among `fields` (nor reserved, nor undefined) to `to`. */
const copyExtras = (from: JsonRecord, to: JsonRecord, fields: ReadonlySet<string>): void => {
  for (const name of Object.keys(from)) {
    if (!fields.has(name) && !reserved.has(name) && from[name] !== undefined) to[name] = from[name]
  }
}

/** Keys an object carries beside the schema's fields: its own, and its nested `key`'s. */
export interface ProtoExtras {
  readonly own?: JsonRecord
  readonly key?: JsonRecord
}

/** A generated WAProto message class, as far as conversion needs it. */
export interface ProtoType<T> {
  // biome-ignore lint/suspicious/noExplicitAny: WAProto declares fromObject with this exact signature
  fromObject(object: { [k: string]: any }): T
  readonly prototype: object
}

// Generated classes put one default per field on the prototype: that is the field list.
const fieldCache = new WeakMap<object, ReadonlySet<string>>()
const fieldsOf = (type: ProtoType<unknown>): ReadonlySet<string> => {
  let fields = fieldCache.get(type)
  if (fields === undefined) {
    fields = new Set(Object.keys(type.prototype).filter((name) => name !== "toJSON"))
    fieldCache.set(type, fields)
  }
  return fields
}

const toJson = (value: unknown): JsonRecord => (value as { toJSON(): JsonRecord }).toJSON()

// A nested `key` is a MessageKey whose extras (`remoteJidAlt`, `participantAlt`, …) carry the LID
// mappings: they must survive every conversion.
const keepKeyExtras = (from: JsonRecord, to: JsonRecord): void => {
  if (isRecord(from.key) && isRecord(to.key)) copyExtras(from.key, to.key, fieldsOf(proto.MessageKey))
}

/** The keys an object carries beside the schema's fields (and its `key`'s), or undefined if none. */
export const extrasOf = <T>(type: ProtoType<T>, value: object): ProtoExtras | undefined => {
  const own: JsonRecord = {}
  copyExtras(value as JsonRecord, own, fieldsOf(type))
  const key: JsonRecord = {}
  const nested = (value as JsonRecord).key
  if (isRecord(nested)) copyExtras(nested, key, fieldsOf(proto.MessageKey))
  const hasOwn = Object.keys(own).length > 0
  const hasKey = Object.keys(key).length > 0
  if (!hasOwn && !hasKey) return undefined
  return { ...(hasOwn ? { own } : {}), ...(hasKey ? { key } : {}) }
}

/** Sets extras taken by `extrasOf` back on a revived instance. */
export const restoreExtras = (instance: object, extras: ProtoExtras): void => {
  if (extras.own) Object.assign(instance, extras.own)
  const key = (instance as JsonRecord).key
  if (extras.key && isRecord(key)) Object.assign(key, extras.key)
}

/** A whole proto object (instance or plain) as JSON, with its extra keys. */
export const wholeToJson = <T>(type: ProtoType<T>, value: object): JsonRecord => {
  const instance = value instanceof (type as unknown as new () => T) ? value : type.fromObject(value)
  const json = toJson(instance)
  copyExtras(value as JsonRecord, json, fieldsOf(type))
  keepKeyExtras(value as JsonRecord, json)
  return json
}

/** Revives a whole proto object: an instance of the generated class, extra keys set on it. */
export const wholeFromJson = <T>(type: ProtoType<T>, json: JsonRecord): T => {
  const instance = type.fromObject(json)
  copyExtras(json, instance as JsonRecord, fieldsOf(type))
  keepKeyExtras(json, instance as JsonRecord)
  return instance
}

/**
 * A partial proto object (an update) as JSON. Only the keys it carries are written; explicit
 * nulls (a revoke's `message: null`) and plain numbers and booleans stay exactly as they are.
 */
export const partialToJson = <T>(type: ProtoType<T>, value: JsonRecord): JsonRecord => {
  const fields = fieldsOf(type)
  const json = toJson(type.fromObject(value))
  const out: JsonRecord = {}
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined || reserved.has(name)) continue
    if (!fields.has(name) || field === null || typeof field === "number" || typeof field === "boolean") {
      out[name] = field
    } else if (json[name] !== undefined) {
      out[name] = json[name]
    }
  }
  keepKeyExtras(value, out)
  return out
}

/**
 * Revives a partial proto object as a plain object holding only the keys it carried, each field in
 * the form a live socket gives it (nested messages as instances, bytes as Buffers).
 */
export const partialFromJson = <T>(type: ProtoType<T>, json: JsonRecord): JsonRecord => {
  const fields = fieldsOf(type)
  const revived = type.fromObject(json) as JsonRecord
  const out: JsonRecord = {}
  for (const [name, field] of Object.entries(json)) {
    if (reserved.has(name)) continue
    if (!fields.has(name) || field === null || typeof field === "number" || typeof field === "boolean") {
      out[name] = field
    } else if (revived[name] !== undefined) {
      out[name] = revived[name]
    }
  }
  keepKeyExtras(json, out)
  return out
}
