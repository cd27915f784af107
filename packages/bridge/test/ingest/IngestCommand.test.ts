// `bridge ingest FILE... --store DIR`: stores recorded streams, prints a summary, reports each bad
// line as file:line and keeps the rest, and turns missing files or stores into one clear line.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { StoreFileName } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { Effect, Either } from "effect"
import { ingestCommand } from "../../src/ingest/IngestCommand.js"
import { encodeRecordingLine } from "../../src/recording/index.js"
import { alice, bob, temporaryDirectory, text, upsert } from "./IngestTestKit.js"

const captured = () => {
  const out: Array<string> = []
  const err: Array<string> = []
  return {
    out,
    err,
    options: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) },
  }
}

describe("bridge ingest", () => {
  it.scoped(
    "stores the valid lines, reports a malformed one as file:line, and says so in the exit status",
    () =>
      Effect.gen(function* () {
        const directory = yield* temporaryDirectory
        const file = path.join(directory, "stream.jsonl")
        fs.writeFileSync(
          file,
          [
            "// a recorded stream",
            encodeRecordingLine(upsert("notify", text("I1", "first", 1_717_000_000))),
            '{"event":"messages.upsert","data":{"messages":[{"key":{"remoteJid":"x"}}]',
            "",
            encodeRecordingLine({ event: "contacts.upsert", data: [{ id: bob, name: "Bob" }] }),
            encodeRecordingLine(upsert("notify", text("I2", "second", 1_717_000_100, { from: bob }))),
          ].join("\n"),
        )
        const store = path.join(directory, "store")
        const io = captured()
        const summary = yield* ingestCommand({ files: [file], storeDirectory: store, ...io.options })
        assert.strictEqual(summary.exitCode, 1)
        assert.strictEqual(summary.events, 3)
        assert.strictEqual(summary.messages, 2)
        assert.strictEqual(summary.storedMessages, 2)
        assert.strictEqual(summary.chats, 2)
        assert.strictEqual(summary.contacts, 1)
        assert.lengthOf(
          io.err.filter((line) => line.startsWith(`${file}:3: `)),
          1,
        )
        for (const label of ["events: 3", "messages: 2", "chats: 2", "contacts: 1"])
          assert.include(io.out, label)
        assert.isTrue(io.out.some((line) => /^seconds: \d+\.\d\d$/.test(line)))
        assert.isTrue(io.out.some((line) => /^messages\/s: \d+$/.test(line)))
        const db = new Database(path.join(store, StoreFileName), { readonly: true })
        const ids = db.prepare("SELECT id FROM messages ORDER BY id").all()
        db.close()
        assert.deepStrictEqual(ids, [{ id: "I1" }, { id: "I2" }])
      }),
  )

  it.scoped("a clean stream exits 0, and a missing file is one line while the other files are stored", () =>
    Effect.gen(function* () {
      const directory = yield* temporaryDirectory
      const file = path.join(directory, "ok.jsonl")
      fs.writeFileSync(
        file,
        `${encodeRecordingLine(upsert("notify", text("J1", "hi", 1, { from: alice })))}\n`,
      )
      const clean = captured()
      const ok = yield* ingestCommand({
        files: [file],
        storeDirectory: path.join(directory, "s1"),
        ...clean.options,
      })
      assert.deepStrictEqual(clean.err, [])
      assert.strictEqual(ok.exitCode, 0)
      assert.deepStrictEqual(clean.err, [])
      const missing = path.join(directory, "missing.jsonl")
      const io = captured()
      const summary = yield* ingestCommand({
        files: [missing, file],
        storeDirectory: path.join(directory, "s2"),
        ...io.options,
      })
      assert.strictEqual(summary.exitCode, 1)
      assert.strictEqual(summary.storedMessages, 1)
      const about = io.err.filter((line) => line.includes(missing))
      assert.lengthOf(about, 1)
      assert.notInclude(about[0] ?? "", "    at ")
    }),
  )

  it.scoped("a store that cannot be created fails with one line naming what to do", () =>
    Effect.gen(function* () {
      const directory = yield* temporaryDirectory
      const blocker = path.join(directory, "file")
      fs.writeFileSync(blocker, "")
      const result = yield* Effect.either(
        ingestCommand({
          files: [blocker],
          storeDirectory: path.join(blocker, "store"),
          ...captured().options,
        }),
      )
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.include(result.left.message, "--store DIR")
    }),
  )
})

// Each case starts the real command (through tsx, on the sources): seconds on a busy machine.
describe("the bridge command line", () => {
  const bridge = path.resolve(import.meta.dirname, "../../src/bin/bridge.ts")
  const run = (...args: ReadonlyArray<string>) =>
    spawnSync(process.execPath, ["--import", "tsx", bridge, ...args], { encoding: "utf8" })

  it.scoped(
    "exits 1 after a malformed line, naming it, and prints the summary on stdout",
    () =>
      Effect.gen(function* () {
        const directory = yield* temporaryDirectory
        const file = path.join(directory, "stream.jsonl")
        fs.writeFileSync(file, `${encodeRecordingLine(upsert("notify", text("Z1", "hi", 1)))}\nnot json\n`)
        const result = run("ingest", file, "--store", path.join(directory, "store"))
        assert.strictEqual(result.status, 1)
        assert.match(result.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: `, "m"))
        assert.include(result.stdout, "messages: 1")
      }),
    60_000,
  )

  it.scoped(
    "an unusable store is one line on stderr, not a stack trace; an unknown command shows the usage",
    () =>
      Effect.gen(function* () {
        const directory = yield* temporaryDirectory
        const blocker = path.join(directory, "file")
        fs.writeFileSync(blocker, "")
        const result = run("ingest", blocker, "--store", path.join(blocker, "store"))
        assert.strictEqual(result.status, 1)
        assert.strictEqual(result.stderr.trim().split("\n").length, 1)
        assert.notInclude(result.stderr, "    at ")
        const unknown = run("serve")
        assert.strictEqual(unknown.status, 2)
        assert.include(unknown.stderr, 'unknown command "serve"')
        assert.include(unknown.stderr, "usage:")
      }),
    60_000,
  )
})
