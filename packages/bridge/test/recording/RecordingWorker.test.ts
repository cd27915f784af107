// Long recordings are decoded in a second thread. Whatever the thread, reading a recording must
// give the same lines: the same events in the same shapes a live socket delivers (WAProto
// instances, Buffers), the same malformed-line reports, the same errors for unreadable files.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Worker } from "node:worker_threads"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { proto } from "@whiskeysockets/baileys"
import { Chunk, Effect, Either, Stream } from "effect"
import {
  encodeRecordingLine,
  isMalformedLine,
  type RecordedLine,
  readRecording,
} from "../../src/recording/index.js"
import { wireBytesOf } from "../../src/recording/WireMessages.js"

const fixtures = path.resolve(import.meta.dirname, "../../../../fixtures")
const recordings = [
  ...fs.readdirSync(path.join(fixtures, "streams")).map((name) => path.join(fixtures, "streams", name)),
  path.join(fixtures, "demo", "demo.jsonl"),
  path.join(fixtures, "broken", "mixed.jsonl"),
]

const read = (file: string, decodeInWorker: boolean) =>
  readRecording(file, { decodeInWorker }).pipe(
    Stream.runCollect,
    Effect.map((lines) => Chunk.toArray(lines) as Array<RecordedLine>),
    Effect.provide(NodeFileSystem.layer),
  )

/** A `messages.upsert` line (an append) of one direct chat's text messages with these ids. */
const upsertLineOf = (ids: ReadonlyArray<string>, textOf: (id: string) => string) =>
  encodeRecordingLine({
    event: "messages.upsert",
    data: {
      type: "append",
      messages: ids.map((id, i) => ({
        key: { remoteJid: "15550001111@s.whatsapp.net", fromMe: i % 2 === 0, id },
        messageTimestamp: 1_717_000_000 + i,
        message: { conversation: textOf(id) },
      })),
    },
  })

/** Each line as a reader sees it: where it is, and its event as JSON or its report. */
const described = (lines: ReadonlyArray<RecordedLine>) =>
  lines.map((line) =>
    isMalformedLine(line)
      ? `${line.line} ${line.message}`
      : `${line.line} ${line.file} ${encodeRecordingLine(line.event)}`,
  )

const messagesOf = (lines: ReadonlyArray<RecordedLine>) =>
  lines.flatMap((line) => {
    if (isMalformedLine(line)) return []
    const { event } = line
    return event.event === "messages.upsert" || event.event === "messaging-history.set"
      ? (event.data.messages ?? [])
      : []
  })

describe("decoding a recording in a worker thread", () => {
  for (const file of recordings) {
    it.effect(`reads ${path.basename(file)} exactly as the reading thread does`, () =>
      Effect.gen(function* () {
        const here = yield* read(file, false)
        const there = yield* read(file, true)
        assert.isAbove(here.length, 0)
        assert.deepStrictEqual(described(there), described(here))
        const messages = messagesOf(there)
        for (const message of messages) {
          // live-shaped: WAProto instances with their bytes known, so storing them encodes nothing
          assert.instanceOf(message, proto.WebMessageInfo)
          assert.deepStrictEqual(
            Buffer.from(wireBytesOf(message) ?? []),
            Buffer.from(proto.WebMessageInfo.encode(message).finish()),
          )
        }
      }),
    )
  }

  it.effect("gives media keys as Buffers, as a live socket does", () =>
    Effect.gen(function* () {
      const lines = yield* read(path.join(fixtures, "streams", "message-kinds.jsonl"), true)
      const keys = messagesOf(lines).flatMap((message) => {
        const image = message.message?.imageMessage
        return image?.mediaKey ? [image.mediaKey] : []
      })
      assert.isAbove(keys.length, 0)
      for (const key of keys) assert.isTrue(Buffer.isBuffer(key))
    }),
  )

  it.effect("fails a missing file or a directory as unreadable, naming it", () =>
    Effect.gen(function* () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "wa-worker-"))
      for (const file of [path.join(directory, "missing.jsonl"), directory]) {
        const outcome = yield* Effect.either(read(file, true))
        assert.isTrue(Either.isLeft(outcome))
        if (Either.isLeft(outcome)) {
          assert.strictEqual(outcome.left._tag, "RecordingUnreadable")
          assert.include(outcome.left.message, file)
        }
      }
      fs.rmSync(directory, { recursive: true, force: true })
    }),
  )

  it.effect("decodes a line larger than the thread's young generation, every message in order", () =>
    Effect.gen(function* () {
      // one history chunk of 40,000 messages (about 20 MB of JSON) between two small lines: far
      // more than the 12 MB young generation the decoding thread is given
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "wa-worker-"))
      const file = path.join(directory, "large-chunk.jsonl")
      const upsertOf = (ids: ReadonlyArray<string>) =>
        upsertLineOf(ids, (id) => `message ${id}: ${"pain au chocolat ".repeat(20)}`)
      const large = Array.from({ length: 40_000 }, (_, i) => `L${i}`)
      fs.writeFileSync(file, [upsertOf(["A1"]), upsertOf(large), upsertOf(["Z1"])].join("\n"))
      const lines = yield* read(file, true)
      assert.isFalse(lines.some(isMalformedLine))
      const ids = messagesOf(lines).map((message) => message.key?.id)
      assert.deepStrictEqual(ids, ["A1", ...large, "Z1"])
      fs.rmSync(directory, { recursive: true, force: true })
    }),
  )

  // Real time: the point is what the other thread does while this one is busy elsewhere.
  it.live("stays a few lines ahead of a slow reader, which still gets every message in order", () =>
    Effect.gen(function* () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "wa-worker-"))
      const file = path.join(directory, "many-lines.jsonl")
      const ids = Array.from({ length: 60 }, (_, line) =>
        Array.from({ length: 20 }, (_, i) => `M${line}-${i}`),
      )
      const lineOf = (chunk: ReadonlyArray<string>) => upsertLineOf(chunk, (id) => `message ${id}`)
      fs.writeFileSync(file, `${ids.map(lineOf).join("\n")}\n`)
      // lines the thread has handed over that the reader has not taken yet, at the most
      let handed = 0
      let taken = 0
      let mostAhead = 0
      const emit = Worker.prototype.emit
      const post = Worker.prototype.postMessage
      Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: Array<unknown>) {
        if (event === "message") {
          handed += 1
          mostAhead = Math.max(mostAhead, handed - taken)
        }
        return emit.call(this, event, ...args)
      }
      Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker["postMessage"]>) {
        taken += 1
        return post.apply(this, args)
      }
      const lines = yield* readRecording(file, { decodeInWorker: true }).pipe(
        Stream.tap(() => Effect.sleep("5 millis")),
        Stream.runCollect,
        Effect.map((lines) => Chunk.toArray(lines) as Array<RecordedLine>),
        Effect.provide(NodeFileSystem.layer),
        Effect.ensuring(
          Effect.sync(() => {
            Worker.prototype.emit = emit
            Worker.prototype.postMessage = post
            fs.rmSync(directory, { recursive: true, force: true })
          }),
        ),
      )
      assert.strictEqual(handed, ids.length + 1, "every line, then the end")
      // the reader lets the thread decode 4 lines ahead of it, no more
      assert.isAtMost(mostAhead, 4)
      assert.deepStrictEqual(
        messagesOf(lines).map((message) => message.key?.id),
        ids.flat(),
      )
    }),
  )

  it.effect("reads a last line without a newline, and Windows line ends", () =>
    Effect.gen(function* () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "wa-worker-"))
      const source = fs.readFileSync(path.join(fixtures, "streams", "history-sync.jsonl"), "utf8")
      const file = path.join(directory, "crlf.jsonl")
      fs.writeFileSync(file, source.trimEnd().split("\n").join("\r\n"))
      const here = yield* read(file, false)
      const there = yield* read(file, true)
      assert.deepStrictEqual(described(there), described(here))
      assert.isFalse(here.some(isMalformedLine))
      fs.rmSync(directory, { recursive: true, force: true })
    }),
  )
})
