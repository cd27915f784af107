/**
 * `JSON.parse(text, BufferJSON.reviver)` with the same result, computed by one walk over the parsed
 * value instead of a reviver call for every key: replaying a long history parses millions of values.
 */

const isNumericKey = (key: string) => !Number.isNaN(Number.parseInt(key, 10))

// Bottom-up, as a reviver runs: children first, then the object itself.
const revive = (value: object): unknown => {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === "object" && item !== null) {
        const revived = revive(item)
        if (revived !== item) value[i] = revived
      }
    }
    return value
  }
  const record = value as Record<string, unknown>
  let keys = 0
  let numericBytes = true
  for (const key in record) {
    keys++
    const item = record[key]
    if (typeof item === "object" && item !== null) {
      const revived = revive(item)
      // defineProperty, as JSON.parse does, so that a "__proto__" key stays a plain key.
      if (revived !== item)
        Object.defineProperty(record, key, {
          value: revived,
          writable: true,
          enumerable: true,
          configurable: true,
        })
    }
    if (numericBytes && (!isNumericKey(key) || typeof record[key] !== "number")) numericBytes = false
  }
  // BufferJSON's two forms: {type: "Buffer", data: base64} and an object of byte values by index.
  if (record.type === "Buffer" && typeof record.data === "string") return Buffer.from(record.data, "base64")
  if (keys > 0 && numericBytes) return Buffer.from(Object.values(record) as Array<number>)
  return value
}

// The reviver can only change an object written as {"type": "Buffer", …} or one whose first key
// parses as an integer. If the text holds neither (nor any \u escape, which could spell either),
// the walk would change nothing and is skipped: recorded WAProto payloads carry bytes as base64.
const bufferForm = /"type"\s*:\s*"Buffer"/
const numericFirstKey = /\{\s*"(?:\\|\s|[+-]|\d)/

const mayHoldBuffers = (text: string) =>
  text.includes("\\u") || bufferForm.test(text) || numericFirstKey.test(text)

/** Parses JSON and revives Buffers exactly as `JSON.parse(text, BufferJSON.reviver)` does. Throws on bad JSON. */
export const parseBufferJson = (text: string): unknown => {
  const parsed: unknown = JSON.parse(text)
  return typeof parsed === "object" && parsed !== null && mayHoldBuffers(text) ? revive(parsed) : parsed
}
