// The decoding thread encodes recorded messages straight from their JSON. It must write exactly the
// bytes WAProto's generated code writes (`encode(fromObject(json))`), which is what the thread that
// stores them decodes and keeps as the raw message; and anything it does not take must be left to
// the generated code, which reports what is wrong.
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import type * as Protobuf from "protobufjs"
import { syntheticHistory } from "../../../../fixtures/src/SyntheticHistory.js"
import { carriesMessages } from "../../src/recording/BaileysEvent.js"
import { encodeRecordingEntry } from "../../src/recording/index.js"
import {
  encodeRecordedMessages,
  readBuiltWireSchema,
  readWireSchema,
  wireEncodersFor,
} from "../../src/recording/internal/WireEncoder.js"
import { MalformedLine } from "../../src/recording/RecordedLine.js"
import { parseRecordingLine } from "../../src/recording/RecordingLineParser.js"

type Json = Record<string, unknown>

interface Writer {
  readonly len: number
  finish(): Uint8Array
}

/** A generated WAProto class, as far as encoding needs it. */
interface GeneratedType {
  encode(message: unknown, writer?: Writer): Writer
  fromObject(json: Json): unknown
}

/** What the generated code writes for these values of `type`, and where each ends. */
const generated = (type: GeneratedType, values: ReadonlyArray<Json>) => {
  let writer: Writer | undefined
  const ends = values.map((value) => {
    writer = type.encode(type.fromObject(value), writer)
    return writer?.len ?? 0
  })
  return { bytes: Buffer.from(writer?.finish() ?? new Uint8Array(0)), ends }
}

const fast = (values: ReadonlyArray<unknown>, encode = encodeRecordedMessages) => {
  const encoded = encode(values)
  return encoded === undefined ? undefined : { bytes: Buffer.from(encoded.bytes), ends: [...encoded.ends] }
}

/** The messages of every message-carrying line of a recording, as its JSON holds them. */
const messageBatches = (lines: ReadonlyArray<string>): Array<Array<Json>> =>
  lines.flatMap((text, i) => {
    const parsed = parseRecordingLine(text, "test", i + 1)
    if (parsed === undefined || parsed instanceof MalformedLine || !carriesMessages(parsed.name)) return []
    const messages = (parsed.data as { messages?: unknown }).messages
    return Array.isArray(messages) && messages.length > 0 ? [messages as Array<Json>] : []
  })

const fixtures = path.resolve(import.meta.dirname, "../../../../fixtures")
const recorded = [
  ...fs.readdirSync(path.join(fixtures, "streams")).map((name) => path.join(fixtures, "streams", name)),
  path.join(fixtures, "demo", "demo.jsonl"),
].flatMap((file) => messageBatches(fs.readFileSync(file, "utf8").split("\n")))

const synthetic = messageBatches(
  [...syntheticHistory({ messages: 3000, seed: 7 })].map((entry) => encodeRecordingEntry(entry)),
)

describe("encodeRecordedMessages", () => {
  it("writes every recorded message of the fixtures as WAProto's generated code does", () => {
    expect(recorded.flat().length).toBeGreaterThan(300)
    for (const batch of recorded) expect(fast(batch)).toEqual(generated(proto.WebMessageInfo, batch))
  })

  it("writes a synthetic history (every message kind, replies, reactions, edits) byte for byte", () => {
    expect(synthetic.flat().length).toBe(3000)
    for (const batch of synthetic) expect(fast(batch)).toEqual(generated(proto.WebMessageInfo, batch))
  })

  it.each<[string, Json]>([
    ["a number for a string", { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, participant: 5 }],
    ["a string for a 32-bit number", { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, duration: "7" }],
    ["an unknown enum name", { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, status: "SHOUTED" }],
    [
      "bytes that are not base64",
      { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, mediaCiphertextSha256: "!!" },
    ],
    ["text for a nested message", { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, message: "hello" }],
    ["an object for a list", { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, messageStubParameters: {} }],
    [
      "a fraction for a 64-bit number",
      { key: { remoteJid: "1@s.whatsapp.net", id: "A" }, messageTimestamp: 1.5 },
    ],
  ])("leaves %s to the generated code", (_, message) => {
    const valid = { key: { remoteJid: "1@s.whatsapp.net", id: "B" }, message: { conversation: "hi" } }
    expect(fast([valid])).toBeDefined()
    expect(fast([valid, message])).toBeUndefined()
  })
})

// Every type of the schema, each field set to a value of the canonical form that exercises its
// encoding (negative and 64-bit numbers, packed lists, false, unicode), against the generated code.
describe("every WAProto type", () => {
  const baileys = createRequire(import.meta.url).resolve("@whiskeysockets/baileys/WAProto/index.js")
  const requireFromWAProto = createRequire(baileys)
  const protobuf = requireFromWAProto("protobufjs") as typeof Protobuf
  const root = protobuf.loadSync(requireFromWAProto.resolve("./WAProto.proto"))

  const scalarSamples: Record<string, unknown> = {
    int32: -5,
    sint32: -3,
    sfixed32: -7,
    uint32: 4_000_000_000,
    fixed32: 7,
    int64: "-9007199254740993",
    sint64: "-42",
    sfixed64: "-1",
    uint64: "18446744073709551615",
    fixed64: "1717000000",
    double: 1.5,
    float: 0.25,
    bool: false,
    string: "héllo ✓",
    bytes: "AAECAw==",
  }

  const types: Array<Protobuf.Type> = []
  const collect = (namespace: Protobuf.NamespaceBase) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) types.push(nested)
      if (nested instanceof protobuf.Namespace) collect(nested)
    }
  }
  collect(root)

  /** A value of `type` with every field that is not a message set, or undefined if it has a map. */
  const sample = (type: Protobuf.Type): Json | undefined => {
    const value: Json = {}
    for (const field of type.fieldsArray) {
      if (field.map) return undefined
      const resolved = field.resolve().resolvedType
      if (resolved instanceof protobuf.Type) continue
      const one =
        resolved instanceof protobuf.Enum ? Object.keys(resolved.values).at(-1) : scalarSamples[field.type]
      value[field.name] = field.repeated ? [one, one] : one
    }
    return value
  }

  /** The generated class of a type, by its full name (`.proto.Message.ImageMessage`). */
  const generatedClass = (type: Protobuf.Type) =>
    type.fullName
      .split(".")
      .slice(2)
      .reduce<unknown>(
        (namespace, name) => (namespace as Record<string, unknown>)[name],
        proto,
      ) as GeneratedType

  it("writes each type's fields as the generated code does", () => {
    const encoders = wireEncodersFor(types.map((type) => type.fullName.slice(1))) ?? []
    expect(encoders.length).toBe(types.length)
    let compared = 0
    let packed = 0
    for (const [i, type] of types.entries()) {
      const value = sample(type)
      const encode = encoders[i]
      if (value === undefined || encode === undefined) continue
      expect(fast([value, {}], encode), type.fullName).toEqual(generated(generatedClass(type), [value, {}]))
      compared += 1
      packed += type.fieldsArray.filter(
        (field) => field.repeated && field.packed && field.type !== "string",
      ).length
    }
    // all but the few types that hold a map field
    expect(compared).toBe(types.filter((type) => !type.fieldsArray.some((field) => field.map)).length)
    expect(compared).toBeGreaterThan(400)
    expect(packed).toBeGreaterThan(0)
  })

  it("takes enums by number and 64-bit numbers as numbers, as the generated code does", () => {
    const value = {
      key: { remoteJid: "1@s.whatsapp.net", id: "A" },
      status: 3,
      messageTimestamp: 1_717_000_000,
    }
    expect(fast([value])).toEqual(generated(proto.WebMessageInfo, [value]))
  })
})

// `pnpm build` writes the schema beside the bridge's bundle, so that the decoding thread does not
// parse the .proto each time it starts; it must be the schema the installed .proto gives.
describe("the schema written at build time", () => {
  const schema = readWireSchema()

  it("is the one the installed WAProto.proto gives, and the bundle uses it", () => {
    const built = new URL("../../dist/bundle/wire-schema.json", import.meta.url)
    expect(readBuiltWireSchema(built)).toEqual(schema)
    expect(Object.keys(schema.messages).length).toBeGreaterThan(400)
  })

  it("is ignored once it no longer matches the installed WAProto.proto", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wa-wire-schema-")), "wire-schema.json")
    fs.writeFileSync(file, JSON.stringify({ ...schema, proto: "0".repeat(64) }))
    expect(readBuiltWireSchema(pathToFileURL(file))).toBeUndefined()
    fs.writeFileSync(file, "not json")
    expect(readBuiltWireSchema(pathToFileURL(file))).toBeUndefined()
  })

  it("encodes as the schema read from the .proto does", () => {
    const [fromJson] = wireEncodersFor(["proto.WebMessageInfo"], JSON.parse(JSON.stringify(schema))) ?? []
    expect(fromJson).toBeDefined()
    for (const batch of recorded) expect(fast(batch, fromJson)).toEqual(fast(batch))
  })
})
