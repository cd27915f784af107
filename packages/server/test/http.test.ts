// The server over Streamable HTTP as clients meet it: real requests to a listener on 127.0.0.1, the
// SDK's own client for the happy path, Node's fetch for everything a client should not send.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { demoStore } from "@whatsapp-mcp/testkit"
import { Effect, Either, Redacted } from "effect"
import * as HttpServe from "../src/host/HttpServe.js"
import { Application, Config } from "../src/host/index.js"
import { builtins, builtinToolNames, info } from "../src/index.js"
import { freePort } from "./support/FreePort.js"

let app: Application.Application
let serving: HttpServe.HttpServing
let url: URL
const token = "t0k3n-for-the-http-tests-0123456789abcdef"
const logs: Array<string> = []

/** The application served on a free loopback port with the test token, and any session limits. */
const serveOnLoopback = (limits: { readonly idleTimeoutMs?: number; readonly maxSessions?: number } = {}) =>
  HttpServe.serve({
    app,
    host: "127.0.0.1",
    port: 0,
    token: Redacted.make(token),
    allowRemote: false,
    log: (line) => logs.push(line),
    ...limits,
  })

beforeAll(async () => {
  const store = demoStore()
  const config = Either.getOrThrow(
    Config.load({
      storeFlag: store,
      env: {},
      cwd: mkdtempSync(join(tmpdir(), "wa-http-cwd-")),
    }),
  )
  // No bridge listens there: the read tools answer from the store alone.
  const bridgeUrl = `http://127.0.0.1:${await freePort()}`
  app = await Effect.runPromise(
    Application.make({
      config: { ...config, bridgeUrl, timezone: "UTC" },
      builtins,
      builtinToolNames,
      info,
      log: (line) => logs.push(line),
      // A confirmation's "still waiting" at a pace a test can wait for (10 s otherwise).
      confirmationProgressEvery: "250 millis",
    }),
  )
  serving = await serveOnLoopback()
  url = serving.url
})

afterAll(async () => {
  await serving?.close()
  await app?.close()
})

const connect = async (headers: Record<string, string> = { authorization: `Bearer ${token}` }) => {
  const client = new Client({ name: "http-test", version: "1.0.0" })
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }))
  return client
}

const jsonHeaders = {
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fetch", version: "1" } },
}

const post = (body: string, headers: Record<string, string> = jsonHeaders, signal?: AbortSignal) =>
  fetch(url, { method: "POST", headers, body, ...(signal === undefined ? {} : { signal }) })

/** fetch will not send a Host header of the caller's choosing; node:http does. */
const postWithHost = (host: string, body: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...jsonHeaders, host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on("error", reject)
    req.end(body)
  })

type RpcError = {
  readonly jsonrpc: string
  readonly error: { readonly code: number; readonly message: string }
}
const rpcError = async (response: Response) => (await response.json()) as RpcError

/** A session started by hand, as a client without the SDK starts one. */
const rawSession = async () => {
  const response = await post(JSON.stringify(initialize))
  expect(response.status).toBe(200)
  await response.text()
  const sessionId = response.headers.get("mcp-session-id")
  expect(sessionId).toBeTruthy()
  const headers = {
    ...jsonHeaders,
    "mcp-session-id": sessionId as string,
    "mcp-protocol-version": "2025-06-18",
  }
  const initialized = await post(
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    headers,
  )
  expect(initialized.status).toBe(202)
  return headers
}

describe("whatsapp-mcp over Streamable HTTP", () => {
  it("serves the 16 tools to the SDK's client and answers a read from the store", async () => {
    const client = await connect()
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort()
    expect(tools).toEqual([...builtinToolNames].sort())
    expect(tools).toHaveLength(16)
    const result = await client.callTool({ name: "list_messages", arguments: { query: "dimanche" } })
    expect(result.isError).toBeFalsy()
    expect(JSON.stringify(result.structuredContent)).toMatch(/Il va faire beau dimanche/)
    await client.close()
  })

  it("asks a client that can for a send's confirmation within the call, and sends nothing when declined", async () => {
    const client = new Client(
      { name: "http-test", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } } },
    )
    const asked: Array<string> = []
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push((request.params as { message: string }).message)
      return { action: "decline" }
    })
    const headers = { authorization: `Bearer ${token}` }
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }))
    const result = await client.callTool({
      name: "send_message",
      arguments: { recipient: "+1 202 555 0101", message: "On my way!" },
    })
    expect(result.isError).toBe(true)
    expect((result.content as Array<{ text: string }>)[0]?.text).toMatch(/^Not sent: the user declined/)
    expect(asked).toEqual([
      'Send this WhatsApp message?\nTo: "Zoé Lefèvre" (+12025550101)\nMessage:\nOn my way!',
    ])
    await client.close()
  })

  it("keeps a send's call alive with progress while the person takes longer to answer than the client waits", async () => {
    const client = new Client(
      { name: "http-test", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } } },
    )
    const clientTimeout = 1_500
    // The person reads the form for three times as long as the client waits without news.
    client.setRequestHandler(
      ElicitRequestSchema,
      () => new Promise((resolve) => setTimeout(() => resolve({ action: "accept" }), 3 * clientTimeout)),
    )
    const headers = { authorization: `Bearer ${token}` }
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }))
    const progress: Array<string | undefined> = []
    const result = await client.callTool(
      { name: "send_message", arguments: { recipient: "+1 202 555 0101", message: "On my way!" } },
      undefined,
      {
        timeout: clientTimeout,
        resetTimeoutOnProgress: true,
        onprogress: ({ message }) => progress.push(message),
      },
    )
    // Accepted, the send went on to the bridge, which has never run here.
    expect(result.isError).toBe(true)
    expect((result.content as Array<{ text: string }>)[0]?.text).toMatch(/^The WhatsApp bridge has not/)
    expect(progress.length).toBeGreaterThan(1)
    for (const message of progress)
      expect(message).toMatch(/^Waiting for the user to confirm at the client: /)
    await client.close()
  })

  it("gives each client its own session over the one store, and ends a session on DELETE", async () => {
    const first = await connect()
    const second = await connect()
    const a = first.transport as StreamableHTTPClientTransport
    const b = second.transport as StreamableHTTPClientTransport
    expect(a.sessionId).toBeTruthy()
    expect(b.sessionId).toBeTruthy()
    expect(a.sessionId).not.toBe(b.sessionId)
    const before = serving.sessions()
    const ended = a.sessionId as string
    await a.terminateSession()
    await first.close()
    expect(serving.sessions()).toBe(before - 1)
    const stale = await post(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }), {
      ...jsonHeaders,
      "mcp-session-id": ended,
    })
    expect(stale.status).toBe(404)
    expect((await second.listTools()).tools).toHaveLength(16)
    await second.close()
  })

  it("refuses a request without the token, or with a wrong one, with 401 and nothing about the server", async () => {
    for (const authorization of [undefined, "Bearer wrong-token", `Basic ${token}`, `Bearer ${token}x`]) {
      const headers: Record<string, string> = { ...jsonHeaders }
      delete headers.authorization
      if (authorization !== undefined) headers.authorization = authorization
      const response = await post(JSON.stringify(initialize), headers)
      expect(response.status, authorization).toBe(401)
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/)
      expect(response.headers.get("mcp-session-id")).toBeNull()
      const text = await response.text()
      expect(JSON.parse(text).error.message).toMatch(/Unauthorized/)
      for (const secret of ["list_messages", "send_message", "wa-demo-store", "/tmp", token]) {
        expect(text).not.toContain(secret)
      }
    }
    // The SDK's client sees the refusal as an error, not as a server.
    await expect(connect({ authorization: "Bearer nope" })).rejects.toThrow(/Unauthorized/)
  })

  it("refuses a foreign Origin and a foreign Host with 403 even with the token", async () => {
    const fromPage = await post(JSON.stringify(initialize), { ...jsonHeaders, origin: "http://evil.example" })
    expect(fromPage.status).toBe(403)
    expect((await rpcError(fromPage)).error.message).toMatch(/origin/i)
    // What a page on a name rebound to 127.0.0.1 sends: its own name as the Host.
    expect(await postWithHost(`evil.example:${url.port}`, JSON.stringify(initialize))).toBe(403)
    expect(await postWithHost(`127.0.0.1:${Number(url.port) + 1}`, JSON.stringify(initialize))).toBe(403)
    expect(await postWithHost(`localhost:${url.port}`, JSON.stringify(initialize))).toBe(200)
    // The page the server itself would serve is not foreign.
    const sameOrigin = await post(JSON.stringify(initialize), { ...jsonHeaders, origin: url.origin })
    expect(sameOrigin.status).toBe(200)
    await sameOrigin.text()
  })

  it("answers a body over the limit with 413", async () => {
    const headers = await rawSession()
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "list_messages", arguments: { query: "x".repeat(HttpServe.maxRequestBodyBytes) } },
    })
    const response = await post(huge, headers)
    expect(response.status).toBe(413)
    expect((await rpcError(response)).error.code).toBe(-32000)
  })

  it("answers malformed JSON with a JSON-RPC parse error, and a wrong content type with 415", async () => {
    const headers = await rawSession()
    const malformed = await post('{"jsonrpc":"2.0","id":4,"method":', headers)
    expect(malformed.status).toBe(400)
    expect((await rpcError(malformed)).error.code).toBe(-32700)
    const fresh = await post("not json at all")
    expect(fresh.status).toBe(400)
    expect((await rpcError(fresh)).error.code).toBe(-32700)
    const text = await post(JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list" }), {
      ...headers,
      "content-type": "text/plain",
    })
    expect(text.status).toBe(415)
    expect((await rpcError(text)).error.message).toMatch(/Content-Type must be application\/json/)
  })

  it("answers an unknown session id with 404 and a JSON-RPC error saying how to start again", async () => {
    const response = await post(JSON.stringify({ jsonrpc: "2.0", id: 6, method: "tools/list" }), {
      ...jsonHeaders,
      "mcp-session-id": "00000000-0000-0000-0000-000000000000",
    })
    expect(response.status).toBe(404)
    const body = await rpcError(response)
    expect(body.jsonrpc).toBe("2.0")
    expect(body.error.code).toBe(-32001)
    expect(body.error.message).toMatch(/initialize/)
  })

  it("keeps serving after a client disconnects in the middle of a stream", async () => {
    const headers = await rawSession()
    // A tools/call answered as an event stream, dropped as soon as the stream opens.
    const call = new AbortController()
    const streamed = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "list_messages", arguments: { query: "dimanche" } },
      }),
      headers,
      call.signal,
    )
    expect(streamed.status).toBe(200)
    call.abort()
    // The standalone stream for notifications, dropped the same way.
    const listening = new AbortController()
    const standalone = await fetch(url, {
      method: "GET",
      headers: { ...headers, accept: "text/event-stream" },
      signal: listening.signal,
    })
    expect(standalone.status).toBe(200)
    listening.abort()
    const client = await connect()
    expect((await client.listTools()).tools).toHaveLength(16)
    await client.close()
    expect(logs.join("\n")).not.toMatch(/HTTP request failed/)
  })

  it("serves MCP only at /mcp", async () => {
    const response = await fetch(new URL("/", url), { headers: jsonHeaders })
    expect(response.status).toBe(404)
    expect((await rpcError(response)).error.message).toMatch(/\/mcp/)
  })
})

describe("the HTTP token file", () => {
  it("is created with mode 0600 on first use and read back unchanged", () => {
    const file = join(mkdtempSync(join(tmpdir(), "wa-http-token-")), "store", HttpServe.tokenFileName)
    const made = HttpServe.loadOrCreateToken(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, "utf8").trim()).toBe(Redacted.value(made))
    expect(Redacted.value(HttpServe.loadOrCreateToken(file))).toBe(Redacted.value(made))
  })

  it("is restricted to its owner and replaced when it holds no token", () => {
    const file = join(mkdtempSync(join(tmpdir(), "wa-http-token-")), HttpServe.tokenFileName)
    writeFileSync(file, "short\n", { mode: 0o644 })
    const made = Redacted.value(HttpServe.loadOrCreateToken(file))
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })
})

describe("--allow-remote", () => {
  it("answers requests addressed to any name, still only with the token and never from a foreign page", async () => {
    const remote = await HttpServe.serve({
      app,
      host: "127.0.0.1",
      port: 0,
      token: Redacted.make(token),
      allowRemote: true,
      log: (line) => logs.push(line),
    })
    const send = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(remote.url, { method: "POST", headers }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on("error", reject)
        req.end(JSON.stringify(initialize))
      })
    try {
      // What a TLS proxy in front forwards: the public name as the Host.
      expect(await send({ ...jsonHeaders, host: "whatsapp.example.org" })).toBe(200)
      const { authorization: _, ...anonymous } = jsonHeaders
      expect(await send({ ...anonymous, host: "whatsapp.example.org" })).toBe(401)
      expect(
        await send({ ...jsonHeaders, host: "whatsapp.example.org", origin: "https://evil.example" }),
      ).toBe(403)
    } finally {
      await remote.close()
    }
  })
})

describe("sessions a client leaves open", () => {
  /** A server of its own, so that closing sessions here touches none of the other tests'. */
  const withServer = async (
    limits: { readonly idleTimeoutMs?: number; readonly maxSessions?: number },
    run: (own: HttpServe.HttpServing, open: () => Promise<Record<string, string>>) => Promise<void>,
  ) => {
    const own = await serveOnLoopback(limits)
    const open = async () => {
      const response = await fetch(own.url, {
        method: "POST",
        headers: jsonHeaders,
        body: JSON.stringify(initialize),
      })
      expect(response.status).toBe(200)
      await response.text()
      return {
        ...jsonHeaders,
        "mcp-session-id": response.headers.get("mcp-session-id") as string,
        "mcp-protocol-version": "2025-06-18",
      }
    }
    try {
      await run(own, open)
    } finally {
      await own.close()
    }
  }
  const listTools = (own: HttpServe.HttpServing, headers: Record<string, string>) =>
    fetch(own.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    }).then(async (response) => ({ status: response.status, text: await response.text() }))
  /** The standalone SSE stream a client keeps open to hear from the server: a session in use. */
  const listen = async (own: HttpServe.HttpServing, headers: Record<string, string>) => {
    const stop = new AbortController()
    const response = await fetch(own.url, {
      method: "GET",
      headers: { ...headers, accept: "text/event-stream" },
      signal: stop.signal,
    })
    expect(response.status).toBe(200)
    return () => stop.abort()
  }

  it("closes a session unused for the idle timeout; a request to it then hears to start a new one", async () => {
    await withServer({ idleTimeoutMs: 50 }, async (own, open) => {
      const headers = await open()
      await vi.waitFor(() => expect(own.sessions()).toBe(0), { timeout: 15_000 })
      const late = await listTools(own, headers)
      expect(late.status).toBe(404)
      expect(late.text).toMatch(/Session not found.*Start a new session/)
      const again = await open()
      expect((await listTools(own, again)).status).toBe(200)
    })
  })

  it("keeps a session whose client is still listening, while an unused one started later is closed", async () => {
    // Long enough for the first client to start listening after it opened its session, even on a
    // loaded machine; the second then idles out while the first listens.
    await withServer({ idleTimeoutMs: 2_000 }, async (own, open) => {
      const listening = await open()
      const stopListening = await listen(own, listening)
      try {
        await open()
        // The later session idled out; the earlier one, older but in use, must still be there.
        await vi.waitFor(() => expect(own.sessions()).toBe(1), { timeout: 15_000 })
        const still = await listTools(own, listening)
        expect(still.status).toBe(200)
        expect(still.text).toMatch(/list_chats/)
      } finally {
        stopListening()
      }
    })
  })

  it("holds at most the cap, closing the least recently used session for a new one", async () => {
    await withServer({ maxSessions: 2 }, async (own, open) => {
      const first = await open()
      const second = await open()
      // Using the first makes the second the least recently used.
      expect((await listTools(own, first)).status).toBe(200)
      const third = await open()
      expect(own.sessions()).toBe(2)
      expect((await listTools(own, second)).status).toBe(404)
      expect((await listTools(own, first)).status).toBe(200)
      expect((await listTools(own, third)).status).toBe(200)
      await open()
      expect(own.sessions()).toBe(2)
    })
  })

  it("refuses a new session with 503 when every session at the cap is in use", async () => {
    await withServer({ maxSessions: 1 }, async (own, open) => {
      const busy = await open()
      const stopListening = await listen(own, busy)
      try {
        const refused = await fetch(own.url, {
          method: "POST",
          headers: jsonHeaders,
          body: JSON.stringify(initialize),
        })
        expect(refused.status).toBe(503)
        expect((await rpcError(refused)).error.message).toMatch(/all 1 sessions are busy/)
        expect(own.sessions()).toBe(1)
        expect((await listTools(own, busy)).status).toBe(200)
      } finally {
        stopListening()
      }
    })
  })
})
