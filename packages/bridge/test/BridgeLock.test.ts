import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { LockFileName } from "@whatsapp-mcp/core/store"
import { Effect } from "effect"
import { acquireBridgeLock } from "../src/BridgeLock.js"

describe("one bridge per store", () => {
  it.effect("refuses to start beside a running bridge, naming its process", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "bridge-lock-"))
      // The test runner's parent process stands in for another running bridge.
      writeFileSync(join(dir, LockFileName), `${process.ppid}\n`)
      const error = yield* Effect.flip(Effect.scoped(acquireBridgeLock(dir)))
      assert.strictEqual(error._tag, "BridgeLocked")
      assert.include(error.message, String(process.ppid))
      assert.strictEqual(readFileSync(join(dir, LockFileName), "utf8").trim(), String(process.ppid))
    }),
  )

  it.effect("takes over a lock left by a bridge that died, and releases it on exit", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "bridge-lock-"))
      writeFileSync(join(dir, LockFileName), "2147483646\n")
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* acquireBridgeLock(dir)
          assert.strictEqual(readFileSync(join(dir, LockFileName), "utf8").trim(), String(process.pid))
        }),
      )
      assert.isFalse(existsSync(join(dir, LockFileName)))
    }),
  )
})
