import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { BridgeApi, Jid, Limits } from "../src/index.js"

const accepts = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
  Either.isRight(Schema.decodeUnknownEither(schema)(value))

describe("the limits the bridge's contract checks", () => {
  it("take a text up to WhatsApp's length and refuse one character more", () => {
    const text = (length: number) => ({ recipient: "+1 555 014 2000", text: "a".repeat(length) })
    expect(accepts(BridgeApi.SendTextRequest, text(Limits.MaxTextLength))).toBe(true)
    expect(accepts(BridgeApi.SendTextRequest, text(Limits.MaxTextLength + 1))).toBe(false)
    const caption = (length: number) => ({
      recipient: "+15550142000",
      path: "/tmp/a.jpg",
      caption: "a".repeat(length),
    })
    expect(accepts(BridgeApi.SendFileRequest, caption(Limits.MaxTextLength))).toBe(true)
    expect(accepts(BridgeApi.SendFileRequest, caption(Limits.MaxTextLength + 1))).toBe(false)
  })

  it("take every identifier the parser reads, however long its writing", () => {
    // The longest writing the parser accepts must not be refused by the contract on the way.
    const padded = `+1${" ".repeat(Limits.MaxIdentifierLength - 12)}5550142000`
    expect(padded.length).toBe(Limits.MaxIdentifierLength)
    expect(Either.isRight(Jid.parse(padded))).toBe(true)
    expect(accepts(BridgeApi.SendTextRequest, { recipient: padded, text: "hi" })).toBe(true)
    expect(accepts(BridgeApi.SendTextRequest, { recipient: `${padded} `, text: "hi" })).toBe(false)
    expect(accepts(BridgeApi.ReactRequest, { chat_jid: padded, message_id: "A", emoji: "👍" })).toBe(true)
  })

  it("take message ids, keys, paths and id lists up to the same bounds the tools publish", () => {
    const id = "A".repeat(Limits.MaxMessageIdLength)
    expect(accepts(BridgeApi.DownloadRequest, { chat_jid: "1@g.us", message_id: id })).toBe(true)
    expect(accepts(BridgeApi.DownloadRequest, { chat_jid: "1@g.us", message_id: `${id}A` })).toBe(false)
    const key = "k".repeat(Limits.MaxIdempotencyKeyLength)
    expect(
      accepts(BridgeApi.SendTextRequest, { recipient: "+15550142000", text: "hi", idempotency_key: key }),
    ).toBe(true)
    expect(
      accepts(BridgeApi.SendTextRequest, {
        recipient: "+15550142000",
        text: "hi",
        idempotency_key: `${key}k`,
      }),
    ).toBe(false)
    const path = `/${"p".repeat(Limits.MaxFilePathLength - 1)}`
    expect(accepts(BridgeApi.SendVoiceRequest, { recipient: "+15550142000", path })).toBe(true)
    expect(accepts(BridgeApi.SendVoiceRequest, { recipient: "+15550142000", path: `${path}p` })).toBe(false)
    const ids = (count: number) => ({
      chat_jid: "1@g.us",
      message_ids: Array.from({ length: count }, (_, i) => `M${i}`),
    })
    expect(accepts(BridgeApi.MarkReadRequest, ids(Limits.MaxMessageIdsPerRead))).toBe(true)
    expect(accepts(BridgeApi.MarkReadRequest, ids(Limits.MaxMessageIdsPerRead + 1))).toBe(false)
  })
})

describe("the limits of a request for older history", () => {
  it("take a count from 1 to the most a phone answers, and a wait up to the longest allowed", () => {
    const request = (extra: Record<string, unknown>) => ({ chat_jid: "15550142000@s.whatsapp.net", ...extra })
    expect(accepts(BridgeApi.FetchHistoryRequest, request({}))).toBe(true)
    expect(accepts(BridgeApi.FetchHistoryRequest, request({ count: 1 }))).toBe(true)
    expect(accepts(BridgeApi.FetchHistoryRequest, request({ count: Limits.MaxHistoryRequestCount }))).toBe(
      true,
    )
    expect(accepts(BridgeApi.FetchHistoryRequest, request({ count: 0 }))).toBe(false)
    expect(
      accepts(BridgeApi.FetchHistoryRequest, request({ count: Limits.MaxHistoryRequestCount + 1 })),
    ).toBe(false)
    expect(accepts(BridgeApi.FetchHistoryRequest, request({ wait_seconds: 0 }))).toBe(true)
    expect(
      accepts(BridgeApi.FetchHistoryRequest, request({ wait_seconds: Limits.MaxHistoryWaitSeconds })),
    ).toBe(true)
    expect(
      accepts(BridgeApi.FetchHistoryRequest, request({ wait_seconds: Limits.MaxHistoryWaitSeconds + 1 })),
    ).toBe(false)
  })
})
