import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { Jid, Limits } from "../src/index.js"

const jidOf = (input: string) =>
  Either.match(Jid.parse(input), { onLeft: (reason) => `error: ${reason}`, onRight: (id) => id.jid })

const reasonOf = (input: string) =>
  Either.match(Jid.parse(input), { onLeft: (reason) => reason, onRight: (id) => `parsed as ${id.jid}` })

const us = "15550142000@s.whatsapp.net"
const uk = "442079460958@s.whatsapp.net"

/** Every form people, models and WhatsApp write an identifier in, and what it reads as. */
const accepted: ReadonlyArray<readonly [form: string, input: string, kind: Jid.IdentifierKind, jid: string]> =
  [
    ["digits with country code", "15550142000", "phone", us],
    ["+ and spaces", "+1 555 014 2000", "phone", us],
    ["parentheses and a dash", "+1 (555) 014-2000", "phone", us],
    ["dashes without +", "1-555-014-2000", "phone", us],
    ["dots", "+1.555.014.2000", "phone", us],
    ["slashes", "+1 555/014/2000", "phone", us],
    ["no-break spaces and padding", " +1\u00a0555\u00a0014\u00a02000 ", "phone", us],
    ["typographic dashes", "+1\u2013555\u2013014\u20132000", "phone", us],
    ["00 international prefix", "0015550142000", "phone", us],
    ["00 with spaces", "00 44 20 7946 0958", "phone", uk],
    ["trunk 0 in brackets after the country code", "+44 (0)20 7946 0958", "phone", uk],
    ["trunk 0 in brackets after 00", "0044 (0) 20 7946 0958", "phone", uk],
    ["tel: link", "tel:+15550142000", "phone", us],
    ["tel: link with dashes", "TEL:+1-555-014-2000", "phone", us],
    ["wa.me link", "https://wa.me/15550142000", "phone", us],
    ["wa.me link without scheme", "wa.me/15550142000", "phone", us],
    ["wa.me link with a prefilled text", "https://wa.me/15550142000?text=Hello%20there", "phone", us],
    ["wa.me link with a trailing slash", "http://wa.me/15550142000/", "phone", us],
    ["wa.me link with an encoded +", "https://wa.me/%2B15550142000", "phone", us],
    [
      "api.whatsapp.com click-to-chat link",
      "https://api.whatsapp.com/send?phone=15550142000&text=hi",
      "phone",
      us,
    ],
    ["whatsapp:// link", "whatsapp://send?text=hi&phone=+15550142000", "phone", us],
    ["phone JID", "15550142000@s.whatsapp.net", "phone", us],
    ["phone JID in capitals", "15550142000@S.WhatsApp.Net", "phone", us],
    ["device JID", "15550142000:12@s.whatsapp.net", "phone", us],
    ["agent and device JID", "15550142000_1:3@s.whatsapp.net", "phone", us],
    ["legacy @c.us", "15550142000@c.us", "phone", us],
    ["hosted business JID", "15550142000@hosted", "phone", us],
    ["LID", "203040506070809@lid", "lid", "203040506070809@lid"],
    ["device LID", "203040506070809:7@lid", "lid", "203040506070809@lid"],
    ["hosted LID", "203040506070809@hosted.lid", "lid", "203040506070809@lid"],
    ["group JID", "120363025246125486@g.us", "group", "120363025246125486@g.us"],
    ["old group JID", "15550142000-1600000000@g.us", "group", "15550142000-1600000000@g.us"],
    ["status broadcast", "status@broadcast", "broadcast", "status@broadcast"],
    ["channel", "120363000000000001@newsletter", "newsletter", "120363000000000001@newsletter"],
  ]

/** Inputs that are not an identifier, and a phrase the explanation must contain. */
const refused: ReadonlyArray<readonly [what: string, input: string, explanation: RegExp]> = [
  ["empty", "", /empty/],
  ["only spaces", "   ", /empty/],
  ["too few digits", "+1 555", /has 4 digits.*7 to 15/],
  ["too many digits", "+1234567890123456", /has 16 digits.*7 to 15/],
  ["too many digits in a JID", "1234567890123456@s.whatsapp.net", /7 to 15/],
  ["national number with a leading 0", "06 12 34 56 78", /national number.*country code/],
  ["national number in a tel: link", "tel:07700900123", /national number.*country code/],
  ["country code starting with 0", "+0612345678", /country code/],
  ["00 then a 0", "000612345678", /country code/],
  ["a name", "Chloé", /search_contacts/],
  ["letters after +", "+abc", /not a phone number or JID/],
  ["letters in a phone JID", "abc@s.whatsapp.net", /not a valid JID.*digits/],
  ["masked phone JID", "55XXXX@s.whatsapp.net", /not a valid JID/],
  ["letters in a LID", "abc@lid", /not a valid JID/],
  ["letters in a group JID", "x@g.us", /not a valid JID/],
  ["nothing before @", "@g.us", /not a valid JID/],
  ["letters in a channel JID", "news@newsletter", /not a valid JID/],
  ["an e-mail address", "123@example.com", /unknown server/],
  ["two @", "a@b@lid", /not a valid JID/],
  ["a group JID glued to a LID", "123@g.us@lid", /not a valid JID/],
  ["a business short link", "https://wa.me/message/ABCDEF", /not a phone number or JID/],
  ["SQL", "'; DROP TABLE messages; --", /not a phone number or JID/],
  ["over the length limit", "1".repeat(Limits.MaxIdentifierLength + 1), /too long/],
]

describe("Jid.parse", () => {
  it.each(accepted)("reads %s", (_form, input, kind, jid) => {
    const parsed = Either.getOrThrow(Jid.parse(input))
    expect(parsed.kind).toBe(kind)
    expect(parsed.jid).toBe(jid)
    expect(parsed.phone).toBe(kind === "phone" ? jid.slice(0, jid.indexOf("@")) : undefined)
  })

  it.each(refused)("refuses %s and says why", (_what, input, explanation) => {
    expect(Either.isLeft(Jid.parse(input))).toBe(true)
    expect(reasonOf(input)).toMatch(explanation)
  })

  it("tells how to write what it refuses, with an example", () => {
    for (const [, input] of refused) {
      expect(reasonOf(input), input).toMatch(/e\.g\. \+\d|search_contacts|too long|country code/)
    }
  })

  it("names the input in its explanation, so a model sees which argument was wrong", () => {
    for (const input of ["+1 555", "abc@lid", "Chloé", "06 12 34 56 78"]) {
      expect(reasonOf(input)).toContain(`"${input}"`)
    }
  })

  it("gives the same JID for every writing of one number", () => {
    const writings = accepted.filter(([, , , jid]) => jid === us).map(([, input]) => jidOf(input))
    expect(new Set(writings)).toEqual(new Set([us]))
  })
})

describe("Jid rules shared with the bridge", () => {
  it("tells people, groups and the rest apart", () => {
    const identifier = (input: string) => Either.getOrThrow(Jid.parse(input))
    expect(Jid.isPerson(identifier("+1 555 014 2000"))).toBe(true)
    expect(Jid.isPerson(identifier("203040506070809@lid"))).toBe(true)
    expect(Jid.isPerson(identifier("120363025246125486@g.us"))).toBe(false)
    expect(Jid.canReceiveMessages(identifier("120363025246125486@g.us"))).toBe(true)
    expect(Jid.canReceiveMessages(identifier("status@broadcast"))).toBe(false)
    expect(Jid.canReceiveMessages(identifier("120363000000000001@newsletter"))).toBe(false)
  })

  it("reads the chat kind, the phone digits and the LID-ness of a normalised JID", () => {
    expect(Jid.chatKindOf(us)).toBe("direct")
    expect(Jid.chatKindOf("203040506070809@lid")).toBe("direct")
    expect(Jid.chatKindOf("120363025246125486@g.us")).toBe("group")
    expect(Jid.chatKindOf("status@broadcast")).toBe("broadcast")
    expect(Jid.chatKindOf("120363000000000001@newsletter")).toBe("newsletter")
    expect(Jid.phoneOf(us)).toBe("15550142000")
    expect(Jid.phoneOf("203040506070809@lid")).toBeUndefined()
    expect(Jid.phoneOf("xx0740@s.whatsapp.net")).toBeUndefined()
    expect(Jid.isLid("203040506070809@lid")).toBe(true)
    expect(Jid.isLid(us)).toBe(false)
    expect(Jid.isPhoneJid(us)).toBe(true)
    expect(Jid.kindOf("120363025246125486@g.us")).toBe("group")
    expect(Jid.kindOf("15550142000@example.com")).toBeUndefined()
  })

  it("accepts only the user parts WhatsApp issues on each server", () => {
    expect(Jid.isWellFormedUser("s.whatsapp.net", "15550142000")).toBe(true)
    expect(Jid.isWellFormedUser("s.whatsapp.net", "")).toBe(false)
    expect(Jid.isWellFormedUser("s.whatsapp.net", "55XXXX")).toBe(false)
    expect(Jid.isWellFormedUser("lid", "203040506070809")).toBe(true)
    expect(Jid.isWellFormedUser("g.us", "15550142000-1600000000")).toBe(true)
    expect(Jid.isWellFormedUser("g.us", "x")).toBe(false)
    expect(Jid.isWellFormedUser("broadcast", "status")).toBe(true)
    // WhatsApp's own service account: a real sender, whatever the phone-number rule says.
    expect(Jid.isWellFormedUser("s.whatsapp.net", "0")).toBe(true)
  })
})
