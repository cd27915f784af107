/**
 * Remembers sends by idempotency key for a day (core's `IdempotencyWindowHours`) in `<store>/session.db`: a repeated key returns
 * the first result and sends nothing, even across bridge restarts. Sends with a key are serialised
 * so two concurrent requests with the same key cannot both send.
 */
import { createHash } from "node:crypto"
import { join } from "node:path"
import { Reactivity } from "@effect/experimental"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { BridgeError, SendResult } from "@whatsapp-mcp/core/api"
import { IdempotencyWindowHours } from "@whatsapp-mcp/core/limits"
import { SessionFileName } from "@whatsapp-mcp/core/store"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { describeError } from "../logging/ErrorDescription.js"

export const IdempotencyWindowMillis = IdempotencyWindowHours * 60 * 60 * 1000

export interface IdempotencyLedgerShape {
  /**
   * Runs `send` unless `key` was used in the last 24 h; then returns the first result marked
   * `duplicate`. The same key for a different request is refused.
   */
  readonly once: (
    key: string | undefined,
    request: unknown,
    send: Effect.Effect<SendResult, BridgeError>,
  ) => Effect.Effect<SendResult, BridgeError>
}

export class IdempotencyLedger extends Context.Tag("@whatsapp-mcp/bridge/IdempotencyLedger")<
  IdempotencyLedger,
  IdempotencyLedgerShape
>() {}

const fingerprint = (request: unknown): string =>
  createHash("sha256").update(JSON.stringify(request)).digest("hex")

const decodeResult = Schema.decodeUnknownSync(Schema.parseJson(SendResult))

const storageFailed = (cause: unknown) =>
  new BridgeError({
    code: "internal_error",
    message: `The bridge could not read or write its record of sent messages (${describeError(cause)}); nothing was sent.`,
  })

export const make = (storeDir: string) =>
  Effect.gen(function* () {
    const sql = yield* SqliteClient.make({ filename: join(storeDir, SessionFileName) }).pipe(
      Effect.provide(Reactivity.layer),
    )
    yield* sql`CREATE TABLE IF NOT EXISTS sent_requests (
      key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL
    )`.pipe(Effect.orDie)
    const lock = yield* Effect.makeSemaphore(1)

    const once: IdempotencyLedgerShape["once"] = (key, request, send) => {
      if (key === undefined) return send
      const print = fingerprint(request)
      return lock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const rows = yield* sql<{ fingerprint: string; result: string }>`
            SELECT fingerprint, result FROM sent_requests WHERE key = ${key} AND created_at > ${now - IdempotencyWindowMillis}`.pipe(
            Effect.mapError(storageFailed),
          )
          const previous = rows[0]
          if (previous !== undefined) {
            if (previous.fingerprint !== print) {
              return yield* new BridgeError({
                code: "bad_request",
                field: "idempotency_key",
                message:
                  "This idempotency_key was already used for a different message in the last 24 hours: use a new key for a new message.",
              })
            }
            return { ...decodeResult(previous.result), duplicate: true }
          }
          const result = yield* send
          yield* sql`DELETE FROM sent_requests WHERE created_at <= ${now - IdempotencyWindowMillis}`.pipe(
            Effect.zipRight(
              sql`INSERT OR REPLACE INTO sent_requests (key, fingerprint, result, created_at)
                VALUES (${key}, ${print}, ${JSON.stringify(result)}, ${now})`,
            ),
            // The message went out; failing now would invite a resend. Log and answer.
            Effect.catchAll((error) =>
              Effect.logError("Could not record an idempotency key", describeError(error)),
            ),
          )
          return result
        }),
      )
    }
    return IdempotencyLedger.of({ once })
  })

export const layer = (storeDir: string): Layer.Layer<IdempotencyLedger> =>
  Layer.scoped(IdempotencyLedger, make(storeDir))
