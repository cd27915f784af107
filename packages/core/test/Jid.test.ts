import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { Jid } from "../src/index.js"

const jidOf = (input: string) =>
  Either.match(Jid.parse(input), { onLeft: (reason) => `error: ${reason}`, onRight: (id) => id.jid })

const reasonOf = (input: string) =>
  Either.match(Jid.parse(input), { onLeft: (reason) => reason, onRight: (id) => `parsed as ${id.jid}` })

describe("Jid.parse", () => {
  it("reads a phone number however people write it", () => {
    for (const input of [
      "+1 555 014 2000",
      "+1 (555) 014-2000",
      "1-555-014-2000",
      "0015550142000",
      "+1.555.014.2000",
      "15550142000",
      " +1\u00a0555\u00a0014\u00a02000 ",
      "tel:+15550142000",
      "https://wa.me/15550142000",
    ]) {
      expect(jidOf(input), input).toBe("15550142000@s.whatsapp.net")
    }
  })

  it("keeps the digits of a phone identifier", () => {
    const parsed = Jid.parse("+33 6 12 34 56 78")
    expect(Either.getOrThrow(parsed)).toEqual({
      kind: "phone",
      jid: "33612345678@s.whatsapp.net",
      phone: "33612345678",
    })
  })

  it("drops the device and agent of a device JID, and reads @c.us as a phone JID", () => {
    expect(jidOf("15550142000:12@s.whatsapp.net")).toBe("15550142000@s.whatsapp.net")
    expect(jidOf("15550142000_1:3@s.whatsapp.net")).toBe("15550142000@s.whatsapp.net")
    expect(jidOf("15550142000@c.us")).toBe("15550142000@s.whatsapp.net")
    expect(jidOf("15550142000@S.WhatsApp.Net")).toBe("15550142000@s.whatsapp.net")
  })

  it("reads LIDs, device LIDs, group JIDs old and new", () => {
    expect(Either.getOrThrow(Jid.parse("203040506070809@lid")).kind).toBe("lid")
    expect(jidOf("203040506070809:7@lid")).toBe("203040506070809@lid")
    expect(Either.getOrThrow(Jid.parse("120363025246125486@g.us")).kind).toBe("group")
    expect(jidOf("15550142000-1600000000@g.us")).toBe("15550142000-1600000000@g.us")
    expect(Either.getOrThrow(Jid.parse("status@broadcast")).kind).toBe("broadcast")
  })

  it("asks for the country code when given a national number", () => {
    expect(reasonOf("06 12 34 56 78")).toMatch(/country code/)
  })

  it("points to search_contacts when given a name", () => {
    expect(reasonOf("Chloé")).toMatch(/search_contacts/)
  })

  it("explains malformed numbers and JIDs", () => {
    expect(reasonOf("+1 555")).toMatch(/7 to 15/)
    expect(reasonOf("+1234567890123456")).toMatch(/7 to 15/)
    expect(reasonOf("abc@s.whatsapp.net")).toMatch(/not a valid JID/)
    expect(reasonOf("123@example.com")).toMatch(/unknown server/)
    expect(reasonOf("a@b@lid")).toMatch(/not a valid JID/)
    expect(reasonOf("")).toMatch(/empty/)
    expect(reasonOf("1".repeat(500))).toMatch(/too long/)
    expect(reasonOf("'; DROP TABLE messages; --")).toMatch(/not a phone number or JID/)
  })
})
