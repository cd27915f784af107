import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseRecipient } from "../src/send/Recipient.js"

describe("recipient parsing", () => {
  it.effect("accepts phone numbers in any usual formatting, as the MCP side does", () =>
    Effect.gen(function* () {
      for (const input of [
        "+1 555 123 4567",
        "1-555-123-4567",
        "(1) 555.123.4567",
        "0015551234567",
        "15551234567",
        "tel:+1-555-123-4567",
        "https://wa.me/15551234567",
      ]) {
        const parsed = yield* parseRecipient(input)
        assert.deepStrictEqual(
          parsed,
          { kind: "phone", jid: "15551234567@s.whatsapp.net", phone: "15551234567" },
          input,
        )
      }
    }),
  )

  it.effect("accepts phone JIDs (device suffix dropped), LIDs, groups and legacy @c.us", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        (yield* parseRecipient("15551234567:12@s.whatsapp.net")).jid,
        "15551234567@s.whatsapp.net",
      )
      assert.strictEqual((yield* parseRecipient("15551234567@c.us")).jid, "15551234567@s.whatsapp.net")
      assert.deepStrictEqual(yield* parseRecipient("123456789012345@lid"), {
        kind: "lid",
        jid: "123456789012345@lid",
        phone: undefined,
      })
      assert.deepStrictEqual(yield* parseRecipient(" 120363040000000000@g.us "), {
        kind: "group",
        jid: "120363040000000000@g.us",
        phone: undefined,
      })
    }),
  )

  it.effect("refuses what cannot be a recipient, naming the field and the expected form", () =>
    Effect.gen(function* () {
      for (const input of [
        "mom",
        "+1 555",
        "1234567890123456",
        "status@broadcast",
        "120363000000000000@newsletter",
        "abc@s.whatsapp.net",
        "@g.us",
        "x@g.us",
        "123@g.us@lid",
        "15550002222@s.whatsapp.net@lid",
        "abc@lid",
        "07700 900123",
      ]) {
        const error = yield* Effect.flip(parseRecipient(input))
        assert.strictEqual(error.code, "invalid_recipient", input)
        assert.strictEqual(error.field, "recipient")
        assert.include(error.message, input.trim())
      }
    }),
  )

  it.effect("asks for the country code of a national number", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(parseRecipient("07700 900123"))
      assert.match(error.message, /country code/)
    }),
  )
})
