import { assert, describe, it } from "@effect/vitest"
import { sniff } from "../src/MediaType.js"

const bytes = (...parts: Array<string | Array<number>>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))))

describe("media type sniffing", () => {
  it("tells the type from content, whatever the file is called", () => {
    assert.strictEqual(sniff(bytes([0xff, 0xd8, 0xff, 0xe0]), "photo.pdf").mimetype, "image/jpeg")
    assert.strictEqual(sniff(bytes([0x89], "PNG\r\n", [0x1a, 0x0a]), "x").kind, "image")
    assert.strictEqual(sniff(bytes("%PDF-1.7"), "report.jpg").mimetype, "application/pdf")
    assert.strictEqual(sniff(bytes([0, 0, 0, 0x20], "ftypisom"), "clip").kind, "video")
    assert.strictEqual(sniff(bytes([0, 0, 0, 0x20], "ftypM4A "), "song").mimetype, "audio/mp4")
    assert.strictEqual(sniff(bytes("ID3"), "a").mimetype, "audio/mpeg")
    assert.strictEqual(sniff(bytes("RIFF", [0, 0, 0, 0], "WAVE"), "a").mimetype, "audio/wav")
    assert.strictEqual(
      sniff(bytes("OggS", Buffer.alloc(24).toString("latin1"), "OpusHead"), "a").mimetype,
      "audio/ogg; codecs=opus",
    )
    assert.strictEqual(sniff(bytes("RIFF", [0, 0, 0, 0], "WEBP"), "s.webp").kind, "sticker")
  })

  it("falls back to the extension for text formats and to a generic document otherwise", () => {
    assert.strictEqual(sniff(bytes("name,age\n"), "people.csv").mimetype, "text/csv")
    assert.strictEqual(
      sniff(bytes([0x50, 0x4b, 0x03, 0x04]), "letter.docx").mimetype,
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    const unknown = sniff(bytes([1, 2, 3]), "blob")
    assert.strictEqual(unknown.mimetype, "application/octet-stream")
    assert.strictEqual(unknown.kind, "document")
  })
})
