import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import type { BridgeErrorCode, Health, SendResult } from "@whatsapp-mcp/core/api"
import { BridgeClient } from "@whatsapp-mcp/runtime"
import { type Duration, Effect, Fiber, TestClock } from "effect"
import { HttpResponse, http } from "msw"
import { setupServer } from "msw/node"
import { layerFetch } from "../../src/host/BridgeClientLive.js"

const url = "http://127.0.0.1:18080"
const token = "tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"
const storeDir = mkdtempSync(join(tmpdir(), "bridge-client-"))
const tokenFile = join(storeDir, "bridge-token")
writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 })

const health: Health = {
  status: "ok",
  mode: "replay",
  connection: "open",
  detail: null,
  pairing: "paired",
  own_jid: "15550001111@s.whatsapp.net",
  last_disconnect: null,
  reconnects: 0,
  store: { chats: 1, contacts: 1, messages: 1 },
  history_sync: { active: false, chunks: 0, messages: 0, progress: null },
}

const sent: SendResult = {
  message_id: "3EB0AAA",
  chat_jid: "15550002222@s.whatsapp.net",
  timestamp: 1_717_000_000,
  status: "sent",
  kind: "text",
  duplicate: false,
}

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const hits = { health: 0, text: 0 }
const countHits = () => {
  hits.health = 0
  hits.text = 0
}

const errorBody = (code: string, message: string) => ({ error: { code, message } })

const clientLayer = (file = tokenFile) => layerFetch({ url, tokenFile: file })

/** Lets fetch (real I/O through msw) make progress while the test clock drives timers. */
const tick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

const driveToEnd = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      yield* tick
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

describe("bridge client", () => {
  it.effect("sends the bearer token from the store and decodes the answer", () =>
    Effect.gen(function* () {
      let authorization: string | null = null
      server.use(
        http.get(`${url}/v1/health`, ({ request }) => {
          authorization = request.headers.get("authorization")
          return HttpResponse.json(health)
        }),
      )
      const client = yield* BridgeClient.BridgeClient
      const result = yield* client.health
      assert.deepStrictEqual(result, health)
      assert.strictEqual(authorization, `Bearer ${token}`)
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("says how to start the bridge when it has never created a token", () =>
    Effect.gen(function* () {
      const client = yield* BridgeClient.BridgeClient
      const error = yield* Effect.flip(client.sendText({ recipient: "15550002222", text: "hi" }))
      assert.strictEqual(error._tag, "BridgeUnavailable")
      assert.include(error.message, "pnpm bridge")
    }).pipe(Effect.provide(clientLayer(join(storeDir, "missing-token")))),
  )

  it.effect("decodes the bridge's errors into the contract's BridgeError with its code and message", () =>
    Effect.gen(function* () {
      const answers: Array<[number, BridgeErrorCode]> = [
        [503, "whatsapp_not_connected"],
        [404, "not_on_whatsapp"],
        [400, "invalid_recipient"],
        [410, "media_unavailable"],
        [403, "file_not_allowed"],
        [429, "rate_limited"],
        [401, "bridge_unauthorized"],
        [404, "message_not_found"],
      ]
      const client = yield* BridgeClient.BridgeClient
      for (const [status, code] of answers) {
        server.use(
          http.post(`${url}/v1/messages/text`, () =>
            HttpResponse.json(errorBody(code, `because ${code}`), { status }),
          ),
        )
        const error = yield* Effect.flip(client.sendText({ recipient: "15550002222", text: "hi" }))
        assert.isTrue(error._tag === "BridgeError" && error.code === code, `${code} arrives as itself`)
        if (code === "bridge_unauthorized") assert.include(error.message, "same store directory")
        else assert.strictEqual(error.message, `because ${code}`)
      }
      // Refusals mean the bridge is up: the breaker stays closed.
      assert.strictEqual((yield* client.circuit)._tag, "Closed")
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("recognises something else answering on the bridge's port", () =>
    Effect.gen(function* () {
      server.use(http.get(`${url}/v1/health`, () => new HttpResponse("<html>nginx</html>", { status: 404 })))
      const client = yield* BridgeClient.BridgeClient
      const error = yield* Effect.flip(client.health)
      assert.strictEqual(error._tag, "BridgeUnexpectedResponse")
      assert.include(error.message, "bridge.url")
      assert.include(error.message, "HTTP 404")
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("refuses a JSON answer the contract does not allow instead of passing it on", () =>
    Effect.gen(function* () {
      server.use(http.get(`${url}/v1/health`, () => HttpResponse.json({ status: "ok", mode: "live" })))
      const client = yield* BridgeClient.BridgeClient
      const error = yield* Effect.flip(client.health)
      assert.strictEqual(error._tag, "BridgeUnexpectedResponse")
      assert.include(error.message, "bridge.url")
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("retries safe calls with backoff until the bridge answers", () =>
    Effect.gen(function* () {
      countHits()
      server.use(
        http.get(`${url}/v1/health`, () => {
          hits.health++
          return hits.health < 3 ? HttpResponse.error() : HttpResponse.json(health)
        }),
      )
      const client = yield* BridgeClient.BridgeClient
      const fiber = yield* Effect.fork(client.health)
      const result = yield* driveToEnd(fiber, "100 millis")
      assert.strictEqual(result.connection, "open")
      assert.strictEqual(hits.health, 3)
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("never repeats a send without an idempotency key, and repeats one with a key", () =>
    Effect.gen(function* () {
      countHits()
      server.use(
        http.post(`${url}/v1/messages/text`, () => {
          hits.text++
          return hits.text === 1 ? HttpResponse.error() : HttpResponse.json(sent)
        }),
      )
      const client = yield* BridgeClient.BridgeClient
      const once = yield* Effect.fork(client.sendText({ recipient: "15550002222", text: "hi" }))
      const error = yield* Effect.flip(driveToEnd(once, "100 millis"))
      assert.strictEqual(error._tag, "BridgeUnavailable")
      assert.strictEqual(hits.text, 1)

      countHits()
      const keyed = yield* Effect.fork(
        client.sendText({ recipient: "15550002222", text: "hi", idempotency_key: "k-1" }),
      )
      const result = yield* driveToEnd(keyed, "100 millis")
      assert.strictEqual(result.message_id, "3EB0AAA")
      assert.strictEqual(hits.text, 2)
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("times out a call the bridge never answers", () =>
    Effect.gen(function* () {
      server.use(http.get(`${url}/v1/health`, () => new Promise<never>(() => {})))
      const client = yield* BridgeClient.BridgeClient
      const fiber = yield* Effect.fork(client.health)
      const error = yield* Effect.flip(driveToEnd(fiber, "1 second"))
      assert.strictEqual(error._tag, "BridgeTimeout")
      assert.include(error.message, "did not answer")
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect(
    "opens the breaker on a dead bridge so writes fail without a request, then probes and closes",
    () =>
      Effect.gen(function* () {
        countHits()
        let up = false
        server.use(
          http.post(`${url}/v1/messages/text`, () => {
            hits.text++
            return up ? HttpResponse.json(sent) : HttpResponse.error()
          }),
        )
        const client = yield* BridgeClient.BridgeClient
        for (let i = 0; i < 3; i++) yield* Effect.flip(client.sendText({ recipient: "1555", text: "hi" }))
        assert.strictEqual(hits.text, 3)
        assert.strictEqual((yield* client.circuit)._tag, "Open")

        const fast = yield* Effect.flip(client.sendText({ recipient: "1555", text: "hi" }))
        assert.strictEqual(fast._tag, "BridgeUnavailable")
        assert.isTrue(fast._tag === "BridgeUnavailable" && fast.circuitOpen)
        assert.include(fast.message, "pnpm bridge")
        assert.strictEqual(hits.text, 3, "no request while the breaker is open")

        // After the reset period one probe goes through; the bridge is back, so the breaker closes.
        up = true
        yield* TestClock.adjust("10 seconds")
        const probe = yield* client.sendText({ recipient: "1555", text: "hi" })
        assert.strictEqual(probe.message_id, "3EB0AAA")
        assert.strictEqual((yield* client.circuit)._tag, "Closed")
        assert.strictEqual(hits.text, 4)
      }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("asks a dead bridge's health for a status line once, without opening the breaker for sends", () =>
    Effect.gen(function* () {
      countHits()
      server.use(
        http.get(`${url}/v1/health`, () => {
          hits.health++
          return HttpResponse.error()
        }),
      )
      const client = yield* BridgeClient.BridgeClient
      for (let i = 0; i < 5; i++) {
        const failed = yield* Effect.flip(client.probeHealth)
        assert.strictEqual(failed._tag, "BridgeUnavailable")
      }
      assert.strictEqual(hits.health, 5, "one request per probe, no retries")
      assert.strictEqual((yield* client.circuit)._tag, "Closed")
    }).pipe(Effect.provide(clientLayer())),
  )

  it.effect("re-opens the breaker when the half-open probe fails", () =>
    Effect.gen(function* () {
      countHits()
      server.use(
        http.post(`${url}/v1/reactions`, () => {
          hits.text++
          return HttpResponse.error()
        }),
      )
      const client = yield* BridgeClient.BridgeClient
      const react = client.react({ chat_jid: "1@s.whatsapp.net", message_id: "X", emoji: "👍" })
      // react is safe to retry: one call makes three attempts and opens the breaker.
      yield* Effect.flip(driveToEnd(yield* Effect.fork(react), "100 millis"))
      assert.strictEqual((yield* client.circuit)._tag, "Open")
      const before = hits.text
      yield* TestClock.adjust("10 seconds")
      // The probe fails; its retry then meets the open breaker and stops without a request.
      const probe = yield* Effect.flip(driveToEnd(yield* Effect.fork(react), "100 millis"))
      assert.strictEqual(probe._tag, "BridgeUnavailable")
      assert.strictEqual(hits.text, before + 1, "exactly one probe")
      assert.strictEqual((yield* client.circuit)._tag, "Open")
    }).pipe(Effect.provide(clientLayer())),
  )
})
