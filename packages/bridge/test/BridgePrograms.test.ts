import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { BridgeErrorBody, DownloadResult, SendResult } from "@whatsapp-mcp/core/api"
import { MaxPreviewBytes, MaxPreviewEdge } from "@whatsapp-mcp/core/limits"
import { LockFileName } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import { replayBridge } from "../src/BridgeDaemon.js"
import { logout } from "../src/BridgePrograms.js"
import { startReplayBridge, waitForOpen } from "./support/ReplayBridgeHttp.js"

const fixtures = resolve(import.meta.dirname, "../../../fixtures")
const demo = join(fixtures, "demo/demo.jsonl")
const media = join(fixtures, "media")
const manifest = JSON.parse(readFileSync(join(media, "manifest.json"), "utf8")) as Record<
  string,
  { readonly file: string; readonly sha256: string }
>

const start = (storeDir: string) =>
  startReplayBridge({ storeDir, files: [demo], port: 0, mediaRoots: [media] })

const query = <A>(storeDir: string, sql: string, ...params: Array<unknown>) => {
  const db = new Database(join(storeDir, "messages.db"), { readonly: true })
  try {
    return db.prepare(sql).all(...params) as Array<A>
  } finally {
    db.close()
  }
}

describe("replay bridge program", () => {
  it.live(
    "ingests the demo, serves health, downloads fixture media through real decryption, stores sends",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const storeDir = join(mkdtempSync(join(tmpdir(), "bridge-program-")), "store")
          const { call } = yield* start(storeDir)
          const health = yield* waitForOpen(call)
          assert.strictEqual(health.mode, "replay")
          assert.isAbove(health.store.messages, 200)
          assert.isTrue(existsSync(join(storeDir, LockFileName)))

          const [image] = query<{ chat_jid: string; id: string; media_sha256: Uint8Array }>(
            storeDir,
            "SELECT chat_jid, id, media_sha256 FROM messages WHERE kind = 'image' AND media_key IS NOT NULL LIMIT 1",
          )
          assert.isDefined(image)
          const download = yield* call<DownloadResult>("/v1/media/download", {
            chat_jid: image!.chat_jid,
            message_id: image!.id,
          })
          assert.strictEqual(download.status, 200, JSON.stringify(download.body))
          const plain = readFileSync(download.body.path)
          assert.strictEqual(createHash("sha256").update(plain).digest("hex"), download.body.sha256)
          assert.include(
            Object.values(manifest).map((entry) => entry.sha256),
            download.body.sha256,
            "the decrypted file is one of the fixture originals",
          )

          const [person] = query<{ jid: string }>(
            storeDir,
            "SELECT jid FROM chats WHERE kind = 'direct' AND jid LIKE '%@s.whatsapp.net' LIMIT 1",
          )
          const sent = yield* call<SendResult>("/v1/messages/text", {
            recipient: person!.jid,
            text: "Replay says hello",
            idempotency_key: "program-1",
          })
          assert.strictEqual(sent.status, 200, JSON.stringify(sent.body))
          let rows: Array<{ from_me: number; text: string }> = []
          for (let i = 0; i < 200 && rows.length === 0; i++) {
            rows = query(storeDir, "SELECT from_me, text FROM messages WHERE id = ?", sent.body.message_id)
            if (rows.length === 0) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
          }
          assert.deepStrictEqual(rows, [{ from_me: 1, text: "Replay says hello" }])

          const stranger = yield* call<BridgeErrorBody>("/v1/messages/text", {
            recipient: "+44 7700 900123",
            text: "hi",
          })
          assert.strictEqual(stranger.body.error.code, "not_on_whatsapp")
        }),
      ),
  )

  it.live(
    "answers a download asked for a preview with a picture of a photo, a sticker and a video, and none for a voice note",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const storeDir = join(mkdtempSync(join(tmpdir(), "bridge-program-")), "store")
          const { call } = yield* start(storeDir)
          yield* waitForOpen(call)
          const downloadOf = (kind: string) =>
            Effect.gen(function* () {
              const [row] = query<{ chat_jid: string; id: string }>(
                storeDir,
                "SELECT chat_jid, id FROM messages WHERE kind = ? AND media_key IS NOT NULL ORDER BY timestamp LIMIT 1",
                kind,
              )
              assert.isDefined(row, `the demo has a ${kind}`)
              const download = yield* call<DownloadResult>("/v1/media/download", {
                chat_jid: row!.chat_jid,
                message_id: row!.id,
                preview: true,
              })
              assert.strictEqual(download.status, 200, JSON.stringify(download.body))
              return download.body
            })
          const picture = (result: DownloadResult) => {
            assert.isDefined(result.preview, JSON.stringify(result.preview_problem))
            const bytes = Buffer.from(result.preview!.data, "base64")
            // what it says it is, within the limits a client accepts
            assert.deepStrictEqual(
              [...bytes.subarray(0, 3)],
              result.preview!.mimetype === "image/jpeg" ? [0xff, 0xd8, 0xff] : [0x89, 0x50, 0x4e],
            )
            assert.isAtMost(Math.max(result.preview!.width, result.preview!.height), MaxPreviewEdge)
            assert.isAtMost(bytes.length, MaxPreviewBytes)
            return result.preview!
          }

          const photo = yield* downloadOf("image")
          assert.deepInclude(picture(photo), { source: "file", width: 96, height: 64 })
          const sticker = yield* downloadOf("sticker")
          assert.deepInclude(picture(sticker), { source: "file", width: 64, height: 64 })
          const video = yield* downloadOf("video")
          assert.strictEqual(picture(video).source, "message_thumbnail")
          assert.isTrue(existsSync(video.path), "the video itself is downloaded too")

          const voice = yield* downloadOf("voice")
          assert.isUndefined(voice.preview)
          assert.isUndefined(voice.preview_problem)
          assert.strictEqual(voice.kind, "voice")
          assert.isTrue(existsSync(voice.path))

          // without asking, a download answers as it always did
          const [row] = query<{ chat_jid: string; id: string }>(
            storeDir,
            "SELECT chat_jid, id FROM messages WHERE kind = 'image' AND media_key IS NOT NULL LIMIT 1",
          )
          const plain = yield* call<DownloadResult>("/v1/media/download", {
            chat_jid: row!.chat_jid,
            message_id: row!.id,
          })
          assert.isUndefined(plain.body.preview)
          assert.isTrue(plain.body.cached)
        }),
      ),
  )

  it.live("refuses a second bridge on the same store and releases the store on shutdown", () =>
    Effect.gen(function* () {
      const storeDir = join(mkdtempSync(join(tmpdir(), "bridge-program-")), "store")
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* start(storeDir)
          const second = yield* Effect.flip(Effect.scoped(start(storeDir)))
          assert.strictEqual(second._tag, "BridgeStartError")
          assert.include(second.message, "Another bridge")
        }),
      )
      assert.isFalse(existsSync(join(storeDir, LockFileName)))
    }),
  )

  it.live("logout on a store that was never linked says so, touches no network and leaves no session", () =>
    Effect.gen(function* () {
      const storeDir = join(mkdtempSync(join(tmpdir(), "bridge-program-")), "store")
      yield* logout(storeDir)
      assert.isFalse(existsSync(join(storeDir, LockFileName)))
      const session = new Database(join(storeDir, "session.db"), { readonly: true })
      try {
        const rows = session.prepare("SELECT count(*) AS n FROM creds").get() as { n: number }
        assert.strictEqual(rows.n, 0)
      } finally {
        session.close()
      }
    }),
  )

  it.live("says the port is taken instead of crashing when another program listens on it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const first = yield* start(join(mkdtempSync(join(tmpdir(), "bridge-program-")), "store"))
        const other = join(mkdtempSync(join(tmpdir(), "bridge-program-")), "store")
        const error = yield* Effect.flip(
          Effect.scoped(Layer.build(replayBridge({ storeDir: other, files: [demo], port: first.port }))),
        )
        assert.strictEqual(error._tag, "BridgeStartError")
        assert.include(error.message, `127.0.0.1:${first.port}`)
        assert.include(error.message, "--port")
      }),
    ),
  )
})
