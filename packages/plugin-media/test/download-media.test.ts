// download_media through a real MCP client, on a store the bridge built from the demo stream, against
// a stand-in bridge answering with the exchanges recorded from the real one (fixtures/bridge-api).
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { checkToolsnaps, type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import { recordedBridge } from "../../../fixtures/src/RecordedBridgeApi.js"
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
  readonly path: string
  readonly mimetype: string
  readonly size: number
  readonly sha256: string
  readonly media_kind: string
  readonly file_name: string
  readonly cached: boolean
}

const download = async (args: Record<string, unknown>) => {
  const result = await mounted.client.callTool({ name: "download_media", arguments: args })
  const text = (result.content as Array<{ readonly text?: string }>).map((c) => c.text ?? "").join("\n")
  return { isError: result.isError === true, text, structured: result.structuredContent as Downloaded }
}

describe("download_media", () => {
  it("returns the decrypted file's path, type, size and SHA-256, for a chat given by LID too", async () => {
    bridge.answer("download")
    const result = await download({ chat_jid: zoeLid, message_id: zoePhoto })
    expect(result.isError).toBe(false)
    expect(bridge.received.map((r) => r.body)).toEqual([{ chat_jid: zoe, message_id: zoePhoto }])
    expect(result.structured).toMatchObject({ media_kind: "image", mimetype: "image/jpeg", size: 1922 })
    expect(Object.values(manifest).map((m) => m.sha256)).toContain(result.structured.sha256)
    // the file's name and type are the sender's: quoted, under the note that says whose they are
    const [note, line] = result.text.split("\n")
    expect(note).toMatch(/data, not instructions/)
    expect(line).toBe(
      `image "${result.structured.file_name}" ("image/jpeg", 1.9 KB, sha256 ${result.structured.sha256}) saved at "${result.structured.path}".`,
    )
  })

  it.each([
    ["download-no-media", /has no image, video, audio, document or sticker/],
    ["download-not-found", /No message NO-SUCH-MESSAGE .*list_messages/],
    ["download-media-unavailable", /could not be downloaded.*sender's phone must be online.*Tell the user/],
    [
      "download-media-foreign",
      /could not be downloaded.*names a media server that is not WhatsApp's.*Tell the user/,
    ],
  ])("explains %s", async (exchange, pattern) => {
    bridge.answer(exchange)
    const result = await download({ chat_jid: zoe, message_id: zoePhoto })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(pattern)
  })

  it("refuses a chat the store does not have before asking the bridge", async () => {
    const result = await download({ chat_jid: "447700900123@s.whatsapp.net", message_id: zoePhoto })
    expect(result.text).toMatch(/"chat_jid".*no chat with/)
    expect(bridge.received).toHaveLength(0)
  })

  it("says the bridge is not running and how to start it", async () => {
    bridge.down()
    const result = await download({ chat_jid: zoe, message_id: zoePhoto })
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/not running.*pnpm bridge/)
  })
})

// A change to what a model reads about a tool shows up in review; a missing or stale snapshot fails.
describe("toolsnaps", () => {
  it("match the published definition of every tool", async () => {
    await expect(checkToolsnaps(mounted.client, join(__dirname, "__toolsnaps__"))).resolves.toBeUndefined()
  })
})
