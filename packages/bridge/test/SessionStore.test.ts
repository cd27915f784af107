import { mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { make as makeSessionStore } from "../src/session/SessionStore.js"

const freshStore = () => mkdtempSync(join(tmpdir(), "bridge-session-"))

describe("session store", () => {
  it.effect("keeps creds and signal keys across restarts, bytes intact", () =>
    Effect.gen(function* () {
      const dir = freshStore()
      const noiseKey = yield* Effect.scoped(
        Effect.gen(function* () {
          const session = yield* makeSessionStore(dir)
          const state = yield* session.authState
          state.creds.me = { id: "15550001111:3@s.whatsapp.net", name: "Me" }
          yield* session.saveCreds
          yield* Effect.promise(async () =>
            state.keys.set({
              session: { "15550002222.0": Buffer.from([1, 2, 3]) },
              "pre-key": { "7": { public: Buffer.from([4]), private: Buffer.from([5]) } },
            }),
          )
          return Buffer.from(state.creds.noiseKey.public).toString("hex")
        }),
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          const session = yield* makeSessionStore(dir)
          const state = yield* session.authState
          assert.strictEqual(state.creds.me?.id, "15550001111:3@s.whatsapp.net")
          assert.strictEqual(Buffer.from(state.creds.noiseKey.public).toString("hex"), noiseKey)
          assert.isTrue(yield* session.isRegistered)
          assert.strictEqual(statSync(join(dir, "session.db")).mode & 0o777, 0o600)
          const sessions = yield* Effect.promise(async () =>
            state.keys.get("session", ["15550002222.0", "missing"]),
          )
          assert.deepStrictEqual([...(sessions["15550002222.0"] ?? [])], [1, 2, 3])
          assert.isUndefined(sessions.missing)
          const preKeys = yield* Effect.promise(async () => state.keys.get("pre-key", ["7"]))
          assert.deepStrictEqual([...(preKeys["7"]?.private ?? [])], [5])
          // A null value deletes the key, as Baileys expects.
          yield* Effect.promise(async () => state.keys.set({ "pre-key": { "7": null } }))
          const afterDelete = yield* Effect.promise(async () => state.keys.get("pre-key", ["7"]))
          assert.isUndefined(afterDelete["7"])
        }),
      )
    }),
  )

  it.effect("wipes everything on logout, so the next start pairs afresh", () =>
    Effect.gen(function* () {
      const dir = freshStore()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const session = yield* makeSessionStore(dir)
          const state = yield* session.authState
          state.creds.me = { id: "15550001111:3@s.whatsapp.net" }
          yield* session.saveCreds
          yield* Effect.promise(async () => state.keys.set({ session: { a: Buffer.from([1]) } }))
          yield* session.wipe
          assert.isFalse(yield* session.isRegistered)
        }),
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          const session = yield* makeSessionStore(dir)
          const state = yield* session.authState
          assert.isUndefined(state.creds.me)
          assert.isFalse(yield* session.isRegistered)
          const keys = yield* Effect.promise(async () => state.keys.get("session", ["a"]))
          assert.deepStrictEqual(keys, {})
        }),
      )
    }),
  )
})
