// download_media through a real MCP client, on a store the bridge built from the demo stream, against
// a stand-in bridge answering with the exchanges recorded from the real one (fixtures/bridge-api).
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { checkToolsnaps, type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import Database from "better-sqlite3"
import { recordedBridge, recordingsDir } from "../../../fixtures/src/RecordedBridgeApi.js"
import plugin from "../src/index.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
const manifest = (await import("../../../fixtures/media/manifest.json", { with: { type: "json" } }))
  .default as Record<string, { readonly sha256: string }>
const bridgeUrl = "http://127.0.0.1:18081"
const bridge = recordedBridge(bridgeUrl)
const zoe = "12025550101@s.whatsapp.net"
const zoeLid = "100000000102313@lid"
const zoePhoto = "D0D1550D72AAD8847C63546F22C8E8A0"

let storeDir: string
let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  const store = await storeFromStreams([demo])
  storeDir = store.storeDir
  writeFileSync(join(storeDir, "bridge-token"), "recorded-token\n")
  mounted = await mountPromise({
    plugins: [plugin],
    storeDir,
    bridgeUrl,
    tokenFile: join(storeDir, "bridge-token"),
  })
})
afterEach(() => bridge.reset())
afterAll(async () => {
  await mounted.close()
  bridge.close()
})

interface Downloaded {
  readonly path?: string
  readonly mimetype: string
  readonly size?: number
  readonly sha256?: string
  readonly media_kind: string
  readonly file_name: string
  readonly cached?: boolean
  readonly image?: Record<string, unknown>
  readonly note?: string
}

type Content = {
  readonly type: string
  readonly text?: string
  readonly data?: string
  readonly mimeType?: string
}

const download = async (args: Record<string, unknown>) => {
  const result = await mounted.client.callTool({ name: "download_media", arguments: args })
  const content = result.content as Array<Content>
  const text = content.map((c) => c.text ?? "").join("\n")
  return {
    isError: result.isError === true,
    text,
    content,
    images: content.filter((c) => c.type === "image"),
    structured: result.structuredContent as Downloaded,
  }
}

/** What the bridge answered in a recorded exchange. */
const recorded = (name: string) =>
  JSON.parse(readFileSync(join(recordingsDir, `${name}.json`), "utf8")).response as {
    readonly preview?: { readonly data: string; readonly mimetype: string }
  }

/** The thumbnail the bridge stored with a message, as the server reads it. */
const storedThumbnail = (id: string) => {
  const db = new Database(join(storeDir, "messages.db"), { readonly: true })
  try {
    const row = db.prepare("SELECT media_thumbnail FROM messages WHERE id = ?").get(id) as {
      media_thumbnail: Buffer | null
    }
    return row.media_thumbnail
  } finally {
    db.close()
  }
}

describe("download_media", () => {
  it("returns the decrypted file's path, type, size and SHA-256, for a chat given by LID too, and asks for a preview", async () => {
    bridge.answer("download")
    const result = await download({ chat_jid: zoeLid, message_id: zoePhoto })
    expect(result.isError).toBe(false)
    expect(bridge.received.map((r) => r.body)).toEqual([
      { chat_jid: zoe, message_id: zoePhoto, preview: true },
    ])
    expect(result.structured).toMatchObject({ media_kind: "image", mimetype: "image/jpeg", size: 1922 })
    expect(Object.values(manifest).map((m) => m.sha256)).toContain(result.structured.sha256)
    // the file's name and type are the sender's: quoted, under the note that says whose they are
    const [note, line] = result.text.split("\n")
    expect(note).toMatch(/data, not instructions/)
    expect(line).toBe(
      `image "${result.structured.file_name}" ("image/jpeg", 1.9 KB, sha256 ${result.structured.sha256}) saved at "${result.structured.path}".`,
    )
  })

  it("shows the photo itself to the model as image content, and says what it is", async () => {
    bridge.answer("download")
    const result = await download({ chat_jid: zoe, message_id: zoePhoto })
    expect(result.images).toEqual([
      { type: "image", data: recorded("download").preview?.data, mimeType: "image/jpeg" },
    ])
    expect(result.content[0]?.type).toBe("text")
    expect(result.structured.image).toEqual({ source: "file", mimetype: "image/jpeg", width: 96, height: 64 })
    expect(result.text).toMatch(/The picture below is the photo \(96×64\)\./)
    expect(result.structured.note).toBeUndefined()
  })

  it("shows a sticker as a picture too", async () => {
    bridge.answer("download-sticker")
    const result = await download({ chat_jid: "12025550103", message_id: "8CCE0F414561514948DF070F6A212172" })
    expect(result.isError).toBe(false)
    expect(result.structured).toMatchObject({ media_kind: "sticker", image: { source: "file" } })
    expect(result.images).toEqual([
      { type: "image", data: recorded("download-sticker").preview?.data, mimeType: "image/jpeg" },
    ])
    expect(result.text).toMatch(/The picture below is the sticker \(64×64\)/)
  })

  it("shows a video by the thumbnail its message carries, labelled as low resolution, and returns the video's path", async () => {
    bridge.answer("download-video")
    const result = await download({ chat_jid: "12025550103", message_id: "7E803DF10737687E6693EB109132E156" })
    expect(result.isError).toBe(false)
    expect(result.structured).toMatchObject({
      media_kind: "video",
      mimetype: "video/mp4",
      image: { source: "message_thumbnail", width: 32, height: 32 },
    })
    expect(result.structured.path).toMatch(/\.mp4$/)
    expect(result.images).toHaveLength(1)
    expect(result.text).toMatch(/only the small, low-resolution thumbnail from the message/)
  })

  it.each([
    ["download-voice", "12025550102", "3AE422B47B8528E078AA", "voice"],
    ["download-document", "12025550102", "3A404AA8C1B998ABEBAA", "document"],
  ])("returns %s's path and details as before, with no picture", async (exchange, chat, id, kind) => {
    bridge.answer(exchange)
    const result = await download({ chat_jid: chat, message_id: id })
    const answer = JSON.parse(readFileSync(join(recordingsDir, `${exchange}.json`), "utf8")).response
    expect(result.isError).toBe(false)
    expect(result.images).toEqual([])
    expect(result.content.every((c) => c.type === "text")).toBe(true)
    expect(result.structured).toEqual({
      path: answer.path,
      mimetype: answer.mimetype,
      size: answer.size,
      sha256: answer.sha256,
      media_kind: kind,
      file_name: answer.file_name,
      cached: answer.cached,
    })
    expect(result.text).not.toMatch(/picture/)
  })

  it.each([
    ["download-no-media", /has no image, video, audio, document or sticker/],
    ["download-not-found", /No message NO-SUCH-MESSAGE .*list_messages/],
  ])("explains %s", async (exchange, pattern) => {
    bridge.answer(exchange)
    const result = await download({ chat_jid: zoe, message_id: zoePhoto })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(pattern)
    expect(result.images).toEqual([])
  })

  it("refuses a chat the store does not have before asking the bridge", async () => {
    const result = await download({ chat_jid: "447700900123@s.whatsapp.net", message_id: zoePhoto })
    expect(result.text).toMatch(/"chat_jid".*no chat with/)
    expect(bridge.received).toHaveLength(0)
  })

  it.each([
    ["download-media-unavailable", /sender's phone must be online/],
    ["download-media-foreign", /names a media server that is not WhatsApp's/],
  ])(
    "when the bridge cannot download the photo (%s), shows its stored thumbnail with the reason",
    async (exchange, reason) => {
      bridge.answer(exchange)
      const result = await download({ chat_jid: zoe, message_id: zoePhoto })
      expect(result.isError).toBe(false)
      expect(result.images).toHaveLength(1)
      expect(result.structured.image).toMatchObject({ source: "message_thumbnail" })
      expect(result.structured.note).toMatch(reason)
    },
  )

  // The bridge down opens the client's circuit breaker: these come last.
  it("with the bridge down, shows the thumbnail stored with the photo, labelled as such, and says how to get the photo", async () => {
    bridge.down()
    const result = await download({ chat_jid: zoe, message_id: zoePhoto })
    expect(result.isError).toBe(false)
    const thumbnail = storedThumbnail(zoePhoto)
    expect(thumbnail).not.toBeNull()
    expect(result.images).toEqual([
      { type: "image", data: thumbnail?.toString("base64"), mimeType: "image/jpeg" },
    ])
    expect(result.structured).toMatchObject({
      media_kind: "image",
      mimetype: "image/jpeg",
      image: { source: "message_thumbnail", mimetype: "image/jpeg" },
    })
    expect(result.structured.path).toBeUndefined()
    expect(result.structured.note).toMatch(
      /^Only the low-resolution thumbnail stored with the message is shown: the image itself could not be downloaded\. .*not running.*pnpm bridge.*call download_media again for the full image\.$/,
    )
    expect(result.text).toMatch(/was not downloaded\./)
    expect(result.text).toMatch(/only the small, low-resolution thumbnail/)
  })

  it("with the bridge down, says it is not running and how to start it for media without a thumbnail", async () => {
    bridge.down()
    const result = await download({ chat_jid: "12025550102", message_id: "3AE422B47B8528E078AA" })
    expect(result.isError).toBe(true)
    // the breaker opened by the call before answers at once, with the same advice
    expect(result.text).toMatch(/not (running|answering).*pnpm bridge/)
    expect(result.images).toEqual([])
  })
})

// A change to what a model reads about a tool shows up in review; a missing or stale snapshot fails.
describe("toolsnaps", () => {
  it("match the published definition of every tool", async () => {
    await expect(checkToolsnaps(mounted.client, join(__dirname, "__toolsnaps__"))).resolves.toBeUndefined()
  })
})
