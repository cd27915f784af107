// Pictures for a model: photos and stickers scaled to what MCP clients accept, whatever the sender's
// file holds. A file that is not a readable picture gives a reason, never an exception.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { crc32 } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { MaxPreviewBytes, MaxPreviewEdge } from "@whatsapp-mcp/core/limits"
import { Effect } from "effect"
import sharp from "sharp"
import { preview } from "../src/media/ImagePreview.js"

const fixtures = join(import.meta.dirname, "../../../fixtures/media")

const solid = (width: number, height: number) => ({
  create: { width, height, channels: 3 as const, background: "#3366aa" },
})

/** Random pixels (from a fixed seed): the worst case for JPEG, so its encoding is large. */
const noise = (edge: number) => {
  const pixels = Buffer.alloc(edge * edge * 3)
  let state = 2463534242
  for (let i = 0; i < pixels.length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    pixels[i] = state & 0xff
  }
  return sharp(pixels, { raw: { width: edge, height: edge, channels: 3 } })
}

const picture = (bytes: Buffer) =>
  Effect.gen(function* () {
    const result = yield* preview(bytes, "file")
    const data = Buffer.from(result.data, "base64")
    const decoded = yield* Effect.promise(() => sharp(data).metadata())
    // the picture is what it says it is, at the size it says
    assert.strictEqual(`image/${decoded.format}`, result.mimetype)
    assert.deepStrictEqual([decoded.width, decoded.height], [result.width, result.height])
    assert.isAtMost(Math.max(result.width, result.height), MaxPreviewEdge)
    assert.isAtMost(data.length, MaxPreviewBytes)
    return result
  })

const problem = (bytes: Buffer) => Effect.flip(preview(bytes, "file")).pipe(Effect.map((e) => e.message))

describe("image previews", () => {
  it.effect("scale a large photo to the longest edge a client uses, keeping its proportions", () =>
    Effect.gen(function* () {
      const big = yield* Effect.promise(() => sharp(solid(4000, 3000)).jpeg().toBuffer())
      const result = yield* picture(big)
      assert.deepInclude(result, {
        mimetype: "image/jpeg",
        width: MaxPreviewEdge,
        height: 1176,
        original_width: 4000,
        original_height: 3000,
      })
    }),
  )

  it.effect("re-encode smaller a photo whose JPEG would be too many bytes", () =>
    Effect.gen(function* () {
      const busy = yield* Effect.promise(() => noise(1600).jpeg({ quality: 100 }).toBuffer())
      assert.isAbove(busy.length, MaxPreviewBytes)
      const result = yield* picture(busy)
      assert.isBelow(result.width, MaxPreviewEdge)
      assert.strictEqual(result.original_width, 1600)
    }),
  )

  it.effect("leave a small picture at its size, and turn it upright by its EXIF orientation", () =>
    Effect.gen(function* () {
      const market = yield* picture(readFileSync(join(fixtures, "market.jpg")))
      assert.deepInclude(market, { width: 96, height: 64 })
      assert.isUndefined(market.original_width)
      const sideways = yield* Effect.promise(() =>
        sharp(solid(300, 200)).withMetadata({ orientation: 6 }).jpeg().toBuffer(),
      )
      assert.deepInclude(yield* picture(sideways), { width: 200, height: 300 })
    }),
  )

  it.effect("give the first frame of an animation, as a PNG when it has transparency", () =>
    Effect.gen(function* () {
      const frame = (background: string) =>
        sharp({ create: { width: 40, height: 30, channels: 4, background } })
          .png()
          .toBuffer()
      const frames = yield* Effect.promise(() => Promise.all([frame("#ff000080"), frame("#00ff0080")]))
      const gif = yield* Effect.promise(() =>
        sharp(frames, { join: { animated: true } })
          .gif()
          .toBuffer(),
      )
      assert.deepInclude(yield* picture(gif), { still: true, width: 40, height: 30, mimetype: "image/png" })
      const webp = yield* Effect.promise(() =>
        sharp(frames, { join: { animated: true } })
          .webp()
          .toBuffer(),
      )
      assert.deepInclude(yield* picture(webp), { still: true, mimetype: "image/png" })
      assert.deepInclude(yield* picture(readFileSync(join(fixtures, "sticker.webp"))), { width: 64 })
    }),
  )

  it.effect("say what is wrong with a file that is not a readable picture", () =>
    Effect.gen(function* () {
      const photo = yield* Effect.promise(() => noise(200).jpeg().toBuffer())
      assert.match(yield* problem(photo.subarray(0, photo.length / 2)), /corrupt or truncated/)
      assert.match(yield* problem(Buffer.from("%PDF-1.4 not a picture")), /not an image format/)
      assert.match(yield* problem(Buffer.alloc(0)), /empty/)
      // a few hundred bytes that declare 20,000 × 20,000 pixels are not decoded
      const png = yield* Effect.promise(() => sharp(solid(4, 4)).png().toBuffer())
      png.writeUInt32BE(20_000, 16)
      png.writeUInt32BE(20_000, 20)
      png.writeUInt32BE(crc32(png.subarray(12, 29)), 29)
      assert.match(yield* problem(png), /more than 64 megapixels/)
    }),
  )
})
