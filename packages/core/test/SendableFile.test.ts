// The one check both sides of the bridge run before a file is sent, on the file it opened: what is
// read afterwards is that file, whatever its name points at by then.
import { execFileSync } from "node:child_process"
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { text } from "node:stream/consumers"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as SendableFile from "../src/SendableFile.js"

const setUp = () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), "sendable-")))
  const outbox = join(work, "outbox")
  const elsewhere = join(work, "elsewhere")
  const store = join(work, "store")
  for (const dir of [outbox, elsewhere, store]) mkdirSync(dir)
  const secret = join(elsewhere, "secret.txt")
  writeFileSync(secret, "the vault code is 4471")
  return { work, outbox, elsewhere, store, secret }
}

const reasonOf = (path: string, options: SendableFile.SendableFileOptions) =>
  Effect.scoped(SendableFile.open(path, options)).pipe(
    Effect.flip,
    Effect.map((refused) => refused.reason),
  )

describe("SendableFile.open", () => {
  it.scoped("sends the bytes of the file it opened, even once its name is a symlink to a secret", () =>
    Effect.gen(function* () {
      const { outbox, secret } = setUp()
      const list = join(outbox, "list.txt")
      writeFileSync(list, "milk, eggs")
      const opened = yield* SendableFile.open(list, { roots: [outbox] })
      symlinkSync(secret, join(outbox, "swap"))
      renameSync(join(outbox, "swap"), list)
      assert.strictEqual(yield* Effect.promise(() => text(opened.stream())), "milk, eggs")
      assert.strictEqual(new TextDecoder().decode(yield* opened.head(4)), "milk")
      assert.strictEqual(opened.path, list)
      assert.strictEqual(opened.size, 10)
    }),
  )

  it.effect("follows a symlink that stays inside an allowed folder, and refuses one that leaves it", () =>
    Effect.gen(function* () {
      const { outbox, secret } = setUp()
      writeFileSync(join(outbox, "photo.jpg"), "jpeg")
      symlinkSync(join(outbox, "photo.jpg"), join(outbox, "latest.jpg"))
      symlinkSync(secret, join(outbox, "innocent.txt"))
      const inside = yield* Effect.scoped(
        Effect.map(SendableFile.open(join(outbox, "latest.jpg"), { roots: [outbox] }), (file) => file.path),
      )
      assert.strictEqual(inside, join(outbox, "photo.jpg"))
      assert.strictEqual(yield* reasonOf(join(outbox, "innocent.txt"), { roots: [outbox] }), "outside_roots")
      assert.strictEqual(
        yield* reasonOf(join(outbox, "..", "elsewhere", "secret.txt"), { roots: [outbox] }),
        "outside_roots",
      )
    }),
  )

  it.effect("refuses a hard link to a store file or to anything else, and any file inside the store", () =>
    Effect.gen(function* () {
      const { outbox, store, secret, work } = setUp()
      writeFileSync(join(store, "session.db"), "keys")
      linkSync(join(store, "session.db"), join(outbox, "holiday.db"))
      linkSync(secret, join(outbox, "notes.txt"))
      const log = join(work, "bridge.log")
      writeFileSync(log, "a log line")
      linkSync(log, join(outbox, "log.txt"))
      const options = { roots: [outbox], storeDir: store, protectedFiles: [log] }
      assert.strictEqual(yield* reasonOf(join(outbox, "holiday.db"), options), "store_file")
      assert.strictEqual(yield* reasonOf(join(outbox, "log.txt"), options), "store_file")
      assert.strictEqual(yield* reasonOf(join(outbox, "notes.txt"), options), "linked")
      writeFileSync(join(store, "media.jpg"), "jpeg")
      assert.strictEqual(
        yield* reasonOf(join(store, "media.jpg"), { roots: [work], storeDir: store }),
        "store_file",
      )
    }),
  )

  it.effect("refuses a named pipe at once instead of waiting for a writer, and a folder", () =>
    Effect.gen(function* () {
      const { outbox } = setUp()
      execFileSync("mkfifo", [join(outbox, "pipe")])
      assert.strictEqual(yield* reasonOf(join(outbox, "pipe"), { roots: [outbox] }), "not_regular")
      assert.strictEqual(yield* reasonOf(outbox, { roots: [outbox] }), "not_regular")
    }),
  )

  it.effect("says not found only below an allowed folder, and refuses everything while none is allowed", () =>
    Effect.gen(function* () {
      const { outbox, elsewhere } = setUp()
      writeFileSync(join(outbox, "empty.txt"), "")
      writeFileSync(join(outbox, "big.bin"), "x".repeat(100))
      assert.strictEqual(yield* reasonOf(join(outbox, "nope.txt"), { roots: [outbox] }), "not_found")
      assert.strictEqual(yield* reasonOf(join(elsewhere, "nope.txt"), { roots: [outbox] }), "outside_roots")
      assert.strictEqual(yield* reasonOf(join(outbox, "empty.txt"), { roots: [outbox] }), "empty")
      assert.strictEqual(
        yield* reasonOf(join(outbox, "big.bin"), { roots: [outbox], maxBytes: 99 }),
        "too_large",
      )
      assert.strictEqual(yield* reasonOf(join(outbox, "big.bin"), { roots: [] }), "outside_roots")
      assert.strictEqual(yield* reasonOf("big.bin", { roots: [outbox] }), "not_absolute")
      // A name that merely starts with two dots is inside its folder.
      writeFileSync(join(outbox, "..notes"), "n")
      const dotted = yield* Effect.scoped(
        Effect.map(SendableFile.open(join(outbox, "..notes"), { roots: [outbox] }), (file) => file.size),
      )
      assert.strictEqual(dotted, 1)
    }),
  )
})
