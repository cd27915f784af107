// A store folder that was once open to others may hold files another user planted before the first
// start. The bridge refuses such a store, saying which file, why and what to do, and keeps the
// files it owns readable by the user alone.
import { spawn } from "node:child_process"
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { logout } from "../src/BridgePrograms.js"
import { guardStoreFiles } from "../src/StoreFileGuard.js"
import { openMessageStore } from "../src/store/MessageStore.js"

const bridge = resolve(import.meta.dirname, "../src/bin/bridge.ts")
const demo = resolve(import.meta.dirname, "../../../fixtures/demo/demo.jsonl")

/** A store folder open to everyone, as a careless `mkdir -m 777` or a shared disk leaves it. */
const openStore = () => {
  const work = mkdtempSync(join(tmpdir(), "store-guard-"))
  const store = join(work, "store")
  mkdirSync(store)
  chmodSync(store, 0o777)
  const elsewhere = join(work, "someone-else")
  mkdirSync(elsewhere)
  return { store, elsewhere }
}

const modeOf = (file: string) => statSync(file).mode & 0o777

describe("a store with planted files", () => {
  it("stops the bridge when messages.db and session.db have other names (hard links) another user could reach", async () => {
    const { store, elsewhere } = openStore()
    writeFileSync(join(store, "messages.db"), "")
    linkSync(join(store, "messages.db"), join(elsewhere, "messages-copy.db"))
    const run = spawn(
      process.execPath,
      ["--import", "tsx", bridge, "--replay", demo, "--store", store, "--port", "0"],
      { stdio: ["ignore", "ignore", "pipe"] },
    )
    let said = ""
    run.stderr?.on("data", (chunk) => {
      said += chunk
    })
    const code = await new Promise<number | null>((done) => run.on("exit", done))
    assert.strictEqual(code, 1)
    assert.include(said, `The store file ${join(store, "messages.db")} has 2 names on disk (hard links)`)
    assert.include(said, "replace it with a copy that is yours alone")
    // Nothing was written through the planted name.
    assert.strictEqual(readFileSync(join(elsewhere, "messages-copy.db"), "utf8"), "")

    const second = openStore()
    writeFileSync(join(second.store, "session.db"), "")
    linkSync(join(second.store, "session.db"), join(second.elsewhere, "keys.db"))
    const refused = await Effect.runPromise(Effect.flip(logout(second.store)))
    assert.include(refused.message, `${join(second.store, "session.db")} has 2 names on disk`)
  }, 60_000)

  it("stops the bridge when a store file belongs to another user", async () => {
    const { store } = openStore()
    const file = join(store, "messages.db")
    writeFileSync(file, "")
    const me = process.getuid?.() ?? 0
    if (me === 0) {
      // As root (CI), the file really becomes someone else's: nobody's.
      chownSync(file, 65534, 65534)
      const refused = await Effect.runPromise(Effect.flip(logout(store)))
      assert.include(
        refused.message,
        `The store file ${file} belongs to user 65534, not to the user running the bridge (0)`,
      )
    } else {
      // Without root no file can be given away: the bridge is told it runs as another user instead.
      const refused = await Effect.runPromise(Effect.flip(guardStoreFiles(store, { uid: me + 1 })))
      assert.include(refused.message, `belongs to user ${me}, not to the user running the bridge (${me + 1})`)
    }
  })

  it("never opens a store file through a symlink, leaving its target untouched", async () => {
    const { store, elsewhere } = openStore()
    const target = join(elsewhere, "theirs.db")
    writeFileSync(target, "")
    symlinkSync(target, join(store, "session.db"))
    const refused = await Effect.runPromise(Effect.flip(logout(store)))
    assert.include(refused.message, `${join(store, "session.db")} is a symbolic link (to ${target})`)
    assert.strictEqual(readFileSync(target, "utf8"), "")
  })

  it("refuses to store recorded events into a planted messages.db too", async () => {
    const { store, elsewhere } = openStore()
    writeFileSync(join(store, "messages.db"), "")
    linkSync(join(store, "messages.db"), join(elsewhere, "copy.db"))
    const refused = await Effect.runPromise(
      Effect.flip(Effect.scoped(openMessageStore({ directory: store }))),
    )
    assert.include(refused.message, "has 2 names on disk (hard links)")
  })
})

describe("the modes of store files", () => {
  it("restricts the user's own store files that others could read to 0600, and its folders to 0700", async () => {
    const { store } = openStore()
    for (const name of ["messages.db", "session.db", "bridge-token"]) {
      writeFileSync(join(store, name), "")
      chmodSync(join(store, name), 0o644)
    }
    mkdirSync(join(store, "media"), { mode: 0o755 })
    chmodSync(join(store, "media"), 0o755)
    await Effect.runPromise(guardStoreFiles(store))
    for (const name of ["messages.db", "session.db", "bridge-token"]) {
      assert.strictEqual(modeOf(join(store, name)), 0o600, name)
    }
    assert.strictEqual(modeOf(join(store, "media")), 0o700)
  })

  it("creates messages.db and its write-ahead log 0600 whatever the umask", async () => {
    const directory = join(mkdtempSync(join(tmpdir(), "store-modes-")), "store")
    const before = process.umask(0)
    try {
      await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const opened = yield* openMessageStore({ directory })
            opened.db.prepare("INSERT INTO chats (jid, kind) VALUES ('x@s.whatsapp.net', 'direct')").run()
            assert.strictEqual(modeOf(join(directory, "messages.db")), 0o600)
            assert.strictEqual(modeOf(join(directory, "messages.db-wal")), 0o600)
            assert.strictEqual(modeOf(join(directory, "messages.db-shm")), 0o600)
          }),
        ),
      )
    } finally {
      process.umask(before)
    }
  })
})
