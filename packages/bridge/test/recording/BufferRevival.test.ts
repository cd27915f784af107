// Replay parses with a faster walk than a JSON.parse reviver; it must give exactly what
// `JSON.parse(text, BufferJSON.reviver)` gives, or replayed bytes would differ from live ones.
import { assert, describe, it } from "@effect/vitest"
import { BufferJSON, encodeRecordingLine, proto } from "../../src/recording/index.js"
import { parseBufferJson } from "../../src/recording/internal/BufferRevival.js"

const samples = [
  "null",
  "42",
  '"text"',
  "[]",
  "{}",
  '{"type":"Buffer","data":"AQID"}',
  '{"0":1,"1":2,"2":255}',
  '{"0":1,"1":"x"}',
  '{"0":1,"a":2}',
  '[{"type":"Buffer","data":"AAEC"},{"nested":{"0":4,"1":5}},[{"type":"Buffer","data":[1,2]}]]',
  '{"__proto__":{"0":7},"k":{"type":"Buffer","data":""}}',
  '{"type":"Buffer","data":"AQID","extra":{"0":1}}',
  '{"a":{ "type" : "Buffer" , "data" : "AQID" }}',
  '{"a":{ "1": 2, "0": 1 }}',
  '{"a":{"\\u0031": 5}}',
  '{"a":{" 7": 1}}',
  '{"a":{"-1": 3}}',
  '{"a":{"+2": 4}}',
  '{"a":{"1abc": 4}}',
  '{"a":{"typ\\u0065":"Buffer","data":"AQ=="}}',
  '{"a":{"data":"AQ==","type":"Buffer"}}',
  '{"text":"a string mentioning {\\"0\\": 1} and Buffer"}',
  encodeRecordingLine({
    event: "messages.upsert",
    data: {
      type: "notify",
      messages: [
        {
          key: { remoteJid: "15550100020@s.whatsapp.net", fromMe: false, id: "3EB0F1" },
          messageTimestamp: 1_717_003_000,
          message: proto.Message.fromObject({
            imageMessage: { mediaKey: Buffer.from([9, 8, 7]), caption: "Strandkorb, Föhr" },
          }),
          category: "peer",
          retryCount: 1,
        },
      ],
    },
  }),
  JSON.stringify({ raw: Buffer.from("bytes"), list: [Buffer.alloc(0)] }, BufferJSON.replacer),
]

describe("Buffer revival", () => {
  it("gives exactly what JSON.parse with BufferJSON.reviver gives", () => {
    for (const text of samples) {
      const expected: unknown = JSON.parse(text, BufferJSON.reviver)
      const actual = parseBufferJson(text)
      assert.deepStrictEqual(actual, expected, text)
      if (typeof expected === "object" && expected !== null) {
        assert.strictEqual(Object.getPrototypeOf(actual), Object.getPrototypeOf(expected), text)
      }
    }
  })

  it("never lets a __proto__ key change an object's prototype", () => {
    const parsed = parseBufferJson('{"__proto__":{"0":7}}') as Record<string, unknown>
    assert.strictEqual(Object.getPrototypeOf(parsed), Object.prototype)
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value, Buffer.from([7]))
  })

  it("rejects text that is not JSON", () => {
    assert.throws(() => parseBufferJson("{nope"))
  })
})
