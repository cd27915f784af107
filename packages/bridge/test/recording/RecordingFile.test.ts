// Recorded stream files: written streaming, read back line by line with bad lines reported and
// skipped, never holding the whole file as one string.
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import {
  type BaileysEvent,
  encodeRecordingLine,
  isMalformedLine,
  type MalformedLine,
  openRecordingWriter,
  proto,
  type RecordedLine,
  type RecordingEntry,
  readRecording,
  writeRecording,
} from "../../src/recording/index.js"

const chatJid = "15550100010@s.whatsapp.net"

const text = (id: string, body: string, at: number): BaileysEvent => ({
  event: "messages.upsert",
  data: {
    type: "notify",
    messages: [
      {
        key: { remoteJid: chatJid, fromMe: false, id },
        messageTimestamp: at,
        message: proto.Message.fromObject({ extendedTextMessage: { text: body } }),
      },
    ],
  },
})

const events: ReadonlyArray<BaileysEvent> = [
  { event: "contacts.upsert", data: [{ id: chatJid, name: "Inès Martin", notify: "Inès" }] },
  text("3EB0E1", "On se retrouve à la boulangerie à 10h ?", 1_717_002_000),
  text("3EB0E2", "Μια χαρά! Τα λέμε την Κυριακή. 日曜日にね。", 1_717_002_060),
  { event: "lid-mapping.update", data: { lid: "200000000000010@lid", pn: chatJid } },
  { event: "chats.update", data: [{ id: chatJid, unreadCount: 0, archived: true }] },
]

const collect = (file: string, chunkSize?: number) =>
  readRecording(file, chunkSize === undefined ? {} : { chunkSize }).pipe(
    Stream.runCollect,
    Effect.map((lines) => Chunk.toArray(lines) as Array<RecordedLine>),
  )

const linesOf = (recorded: ReadonlyArray<RecordedLine>) =>
  recorded.map((line) => (isMalformedLine(line) ? line.message : encodeRecordingLine(line.event)))

describe("recorded stream files", () => {
  it.scoped("round-trips: what is written is read back as the same events, comments ignored", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const file = `${dir}/round-trip.jsonl`
      const entries: Array<RecordingEntry> = [
        { comment: "case: a short conversation\nwith accents" },
        ...events,
      ]
      yield* writeRecording(file, Stream.fromIterable(entries))
      const written = yield* fs.readFileString(file)
      assert.ok(written.startsWith("// case: a short conversation\n// with accents\n"))
      const recorded = yield* collect(file)
      assert.deepStrictEqual(linesOf(recorded), events.map(encodeRecordingLine))
      assert.deepStrictEqual(
        recorded.map((line) => line.line),
        [3, 4, 5, 6, 7],
      )
      // Reading a tiny chunk at a time splits lines and multi-byte characters across reads.
      assert.deepStrictEqual(linesOf(yield* collect(file, 7)), events.map(encodeRecordingLine))
    }).pipe(Effect.provide(NodeFileSystem.layer)),
  )

  it.scoped("reports malformed lines with their line numbers and still delivers every valid line", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const file = `${dir}/mixed.jsonl`
      const good = events.map(encodeRecordingLine)
      yield* fs.writeFileString(
        file,
        [
          good[0],
          "{truncated",
          "",
          good[1],
          '{"event":"chats.upsert","data":"nope"}',
          "// done",
          good[2],
        ].join("\r\n"),
      )
      const recorded = yield* collect(file)
      assert.deepStrictEqual(
        recorded.map((line) => [line._tag, line.line]),
        [
          ["RecordedEvent", 1],
          ["MalformedLine", 2],
          ["RecordedEvent", 4],
          ["MalformedLine", 5],
          ["RecordedEvent", 7],
        ],
      )
      assert.match((recorded[1] as MalformedLine).message, new RegExp(`^${file}:2: not valid JSON`))
      assert.strictEqual(
        (recorded[3] as MalformedLine).message,
        `${file}:5: chats.upsert: data must be an array`,
      )
      assert.deepStrictEqual(linesOf(recorded.filter((line) => !isMalformedLine(line))), good.slice(0, 3))
    }).pipe(Effect.provide(NodeFileSystem.layer)),
  )

  it.effect("a missing file fails with an error naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(collect("/nonexistent/history.jsonl"))
      assert.strictEqual(error._tag, "RecordingUnreadable")
      assert.match(error.message, /^Cannot read the recorded stream \/nonexistent\/history\.jsonl/)
    }).pipe(Effect.provide(NodeFileSystem.layer)),
  )

  it.scoped("a recording writer appends events as they arrive", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const file = `${dir}/live.jsonl`
      yield* Effect.scoped(
        Effect.flatMap(openRecordingWriter(file), (writer) =>
          Effect.forEach(events.slice(0, 2), writer.write),
        ),
      )
      yield* Effect.scoped(
        Effect.flatMap(openRecordingWriter(file), (writer) => Effect.forEach(events.slice(2), writer.write)),
      )
      assert.deepStrictEqual(linesOf(yield* collect(file)), events.map(encodeRecordingLine))
    }).pipe(Effect.provide(NodeFileSystem.layer)),
  )
})
