/**
 * The keys Baileys sets beside a WAProto object's schema fields (`key.remoteJidAlt`,
 * `lastMessageRecvTimestamp`, …), which protobuf bytes cannot hold and the LID mappings depend on.
 * Given the field names, this needs nothing of WAProto.
 */
import { isRecord, type JsonRecord } from "./Shapes.js"

// Names that would replace an instance's prototype or methods if copied from a recorded line.
export const reserved: ReadonlySet<string> = new Set(["__proto__", "constructor", "toJSON"])

/** Copies the keys of `from` that are not among `fields` (nor reserved, nor undefined) to `to`. */
export const copyExtras = (from: JsonRecord, to: JsonRecord, fields: ReadonlySet<string>): void => {
  for (const name of Object.keys(from)) {
    if (!fields.has(name) && !reserved.has(name) && from[name] !== undefined) to[name] = from[name]
  }
}

/** Keys an object carries beside the schema's fields: its own, and its nested `key`'s. */
export interface ProtoExtras {
  readonly own?: JsonRecord
  readonly key?: JsonRecord
}

/**
 * The keys `value` carries beside `fields` (and its nested `key` beside `keyFields`, a MessageKey's
 * fields), or undefined if none.
 */
export const extrasBeside = (
  value: object,
  fields: ReadonlySet<string>,
  keyFields: ReadonlySet<string>,
): ProtoExtras | undefined => {
  const own: JsonRecord = {}
  copyExtras(value as JsonRecord, own, fields)
  const key: JsonRecord = {}
  const nested = (value as JsonRecord).key
  if (isRecord(nested)) copyExtras(nested, key, keyFields)
  const hasOwn = Object.keys(own).length > 0
  const hasKey = Object.keys(key).length > 0
  if (!hasOwn && !hasKey) return undefined
  return { ...(hasOwn ? { own } : {}), ...(hasKey ? { key } : {}) }
}
