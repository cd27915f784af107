import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { SendResult } from "@whatsapp-mcp/core/api"
import { Effect, TestClock } from "effect"
import { make as makeLedger } from "../src/send/IdempotencyLedger.js"

const result = (id: string): SendResult => ({
  message_id: id,
  chat_jid: "15550002222@s.whatsapp.net",
  timestamp: 1_717_000_000,
  status: "sent",
  kind: "text",
  duplicate: false,
})

describe("idempotency ledger", () => {
  it.effect("returns the first result for a repeated key, across restarts, for 24 hours", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "bridge-ledger-"))
      let sends = 0
      const send = Effect.sync(() => result(`ID${++sends}`))
      const request = { recipient: "15550002222", text: "hi" }
      const first = yield* Effect.scoped(Effect.flatMap(makeLedger(dir), (l) => l.once("k", request, send)))
      const again = yield* Effect.scoped(Effect.flatMap(makeLedger(dir), (l) => l.once("k", request, send)))
      assert.strictEqual(sends, 1)
      assert.strictEqual(again.message_id, first.message_id)
      assert.isTrue(again.duplicate)

      yield* TestClock.adjust("24 hours")
      const later = yield* Effect.scoped(Effect.flatMap(makeLedger(dir), (l) => l.once("k", request, send)))
      assert.strictEqual(sends, 2)
      assert.isFalse(later.duplicate)
    }),
  )

  it.scoped(
    "sends once when the same key arrives concurrently, and refuses a key reused for other content",
    () =>
      Effect.gen(function* () {
        const ledger = yield* makeLedger(mkdtempSync(join(tmpdir(), "bridge-ledger-")))
        let sends = 0
        const send = Effect.sync(() => result(`ID${++sends}`))
        const request = { text: "hi" }
        const results = yield* Effect.all(
          Array.from({ length: 5 }, () => ledger.once("same", request, send)),
          { concurrency: "unbounded" },
        )
        assert.strictEqual(sends, 1)
        assert.strictEqual(new Set(results.map((r) => r.message_id)).size, 1)
        const error = yield* Effect.flip(ledger.once("same", { text: "different" }, send))
        assert.strictEqual(error.code, "bad_request")
        assert.strictEqual(error.field, "idempotency_key")
        const noKey = yield* Effect.all([
          ledger.once(undefined, request, send),
          ledger.once(undefined, request, send),
        ])
        assert.strictEqual(noKey.length, 2)
        assert.strictEqual(sends, 3)
      }),
  )
})
