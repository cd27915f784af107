import { execFileSync, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import ffmpeg from "@ffmpeg-installer/ffmpeg"
import type { BridgeErrorBody, DownloadResult, Health, SendResult } from "@whatsapp-mcp/core/api"
import { proto, type WAMessage } from "@whiskeysockets/baileys"
import { Context, Duration, Effect, Layer, Option, Stream } from "effect"
import { assemble } from "../src/BridgeDaemon.js"
import { MediaCdn } from "../src/media/MediaCdn.js"
import * as ReplayMediaCdn from "../src/replay/ReplayMediaCdn.js"
import * as ReplaySocket from "../src/replay/ReplaySocket.js"
import { BridgeHttpServer } from "../src/server/BridgeHttpServer.js"
import * as SessionStore from "../src/session/SessionStore.js"
import { EventSink } from "../src/socket/EventSink.js"
import { WhatsAppConnection } from "../src/socket/WhatsAppConnection.js"
import { makeMemoryStore } from "./support/MemoryStore.js"

const ownJid = "15550000000:1@s.whatsapp.net"
const friend = "15550002222@s.whatsapp.net"
const onePixelPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
)

const files = mkdtempSync(join(tmpdir(), "bridge-files-"))
const picture = join(files, "picture.png")
writeFileSync(picture, onePixelPng)
const tone = join(files, "tone.wav")

// The CDN stand-in: serves what the replay socket "uploaded", counting requests.
const cdn = { uploadDirs: [] as Array<string>, requests: 0, expireNext: 0 }
const served = ReplayMediaCdn.make(cdn.uploadDirs)
const countingCdn = Layer.succeed(MediaCdn, {
  ...served,
  get: (url, signal) => {
    cdn.requests++
    if (cdn.expireNext > 0) {
      cdn.expireNext--
      return Promise.resolve({ status: 410, length: 0, body: Readable.from([]) })
    }
    return served.get(url, signal)
  },
})
beforeAll(() => {
  execFileSync(ffmpeg.path, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration=2",
    tone,
  ])
})
afterEach(() => {
  cdn.requests = 0
  cdn.expireNext = 0
})

const incoming: WAMessage = proto.WebMessageInfo.fromObject({
  key: { remoteJid: friend, fromMe: false, id: "3A0INCOMING1" },
  messageTimestamp: 1_717_000_000,
  message: { conversation: "are you coming tonight?" },
}) as WAMessage

interface BridgeFiles {
  /** `--allowed-file-roots`; default the test's files folder, `null`: none given. */
  readonly fileRoots?: ReadonlyArray<string> | null
  readonly sendsPerMinute?: number
}

const startWith = (options: BridgeFiles = {}) =>
  Effect.gen(function* () {
    const storeDir = mkdtempSync(join(tmpdir(), "bridge-replay-"))
    const uploadDir = join(storeDir, "replay-media")
    cdn.uploadDirs.push(uploadDir)
    const store = makeMemoryStore()
    const socket = ReplaySocket.layer({
      ownJid,
      uploadDir,
      exists: async (jid) => jid === friend,
    })
    const bridge = assemble({
      storeDir,
      port: 0,
      mode: "replay",
      connection: { silenceTimeout: Duration.infinity },
      ...(options.fileRoots === null ? {} : { fileRoots: options.fileRoots ?? [files] }),
      ...(options.sendsPerMinute === undefined ? {} : { sendsPerMinute: options.sendsPerMinute }),
      session: SessionStore.inMemory({ id: ownJid }),
    }).pipe(Layer.provide(Layer.mergeAll(store.layer, socket, countingCdn)))
    const context = yield* Layer.build(Layer.merge(bridge, store.layer))
    const http = Context.get(context, BridgeHttpServer)
    const connection = Context.get(context, WhatsAppConnection)
    const sink = Context.get(context, EventSink)
    yield* sink.ingest([{ event: "messages.upsert", data: { messages: [incoming], type: "notify" } }])
    const opened = yield* connection.changes.pipe(
      Stream.filter((s) => s.connection === "open" || s.connection === "failed"),
      Stream.runHead,
    )
    assert.strictEqual(Option.getOrThrow(opened).connection, "open")
    const token = readFileSync(join(storeDir, "bridge-token"), "utf8").trim()
    const post = <A>(path: string, body: unknown) =>
      Effect.promise(async () => {
        const response = await fetch(`${http.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        })
        return { status: response.status, body: (await response.json()) as A }
      })
    const get = <A>(path: string) =>
      Effect.promise(async () => {
        const response = await fetch(`${http.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
        return { status: response.status, body: (await response.json()) as A }
      })
    return { store, storeDir, post, get }
  })
const startBridge = startWith()

/** Echoes arrive through the event queue: wait for the store to show them. */
const eventually = <A>(read: () => A | undefined) =>
  Effect.gen(function* () {
    for (let i = 0; i < 300; i++) {
      const value = read()
      if (value !== undefined) return value
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    return assert.fail("the store never showed the expected change")
  })

const code = (body: unknown) => (body as BridgeErrorBody).error.code

/** Run by `node -e` with the race file, the secret, the token and the innocent text; says "ready" once. */
const swapLoop = `
const fs = require("node:fs")
const [race, secret, token, innocent] = process.argv.slice(1)
const next = race + ".next"
const deadline = Date.now() + 20000
for (let i = 0; i < 5000000 && Date.now() < deadline; i++) {
  fs.rmSync(next, { force: true })
  if (i % 3 === 0) fs.writeFileSync(next, innocent)
  else fs.symlinkSync(i % 3 === 1 ? secret : token, next)
  fs.renameSync(next, race)
  if (i === 0) process.stdout.write("ready\\n")
}
`

describe("replay bridge over HTTP", () => {
  it.scoped("reports health: replay mode, open, paired as the simulated account, store counts", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const health = yield* bridge.get<Health>("/v1/health")
      assert.strictEqual(health.status, 200)
      assert.strictEqual(health.body.mode, "replay")
      assert.strictEqual(health.body.connection, "open")
      assert.strictEqual(health.body.pairing, "paired")
      assert.strictEqual(health.body.own_jid, ownJid)
      assert.strictEqual(health.body.store.messages, 1)
    }),
  )

  it.scoped("sends text, stores the echo as the user's own message, and never sends a key twice", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const first = yield* bridge.post<SendResult>("/v1/messages/text", {
        recipient: "+1 (555) 000-2222",
        text: "on my way https://example.com",
        idempotency_key: "evening-1",
      })
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.body.chat_jid, friend)
      assert.strictEqual(first.body.status, "sent")
      assert.isFalse(first.body.duplicate)
      const stored = yield* eventually(() => bridge.store.find(friend, first.body.message_id))
      assert.isTrue(stored.key.fromMe)
      assert.strictEqual(
        stored.message?.extendedTextMessage?.text ?? stored.message?.conversation,
        "on my way https://example.com",
      )
      // No link preview was generated for the URL.
      assert.isUndefined(stored.message?.extendedTextMessage?.title ?? undefined)

      const again = yield* bridge.post<SendResult>("/v1/messages/text", {
        recipient: "+1 (555) 000-2222",
        text: "on my way https://example.com",
        idempotency_key: "evening-1",
      })
      assert.strictEqual(again.body.message_id, first.body.message_id)
      assert.isTrue(again.body.duplicate)
      const reused = yield* bridge.post<BridgeErrorBody>("/v1/messages/text", {
        recipient: friend,
        text: "something else",
        idempotency_key: "evening-1",
      })
      assert.strictEqual(reused.status, 400)
      assert.strictEqual(reused.body.error.field, "idempotency_key")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
      assert.strictEqual([...bridge.store.messages.values()].filter((m) => m.key.fromMe).length, 1)
    }),
  )

  it.scoped("refuses numbers not on WhatsApp and malformed recipients with their codes", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const missing = yield* bridge.post("/v1/messages/text", { recipient: "+44 20 7946 0000", text: "hi" })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(code(missing.body), "not_on_whatsapp")
      const malformed = yield* bridge.post("/v1/messages/text", { recipient: "call me maybe", text: "hi" })
      assert.strictEqual(malformed.status, 400)
      assert.strictEqual(code(malformed.body), "invalid_recipient")
      const tooShort = yield* bridge.post("/v1/messages/text", { recipient: "+1 555", text: "hi" })
      assert.strictEqual(code(tooShort.body), "invalid_recipient")
      assert.strictEqual([...bridge.store.messages.values()].filter((m) => m.key.fromMe).length, 0)
    }),
  )

  it.scoped("replies, reacts (and removes the reaction) and marks a chat read", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const reply = yield* bridge.post<SendResult>("/v1/messages/text", {
        recipient: friend,
        text: "yes!",
        reply_to_message_id: "3A0INCOMING1",
      })
      assert.strictEqual(reply.status, 200)
      const stored = yield* eventually(() => bridge.store.find(friend, reply.body.message_id))
      assert.strictEqual(stored.message?.extendedTextMessage?.contextInfo?.stanzaId, "3A0INCOMING1")

      const unknownReply = yield* bridge.post("/v1/messages/text", {
        recipient: friend,
        text: "x",
        reply_to_message_id: "NOPE",
      })
      assert.strictEqual(code(unknownReply.body), "message_not_found")

      const react = yield* bridge.post("/v1/reactions", {
        chat_jid: friend,
        message_id: "3A0INCOMING1",
        emoji: "👍",
      })
      assert.strictEqual(react.status, 200)
      yield* eventually(() => bridge.store.reactions.get(`${friend}|3A0INCOMING1`)?.get("me"))
      assert.strictEqual(bridge.store.reactions.get(`${friend}|3A0INCOMING1`)?.get("me"), "👍")
      yield* bridge.post("/v1/reactions", { chat_jid: friend, message_id: "3A0INCOMING1", emoji: "" })
      yield* eventually(() =>
        bridge.store.reactions.get(`${friend}|3A0INCOMING1`)?.has("me") === false ? true : undefined,
      )

      const read = yield* bridge.post<{ marked: number }>("/v1/read", { chat_jid: friend })
      assert.strictEqual(read.body.marked, 1)
      yield* eventually(() =>
        bridge.store.find(friend, "3A0INCOMING1")?.status === proto.WebMessageInfo.Status.READ
          ? true
          : undefined,
      )
      const readAgain = yield* bridge.post<{ marked: number }>("/v1/read", { chat_jid: friend })
      assert.strictEqual(readAgain.body.marked, 0)
    }),
  )

  it.scoped("sends a picture through real media encryption and downloads it back intact", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const sent = yield* bridge.post<SendResult>("/v1/messages/file", {
        recipient: friend,
        path: picture,
        caption: "the view",
      })
      assert.strictEqual(sent.status, 200)
      assert.strictEqual(sent.body.kind, "image")
      const stored = yield* eventually(() => bridge.store.find(friend, sent.body.message_id))
      const image = stored.message?.imageMessage
      assert.strictEqual(image?.caption, "the view")
      assert.strictEqual(image?.mimetype, "image/png")
      assert.isAbove(image?.mediaKey?.length ?? 0, 0)

      const download = yield* bridge.post<DownloadResult>("/v1/media/download", {
        chat_jid: friend,
        message_id: sent.body.message_id,
      })
      assert.strictEqual(download.status, 200)
      const expected = createHash("sha256").update(onePixelPng).digest("hex")
      assert.strictEqual(download.body.sha256, expected)
      assert.strictEqual(download.body.kind, "image")
      assert.strictEqual(download.body.size, onePixelPng.length)
      assert.deepStrictEqual(readFileSync(download.body.path), onePixelPng)
      assert.isTrue(download.body.path.startsWith(join(bridge.storeDir, "media")))
      assert.strictEqual(cdn.requests, 1)

      const cached = yield* bridge.post<DownloadResult>("/v1/media/download", {
        chat_jid: friend,
        message_id: sent.body.message_id,
      })
      assert.isTrue(cached.body.cached)
      assert.strictEqual(cdn.requests, 1)
    }),
  )

  it.scoped("re-requests expired media (410) from the phone and retries the download", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const sent = yield* bridge.post<SendResult>("/v1/messages/file", { recipient: friend, path: picture })
      yield* eventually(() => bridge.store.find(friend, sent.body.message_id))
      cdn.expireNext = 1
      const download = yield* bridge.post<DownloadResult>("/v1/media/download", {
        chat_jid: friend,
        message_id: sent.body.message_id,
      })
      assert.strictEqual(download.status, 200)
      assert.strictEqual(cdn.requests, 2)
      assert.deepStrictEqual(readFileSync(download.body.path), onePixelPng)
    }),
  )

  it.scoped("says what is wrong with a download that cannot work", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const noMedia = yield* bridge.post("/v1/media/download", {
        chat_jid: friend,
        message_id: "3A0INCOMING1",
      })
      assert.strictEqual(code(noMedia.body), "unsupported_media")
      const unknown = yield* bridge.post("/v1/media/download", { chat_jid: friend, message_id: "NOPE" })
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(code(unknown.body), "message_not_found")
    }),
  )

  it.scoped("converts any audio file to an Ogg/Opus voice note with duration and waveform", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const sent = yield* bridge.post<SendResult>("/v1/messages/voice", { recipient: friend, path: tone })
      assert.strictEqual(sent.status, 200, JSON.stringify(sent.body))
      assert.strictEqual(sent.body.kind, "voice")
      const stored = yield* eventually(() => bridge.store.find(friend, sent.body.message_id))
      const audio = stored.message?.audioMessage
      assert.isTrue(audio?.ptt)
      assert.strictEqual(audio?.mimetype, "audio/ogg; codecs=opus")
      assert.strictEqual(audio?.seconds, 2)
      assert.strictEqual(audio?.waveform?.length, 64)
      assert.isAbove(Math.max(...(audio?.waveform ?? [])), 0)

      const download = yield* bridge.post<DownloadResult>("/v1/media/download", {
        chat_jid: friend,
        message_id: sent.body.message_id,
      })
      assert.strictEqual(download.body.kind, "voice")
      assert.strictEqual(readFileSync(download.body.path).subarray(0, 4).toString("latin1"), "OggS")
    }),
  )

  it.scoped(
    "refuses files outside the allowed roots, inside the store, missing, or not audio for a voice note",
    () =>
      Effect.gen(function* () {
        const bridge = yield* startBridge
        const outside = mkdtempSync(join(tmpdir(), "bridge-outside-"))
        const secret = join(outside, "secret.txt")
        writeFileSync(secret, "private")
        const linkOut = join(files, "link-out.txt")
        symlinkSync(secret, linkOut)
        const refused = yield* bridge.post("/v1/messages/file", { recipient: friend, path: secret })
        assert.strictEqual(code(refused.body), "file_not_allowed")
        const viaLink = yield* bridge.post("/v1/messages/file", { recipient: friend, path: linkOut })
        assert.strictEqual(code(viaLink.body), "file_not_allowed")
        const token = yield* bridge.post("/v1/messages/file", {
          recipient: friend,
          path: join(bridge.storeDir, "bridge-token"),
        })
        assert.strictEqual(code(token.body), "file_not_allowed")
        const missing = yield* bridge.post("/v1/messages/file", {
          recipient: friend,
          path: join(files, "nope.pdf"),
        })
        assert.strictEqual(code(missing.body), "file_not_found")
        const relative = yield* bridge.post("/v1/messages/file", { recipient: friend, path: "picture.png" })
        assert.strictEqual(code(relative.body), "bad_request")
        const notAudio = yield* bridge.post("/v1/messages/voice", { recipient: friend, path: picture })
        assert.strictEqual(code(notAudio.body), "unsupported_media")
        mkdirSync(join(files, "a-directory"), { recursive: true })
        const directory = yield* bridge.post("/v1/messages/file", {
          recipient: friend,
          path: join(files, "a-directory"),
        })
        assert.strictEqual(code(directory.body), "bad_request")
        assert.strictEqual([...bridge.store.messages.values()].filter((m) => m.key.fromMe).length, 0)
      }),
  )

  it.scoped(
    "sends no file when it was started without --allowed-file-roots, and says how to allow some",
    () =>
      Effect.gen(function* () {
        const bridge = yield* startWith({ fileRoots: null })
        const refused = yield* bridge.post<BridgeErrorBody>("/v1/messages/file", {
          recipient: friend,
          path: picture,
        })
        assert.strictEqual(refused.status, 403)
        assert.strictEqual(code(refused.body), "file_not_allowed")
        assert.include(refused.body.error.message, "--allowed-file-roots")
        const voice = yield* bridge.post("/v1/messages/voice", { recipient: friend, path: tone })
        assert.strictEqual(code(voice.body), "file_not_allowed")
        assert.strictEqual([...bridge.store.messages.values()].filter((m) => m.key.fromMe).length, 0)
      }),
  )

  it.scoped(
    "refuses a hard link to its session or to a secret inside an allowed folder, and its own files",
    () =>
      Effect.gen(function* () {
        const bridge = yield* startBridge
        // The idempotency ledger keeps its keys in the session database.
        const session = join(bridge.storeDir, "session.db")
        assert.isTrue(existsSync(session))
        const linkedSession = join(files, "holiday-plans.db")
        linkSync(session, linkedSession)
        const outside = mkdtempSync(join(tmpdir(), "bridge-outside-"))
        const secret = join(outside, "secret.txt")
        writeFileSync(secret, "private")
        const linkedSecret = join(files, "notes.txt")
        linkSync(secret, linkedSecret)
        for (const path of [linkedSession, linkedSecret]) {
          const refused = yield* bridge.post<BridgeErrorBody>("/v1/messages/file", {
            recipient: friend,
            path,
          })
          assert.strictEqual(refused.status, 403, path)
          assert.strictEqual(code(refused.body), "file_not_allowed")
          const voice = yield* bridge.post("/v1/messages/voice", { recipient: friend, path })
          assert.strictEqual(code(voice.body), "file_not_allowed")
        }
        // An allowed folder that holds the store still never gives its files away.
        const wide = yield* startWith({ fileRoots: [tmpdir()] })
        for (const name of ["bridge-token", "session.db"]) {
          const refused = yield* wide.post<BridgeErrorBody>("/v1/messages/file", {
            recipient: friend,
            path: join(wide.storeDir, name),
          })
          assert.strictEqual(code(refused.body), "file_not_allowed", name)
          assert.include(refused.body.error.message, "store")
        }
        for (const running of [bridge, wide]) {
          assert.strictEqual([...running.store.messages.values()].filter((m) => m.key.fromMe).length, 0)
        }
      }),
  )

  it.scoped(
    "never sends a secret or its token while the name it was asked for is swapped for symlinks to them",
    () =>
      Effect.gen(function* () {
        const bridge = yield* startWith({ sendsPerMinute: 1000 })
        const outside = mkdtempSync(join(tmpdir(), "bridge-race-"))
        const secret = join(outside, "secret.txt")
        writeFileSync(secret, "the vault code is 4471")
        const token = join(bridge.storeDir, "bridge-token")
        const innocent = "an innocent shopping list"
        const race = join(files, "race.txt")
        writeFileSync(race, innocent)
        // Another process renames over race.txt, as fast as it can and for 20 s at most: a new
        // copy of the innocent file, a symlink to the secret, a symlink to the bridge's token.
        const swapper = yield* Effect.acquireRelease(
          Effect.sync(() =>
            spawn(process.execPath, ["-e", swapLoop, race, secret, token, innocent], {
              stdio: ["ignore", "pipe", "inherit"],
            }),
          ),
          (child) => Effect.sync(() => child.kill("SIGKILL")),
        )
        yield* Effect.promise(() => new Promise((ready) => swapper.stdout?.once("data", ready)))
        const sent: Array<string> = []
        const refusals: Array<string> = []
        // At least 40 sends, and on until both outcomes were seen: on a busy machine the swapper may
        // sit on one state for a while. Bounded by the swapper's own 20 s and 400 attempts.
        const started = Date.now()
        for (
          let attempt = 0;
          attempt < 400 &&
          Date.now() - started < 15_000 &&
          (attempt < 40 || sent.length === 0 || refusals.length === 0);
          attempt++
        ) {
          const answer = yield* bridge.post<SendResult | BridgeErrorBody>("/v1/messages/file", {
            recipient: friend,
            path: race,
          })
          if (answer.status === 200) sent.push((answer.body as SendResult).message_id)
          else refusals.push(code(answer.body))
        }
        swapper.kill("SIGKILL")
        // Whatever was sent is what WhatsApp's recipient gets back: download and read each one.
        for (const id of sent) {
          const download = yield* bridge.post<DownloadResult>("/v1/media/download", {
            chat_jid: friend,
            message_id: id,
          })
          assert.strictEqual(download.status, 200)
          assert.strictEqual(readFileSync(download.body.path, "utf8"), innocent)
        }
        assert.isAbove(
          sent.length,
          0,
          `no send went through (refused: ${[...new Set(refusals)].join(", ")}): the race did not happen`,
        )
        assert.isAbove(refusals.length, 0, "no send was refused: the race did not happen")
        assert.deepStrictEqual([...new Set(refusals)], ["file_not_allowed"])
      }),
  )
})
