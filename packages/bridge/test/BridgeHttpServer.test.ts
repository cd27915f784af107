import { mkdtempSync, readFileSync, statSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import {
  BridgeError,
  type BridgeErrorBody,
  BridgeTokenFileName,
  type Health,
  MaxRequestBodyBytes,
  type SendTextRequest,
} from "@whatsapp-mcp/core/api"
import { BridgeEndpoints } from "@whatsapp-mcp/core/http-api"
import { Effect, Layer, Redacted } from "effect"
import { BridgeActions } from "../src/server/BridgeActions.js"
import { serveBridgeApi } from "../src/server/BridgeHttpServer.js"
import { loadOrCreateToken } from "../src/server/BridgeToken.js"

const token = Redacted.make("test-token-0123456789abcdefghijklmnopqrstuvwxyz")

const health: Health = {
  status: "ok",
  mode: "replay",
  connection: "open",
  detail: null,
  pairing: "paired",
  own_jid: "15550001111@s.whatsapp.net",
  last_disconnect: null,
  reconnects: 0,
  store: { chats: 1, contacts: 2, messages: 3 },
  history_sync: { active: false, chunks: 0, messages: 0, progress: null },
}

const makeActions = () => {
  const sent: Array<SendTextRequest> = []
  const actions = BridgeActions.of({
    health: () => Effect.succeed(health),
    sendText: (request) =>
      Effect.sync(() => {
        sent.push(request)
        return {
          message_id: "3EB0SENT",
          chat_jid: "15550002222@s.whatsapp.net",
          timestamp: 1_717_000_000,
          status: "sent" as const,
          kind: "text",
          duplicate: false,
        }
      }),
    sendFile: () =>
      Effect.fail(new BridgeError({ code: "file_not_allowed", message: "not below an allowed root" })),
    sendVoice: () => Effect.die(new Error("secret internal detail")),
    react: (r) =>
      Effect.succeed({
        chat_jid: r.chat_jid,
        message_id: r.message_id,
        emoji: r.emoji,
        removed: r.emoji === "",
      }),
    markRead: (r) => Effect.succeed({ chat_jid: r.chat_jid, marked: r.message_ids?.length ?? 0 }),
    download: () => Effect.fail(new BridgeError({ code: "message_not_found", message: "no such message" })),
    fetchHistory: () =>
      Effect.fail(new BridgeError({ code: "history_request_pending", message: "already asked" })),
  })
  return { sent, actions }
}

const start = (actions: typeof BridgeActions.Service) =>
  serveBridgeApi({ token, port: 0 }).pipe(Effect.provideService(BridgeActions, actions))

const call = (url: string, init: RequestInit & { auth?: boolean } = {}) =>
  Effect.promise(async () => {
    const headers = new Headers(init.headers)
    if (init.auth !== false) headers.set("authorization", `Bearer ${Redacted.value(token)}`)
    if (init.body !== undefined && !headers.has("content-type"))
      headers.set("content-type", "application/json")
    const response = await fetch(url, { ...init, headers })
    const text = await response.text()
    return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown), text }
  })

// fetch always sends the URL's host, so a rebound Host header needs node:http.
const getWithHost = (port: number, host: string) =>
  Effect.async<{ status: number; body: unknown }>((resume) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/health",
        headers: { host, authorization: `Bearer ${Redacted.value(token)}` },
      },
      (response) => {
        let text = ""
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8")
        })
        response.on("end", () =>
          resume(Effect.succeed({ status: response.statusCode ?? 0, body: JSON.parse(text) })),
        )
      },
    )
    request.on("error", (error) => resume(Effect.die(error)))
    request.end()
  })

const errorCode = (body: unknown) => (body as BridgeErrorBody).error.code

interface Upload {
  /** Bytes to send, in 64 KiB writes; Infinity keeps sending until the server ends the connection. */
  readonly bytes: number
  /** A Content-Length to declare; without one the body goes chunked. */
  readonly declaredLength?: number
  /** Leave the request open after the last write, as a client that stalls mid-body. */
  readonly leaveOpen?: boolean
}

/**
 * A raw client that goes on writing its body while the answer may already be on its way, as curl
 * does. Succeeds with the answer once it is read; fails if the connection ends before an answer.
 * Sending forever, it resolves only once the bridge has ended the connection.
 */
const upload = (port: number, options: Upload) =>
  Effect.async<{ status: number; body: unknown }, Error>((resume) => {
    const piece = Buffer.alloc(64 * 1024, "x")
    let answer: { status: number; body: unknown } | undefined
    const request = httpRequest({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/v1/messages/text",
      headers: {
        authorization: `Bearer ${Redacted.value(token)}`,
        "content-type": "application/json",
        ...(options.declaredLength === undefined ? {} : { "content-length": String(options.declaredLength) }),
      },
    })
    request.on("response", (response) => {
      let text = ""
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8")
      })
      response.on("end", () => {
        answer = { status: response.statusCode ?? 0, body: JSON.parse(text) }
        if (Number.isFinite(options.bytes)) request.destroy()
      })
    })
    request.on("error", () => undefined)
    request.on("close", () =>
      resume(
        answer === undefined
          ? Effect.fail(new Error("the connection ended before the bridge answered"))
          : Effect.succeed(answer),
      ),
    )
    let sent = 0
    const write = () => {
      while (sent < options.bytes && !request.destroyed) {
        const next = piece.subarray(0, Math.min(piece.length, options.bytes - sent))
        sent += next.length
        if (!request.write(next)) return void request.once("drain", write)
      }
      if (!request.destroyed && options.leaveOpen !== true) request.end()
    }
    write()
    return Effect.sync(() => request.destroy())
  })

describe("bridge HTTP server", () => {
  it.scoped("answers health with the bearer token", () =>
    Effect.gen(function* () {
      const server = yield* start(makeActions().actions)
      const response = yield* call(`${server.url}/v1/health`)
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(response.body, health)
    }),
  )

  it.scoped("refuses a missing or wrong token on every endpoint, without running the action", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      const missing = yield* call(`${server.url}/v1/health`, { auth: false })
      assert.strictEqual(missing.status, 401)
      assert.strictEqual(errorCode(missing.body), "bridge_unauthorized")
      const wrong = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        auth: false,
        headers: { authorization: "Bearer not-the-token" },
        body: JSON.stringify({ recipient: "+1 555 000 2222", text: "hi" }),
      })
      assert.strictEqual(wrong.status, 401)
      assert.match((wrong.body as BridgeErrorBody).error.message, /bridge-token/)
      assert.strictEqual(sent.length, 0)
    }),
  )

  it.scoped("serves the contract's OpenAPI document to a client with the token, and to no one else", () =>
    Effect.gen(function* () {
      const { actions } = makeActions()
      const server = yield* start(actions)
      const refused = yield* call(`${server.url}/v1/openapi.json`, { auth: false })
      assert.strictEqual(refused.status, 401)
      assert.strictEqual(errorCode(refused.body), "bridge_unauthorized")

      const answer = yield* call(`${server.url}/v1/openapi.json`)
      assert.strictEqual(answer.status, 200)
      const document = answer.body as {
        openapi: string
        info: { title: string; version: string }
        paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
        security: Array<Record<string, unknown>>
      }
      assert.match(document.openapi, /^3\.\d+\.\d+$/)
      assert.isNotEmpty(document.info.title)
      // Exactly the contract's endpoints, each with its method, and nothing else.
      const served = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      )
      assert.sameMembers(
        served,
        BridgeEndpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`),
      )
      for (const endpoint of BridgeEndpoints) {
        const operation = document.paths[endpoint.path]?.[endpoint.method.toLowerCase()]
        assert.isDefined(operation)
        assert.containsAllKeys(operation?.responses ?? {}, ["200", "400", "401", "500", "503"])
        if (endpoint.method === "POST") assert.isDefined(operation?.requestBody, endpoint.path)
      }
      // Every schema it refers to is in the document, so a generator can resolve it.
      for (const [, name] of answer.text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
        assert.property(document.components.schemas, name ?? "")
      }
      assert.deepStrictEqual(document.security, [{ bearer: [] }])
      assert.deepInclude(document.components.securitySchemes, { bearer: { type: "http", scheme: "bearer" } })
    }),
  )

  it.scoped("refuses requests from web pages (Origin) and rebound host names (Host)", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      const withOrigin = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        headers: { origin: "https://evil.example" },
        body: JSON.stringify({ recipient: "15550002222", text: "hi" }),
      })
      assert.strictEqual(withOrigin.status, 403)
      assert.strictEqual(errorCode(withOrigin.body), "request_refused")
      const rebound = yield* getWithHost(server.port, `evil.example:${server.port}`)
      assert.strictEqual(rebound.status, 403)
      assert.strictEqual(errorCode(rebound.body), "request_refused")
      const otherPort = yield* getWithHost(server.port, "localhost:1")
      assert.strictEqual(otherPort.status, 403)
      // The bridge listens on 127.0.0.1 only: an IPv6 loopback name can only be forged.
      const ipv6 = yield* getWithHost(server.port, `[::1]:${server.port}`)
      assert.strictEqual(ipv6.status, 403)
      assert.strictEqual(errorCode(ipv6.body), "request_refused")
      assert.match((ipv6.body as BridgeErrorBody).error.message, /127\.0\.0\.1:\d+ or localhost:\d+/)
      const numeric = yield* getWithHost(server.port, `127.0.0.1:${server.port}`)
      assert.strictEqual(numeric.status, 200)
      const localhost = yield* getWithHost(server.port, `localhost:${server.port}`)
      assert.strictEqual(localhost.status, 200)
      assert.strictEqual(sent.length, 0)
    }),
  )

  it.scoped("refuses an oversized body with payload_too_large", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      const response = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        body: JSON.stringify({ recipient: "15550002222", text: "x".repeat(MaxRequestBodyBytes + 10) }),
      })
      assert.strictEqual(response.status, 413)
      assert.strictEqual(errorCode(response.body), "payload_too_large")
      assert.strictEqual(sent.length, 0)
    }),
  )

  it.scoped("answers 413 naming the limit to a chunked body over it, before the client has finished", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      for (const bytes of [MaxRequestBodyBytes + 1, 4 * MaxRequestBodyBytes, 40 * MaxRequestBodyBytes]) {
        const answer = yield* upload(server.port, { bytes })
        assert.strictEqual(answer.status, 413, `${bytes} bytes chunked`)
        assert.strictEqual(errorCode(answer.body), "payload_too_large")
        assert.include(
          (answer.body as BridgeErrorBody).error.message,
          `${MaxRequestBodyBytes} bytes (256 KiB)`,
        )
      }
      // A client that stalls just past the limit is answered at once: the bridge does not wait for
      // the rest of a body it will refuse.
      const stalled = yield* upload(server.port, { bytes: MaxRequestBodyBytes + 64 * 1024, leaveOpen: true })
      assert.strictEqual(stalled.status, 413)
      assert.strictEqual(sent.length, 0)
    }),
  )

  it.scoped("answers 413 to a declared length over the limit without reading the body", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      // Declares 100 MB, sends 64 KiB and stalls: the answer cannot have waited for the body.
      const declared = yield* upload(server.port, {
        bytes: 64 * 1024,
        declaredLength: 100 * 1024 * 1024,
        leaveOpen: true,
      })
      assert.strictEqual(declared.status, 413)
      assert.strictEqual(errorCode(declared.body), "payload_too_large")
      assert.strictEqual(sent.length, 0)
    }),
  )

  it.scoped("lets a client that never stops sending read its 413, then ends the connection", () =>
    Effect.gen(function* () {
      const server = yield* start(makeActions().actions)
      const endless = yield* upload(server.port, { bytes: Number.POSITIVE_INFINITY })
      assert.strictEqual(endless.status, 413)
      assert.strictEqual(errorCode(endless.body), "payload_too_large")
      // The bridge still answers afterwards.
      const health = yield* call(`${server.url}/v1/health`)
      assert.strictEqual(health.status, 200)
    }),
  )

  it.scoped(
    "accepts application/json alone, with or without parameters, and refuses other types with 415",
    () =>
      Effect.gen(function* () {
        const { sent, actions } = makeActions()
        const server = yield* start(actions)
        const body = JSON.stringify({ recipient: "15550002222", text: "hi" })
        for (const type of [
          "application/json-seq",
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/jsonx",
          "application/ld+json",
          "text/json",
          "text/plain",
          "application/json, text/plain",
          "application/json; charset=utf-16",
        ]) {
          const refused = yield* call(`${server.url}/v1/messages/text`, {
            method: "POST",
            headers: { "content-type": type },
            body,
          })
          assert.strictEqual(refused.status, 415, type)
          assert.strictEqual(errorCode(refused.body), "unsupported_content_type")
          assert.include((refused.body as BridgeErrorBody).error.message, "Content-Type: application/json")
        }
        assert.strictEqual(sent.length, 0)
        for (const type of [
          "application/json",
          "Application/JSON; charset=UTF-8",
          'application/json;charset="utf-8"',
        ]) {
          const accepted = yield* call(`${server.url}/v1/messages/text`, {
            method: "POST",
            headers: { "content-type": type },
            body,
          })
          assert.strictEqual(accepted.status, 200, type)
        }
        assert.strictEqual(sent.length, 3)
      }),
  )

  it.scoped("names the field in validation errors", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      const missing = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        body: JSON.stringify({ text: "hi" }),
      })
      assert.strictEqual(missing.status, 400)
      const body = missing.body as BridgeErrorBody
      assert.strictEqual(body.error.code, "bad_request")
      assert.strictEqual(body.error.field, "recipient")
      assert.match(body.error.message, /recipient/)

      const wrongType = yield* call(`${server.url}/v1/reactions`, {
        method: "POST",
        body: JSON.stringify({ chat_jid: "1@s.whatsapp.net", message_id: 5, emoji: "👍" }),
      })
      assert.strictEqual((wrongType.body as BridgeErrorBody).error.field, "message_id")

      const typo = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        body: JSON.stringify({ recipient: "15550002222", text: "hi", reply_to: "X" }),
      })
      assert.strictEqual((typo.body as BridgeErrorBody).error.field, "reply_to")

      const blank = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        body: JSON.stringify({ recipient: "15550002222", text: "   " }),
      })
      assert.strictEqual((blank.body as BridgeErrorBody).error.field, "text")

      const notJson = yield* call(`${server.url}/v1/messages/text`, { method: "POST", body: "{not json" })
      assert.strictEqual(notJson.status, 400)
      assert.match((notJson.body as BridgeErrorBody).error.message, /not valid JSON/)
      assert.strictEqual(sent.length, 0)
    }),
  )

  it.scoped("passes a valid send to the action and returns its result", () =>
    Effect.gen(function* () {
      const { sent, actions } = makeActions()
      const server = yield* start(actions)
      const response = yield* call(`${server.url}/v1/messages/text`, {
        method: "POST",
        body: JSON.stringify({ recipient: "+1 (555) 000-2222", text: "hello", idempotency_key: "k1" }),
      })
      assert.strictEqual(response.status, 200)
      assert.strictEqual((response.body as { message_id: string }).message_id, "3EB0SENT")
      assert.deepStrictEqual(sent, [{ recipient: "+1 (555) 000-2222", text: "hello", idempotency_key: "k1" }])
    }),
  )

  it.scoped("answers action failures with their code and unexpected failures without internals", () =>
    Effect.gen(function* () {
      const server = yield* start(makeActions().actions)
      const refused = yield* call(`${server.url}/v1/messages/file`, {
        method: "POST",
        body: JSON.stringify({ recipient: "15550002222", path: "/etc/passwd" }),
      })
      assert.strictEqual(refused.status, 403)
      assert.strictEqual(errorCode(refused.body), "file_not_allowed")
      const crashed = yield* call(`${server.url}/v1/messages/voice`, {
        method: "POST",
        body: JSON.stringify({ recipient: "15550002222", path: "/tmp/a.ogg" }),
      })
      assert.strictEqual(crashed.status, 500)
      assert.strictEqual(errorCode(crashed.body), "internal_error")
      assert.notInclude(crashed.text, "secret internal detail")
      assert.notInclude(crashed.text, "at ")
      const unknown = yield* call(`${server.url}/v1/nothing`)
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(errorCode(unknown.body), "not_found")
      const wrongMethod = yield* call(`${server.url}/v1/messages/text`)
      assert.strictEqual(wrongMethod.status, 405)
    }),
  )
})

describe("bridge token", () => {
  it.effect("is created once with mode 0600 in a 0700 store directory, then reused", () =>
    Effect.gen(function* () {
      const store = join(mkdtempSync(join(tmpdir(), "bridge-token-")), "store")
      const first = yield* loadOrCreateToken(store)
      const second = yield* loadOrCreateToken(store)
      assert.strictEqual(Redacted.value(first), Redacted.value(second))
      assert.match(Redacted.value(first), /^[A-Za-z0-9_-]{43}$/)
      assert.strictEqual(statSync(store).mode & 0o777, 0o700)
      const file = join(store, BridgeTokenFileName)
      assert.strictEqual(statSync(file).mode & 0o777, 0o600)
      assert.strictEqual(readFileSync(file, "utf8").trim(), Redacted.value(first))
    }).pipe(Effect.provide(Layer.mergeAll(NodeContext.layer))),
  )
})
