// Resumable Streamable HTTP streams as a client on a flaky network meets them: the SDK's own client
// reaches the server through a TCP relay on 127.0.0.1 that the test cuts (every live connection
// destroyed, new ones refused) and restores; the client reconnects by itself with Last-Event-ID.
import { writeFileSync } from "node:fs"
import { createServer as createHttpServer, type Server as HttpServer } from "node:http"
import { connect as connectTcp, createServer, type Server, type Socket } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { demoStore } from "@whatsapp-mcp/testkit"
import { Effect, Either, Redacted } from "effect"
import * as HttpServe from "../src/host/HttpServe.js"
import { Application, Config } from "../src/host/index.js"
import { builtins, builtinToolNames, info } from "../src/index.js"
import { deliver, Heard } from "./support/Notifications.js"

const token = "t0k3n-for-the-resumption-tests-0123456789"
const lucia = "whatsapp://chat/12025550103%40s.whatsapp.net"
const luciaJid = "12025550103@s.whatsapp.net"
/** Generous for a loaded machine: nothing here measures time, it only must not wait forever. */
const patience = { timeout: 20_000, interval: 50 }

/** A TCP relay to the server that can be cut like a phone's network. */
class Relay {
  readonly pairs = new Set<Socket>()
  /** The start of every request that went through: its line and headers. */
  readonly requests: Array<string> = []
  private down = false
  private readonly server: Server

  constructor(target: number) {
    this.server = createServer((client) => {
      if (this.down) return void client.destroy()
      const upstream = connectTcp(target, "127.0.0.1")
      this.pairs.add(client).add(upstream)
      const forget = () => {
        this.pairs.delete(client)
        this.pairs.delete(upstream)
        client.destroy()
        upstream.destroy()
      }
      client.on("data", (chunk: Buffer) => {
        const text = chunk.toString("latin1")
        if (/^(GET|POST|DELETE) /.test(text)) this.requests.push(text.split("\r\n\r\n")[0] ?? "")
      })
      client.pipe(upstream).pipe(client)
      client.on("error", forget).on("close", forget)
      upstream.on("error", forget).on("close", forget)
    })
  }

  listen = () =>
    new Promise<URL>((done) =>
      this.server.listen(0, "127.0.0.1", () => {
        const address = this.server.address()
        done(
          new URL(
            `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/mcp`,
          ),
        )
      }),
    )

  /** Every connection dies at once and new ones are refused, as when the network goes. */
  cut() {
    this.down = true
    for (const socket of this.pairs) socket.destroy()
    this.pairs.clear()
  }

  restore() {
    this.down = false
  }

  close = () =>
    new Promise<void>((done) => {
      this.cut()
      this.server.close(() => done())
    })
}

/** A bridge that holds every read-marking request until the test lets it answer. */
class SlowBridge {
  private held: Array<() => void> = []
  private arrivedNow: (() => void) | undefined
  arrived = new Promise<void>((done) => (this.arrivedNow = done))
  readonly server: HttpServer = createHttpServer((req, res) => {
    req.resume()
    if (req.url !== "/v1/read") {
      res.writeHead(503, { "content-type": "application/json" })
      return void res.end(JSON.stringify({ error: { code: "NotConnected", message: "test bridge" } }))
    }
    this.held.push(() => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ chat_jid: luciaJid, marked: 2 }))
    })
    this.arrivedNow?.()
  })

  release() {
    for (const answer of this.held) answer()
    this.held = []
  }
}

let app: Application.Application
let serving: HttpServe.HttpServing
let relay: Relay
let relayUrl: URL
let store: string
const bridge = new SlowBridge()
const logs: Array<string> = []

beforeAll(async () => {
  store = demoStore()
  writeFileSync(join(store, "bridge-token"), "bridge-token-of-the-resumption-tests-0123456789\n", {
    mode: 0o600,
  })
  await new Promise<void>((done) => bridge.server.listen(0, "127.0.0.1", () => done()))
  const bridgePort = (bridge.server.address() as { port: number }).port
  const config = Either.getOrThrow(Config.load({ storeFlag: store, env: {}, cwd: store }))
  app = await Effect.runPromise(
    Application.make({
      config: { ...config, bridgeUrl: `http://127.0.0.1:${bridgePort}`, timezone: "UTC" },
      builtins,
      builtinToolNames,
      info,
      log: (line) => logs.push(line),
    }),
  )
  serving = await HttpServe.serve({
    app,
    host: "127.0.0.1",
    port: 0,
    token: Redacted.make(token),
    // The relay listens on its own port, as a reverse proxy would: the Host the client sends is the relay's.
    allowRemote: true,
    log: (line) => logs.push(line),
  })
  relay = new Relay(Number(serving.url.port))
  relayUrl = await relay.listen()
})

afterAll(async () => {
  await relay?.close()
  await serving?.close()
  await app?.close()
  await new Promise<void>((done) => bridge.server.close(() => done()))
})

const connect = async () => {
  const client = new Client({ name: "flaky-phone", version: "1.0.0" })
  // Resolves once an event id of the standalone stream reached the client: from then on it can resume it.
  let streamHasId: () => void = () => {}
  const standaloneHasId = new Promise<void>((done) => (streamHasId = done))
  const watching: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    if (init?.method !== "GET" || response.body === null) return response
    const decoder = new TextDecoder()
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          controller.enqueue(chunk)
          if (/^id: /m.test(decoder.decode(chunk, { stream: true }))) streamHasId()
        },
      }),
    )
    return new Response(body, { status: response.status, headers: response.headers })
  }
  const transport = new StreamableHTTPClientTransport(relayUrl, {
    fetch: watching,
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    // Quick, and patient enough to outlast the cut on a loaded machine.
    reconnectionOptions: {
      initialReconnectionDelay: 20,
      maxReconnectionDelay: 200,
      reconnectionDelayGrowFactor: 1.5,
      maxRetries: 10_000,
    },
  })
  await client.connect(transport)
  return { client, transport, heard: new Heard(client), standaloneHasId }
}

const resumed = () => relay.requests.filter((head) => /^GET /.test(head) && /\r\nlast-event-id: /i.test(head))

describe("resumable streams over HTTP", () => {
  it("gives a subscribed client that lost its stream the change notification sent while it was cut off", async () => {
    const { client, transport, heard, standaloneHasId } = await connect()
    try {
      await client.subscribeResource({ uri: lucia })
      // Nothing was ever sent on the stream but the id it opens with: that is enough to resume it.
      await standaloneHasId
      const before = heard.events.length
      const resumedBefore = resumed().length

      relay.cut()
      const kept = serving.keptEvents()
      await deliver(store, [{ chat: luciaJid, text: "Call me when you can" }])
      // The notification was sent, and kept, while no connection reached the server.
      await vi.waitFor(() => expect(serving.keptEvents()).toBe(kept + 1), patience)
      relay.restore()

      await heard.until(`updated ${lucia}`, before)
      expect(heard.events.slice(before)).toEqual([`updated ${lucia}`])
      expect(resumed().length).toBeGreaterThan(resumedBefore)
      // The resumed stream goes on live.
      await deliver(store, [{ chat: luciaJid, text: "Still there?" }])
      await vi.waitFor(() => expect(heard.events.slice(before)).toHaveLength(2), patience)
    } finally {
      await transport.terminateSession().catch(() => undefined)
      await client.close()
    }
  })

  it("gives a tool call whose stream was cut before its answer the answer, once the client is back", async () => {
    const { client, transport } = await connect()
    try {
      let resumptionToken: string | undefined
      const call = client.request(
        { method: "tools/call", params: { name: "mark_messages_read", arguments: { chat_jid: luciaJid } } },
        CallToolResultSchema,
        {
          timeout: 60_000,
          onresumptiontoken: (id) => {
            resumptionToken = id
          },
        },
      )
      // The call reached the bridge, and the client holds the id of its stream's first event.
      await bridge.arrived
      await vi.waitFor(() => expect(resumptionToken).toBeDefined(), patience)
      const resumedBefore = resumed().length
      const lastSeen = resumptionToken as string

      relay.cut()
      const kept = serving.keptEvents()
      bridge.release()
      // The answer is stored for the client while it cannot be delivered.
      await vi.waitFor(() => expect(serving.keptEvents()).toBe(kept + 1), patience)
      relay.restore()

      const result = await call
      expect(result.isError).toBeFalsy()
      expect(result.structuredContent).toMatchObject({ chat_jid: luciaJid, marked: 2 })
      const again = resumed().slice(resumedBefore)
      // It came back on the call's own stream, from the last event the client had seen of it.
      expect(again.some((head) => head.includes(`\r\nlast-event-id: ${lastSeen}`))).toBe(true)
      // The session goes on: a new request is answered as usual.
      expect((await client.listTools()).tools.length).toBe(builtinToolNames.length)
    } finally {
      await transport.terminateSession().catch(() => undefined)
      await client.close()
    }
  })
})

const jsonHeaders = {
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
}

/** The event ids of an SSE response's text, in order. */
const eventIds = (text: string) => [...text.matchAll(/^id: (.+)$/gm)].map((match) => match[1] as string)

/** A session started by hand at the latest protocol revision, whose streams carry event ids. */
const rawSession = async (url: URL) => {
  const response = await fetch(url, {
    method: "POST",
    headers: jsonHeaders,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "fetch", version: "1" },
      },
    }),
  })
  expect(response.status).toBe(200)
  const ids = eventIds(await response.text())
  const headers = {
    ...jsonHeaders,
    "mcp-session-id": response.headers.get("mcp-session-id") as string,
    "mcp-protocol-version": "2025-11-25",
  }
  const initialized = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  })
  expect(initialized.status).toBe(202)
  return { headers, initializeEvents: ids }
}

const listTools = async (url: URL, headers: Record<string, string>) => {
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  })
  const text = await response.text()
  return { status: response.status, text, ids: eventIds(text) }
}

const resume = (url: URL, headers: Record<string, string>, lastEventId: string) =>
  fetch(url, {
    method: "GET",
    headers: { ...headers, accept: "text/event-stream", "last-event-id": lastEventId },
  })

type RpcError = { readonly error: { readonly code: number; readonly message: string }; readonly id: null }

/** The application served on its own port, with the limits a test asks for (a tiny event store pushes every older event out). */
const withServer = async (
  options: { readonly idleTimeoutMs?: number; readonly maxSessions?: number; readonly tinyStore?: boolean },
  run: (own: HttpServe.HttpServing) => Promise<void>,
) => {
  const own = await HttpServe.serve({
    app,
    host: "127.0.0.1",
    port: 0,
    token: Redacted.make(token),
    allowRemote: false,
    log: (line) => logs.push(line),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    // One byte: every stored message pushes out all older ones.
    ...(options.tinyStore === true ? { resumableEvents: { maxBytesPerSession: 1 } } : {}),
  })
  try {
    await run(own)
  } finally {
    await own.close()
  }
}

describe("a Last-Event-ID the server cannot resume from", () => {
  it("answers a malformed one, one of another session and a made-up one with 400, and keeps serving", async () => {
    await withServer({}, async (own) => {
      const mine = await rawSession(own.url)
      const theirs = await rawSession(own.url)
      const foreign = theirs.initializeEvents[0] as string
      const [tag] = (mine.initializeEvents[0] as string).split(".")
      const cases = [
        { id: "not-an-event-id", says: /not an event id this server sends/ },
        { id: "x".repeat(4_000), says: /not an event id this server sends/ },
        { id: foreign, says: /names no event of this session's streams/ },
        { id: `${tag}.1.999`, says: /names no event of this session's streams/ },
        { id: `${tag}.77.0`, says: /names no event of this session's streams/ },
      ]
      for (const { id, says } of cases) {
        const response = await resume(own.url, mine.headers, id)
        expect(response.status).toBe(400)
        expect(response.headers.get("content-type")).toMatch(/application\/json/)
        const body = (await response.json()) as RpcError
        expect(body.error.code).toBe(-32000)
        expect(body.error.message).toMatch(says)
        expect(body.error.message).toMatch(/Open the stream again without it/)
        expect(body.id).toBeNull()
      }
      // Both sessions go on.
      expect((await listTools(own.url, mine.headers)).status).toBe(200)
      expect((await listTools(own.url, theirs.headers)).status).toBe(200)
      expect(own.sessions()).toBe(2)
    })
  })

  it("answers one whose stream is no longer kept with 410, and resumes one still kept", async () => {
    await withServer({ tinyStore: true }, async (own) => {
      const { headers, initializeEvents } = await rawSession(own.url)
      const first = await listTools(own.url, headers)
      expect(first.status).toBe(200)
      // The initialize stream's answer was pushed out by the later one: it cannot come again.
      const gone = await resume(own.url, headers, initializeEvents[0] as string)
      expect(gone.status).toBe(410)
      const body = (await gone.json()) as RpcError
      expect(body.error.message).toMatch(/no longer kept.*5 minutes.*last 200.*Send the request again/)

      // The later stream is kept: resuming from its first event gives its answer again, and ends.
      const again = await resume(own.url, headers, first.ids[0] as string)
      expect(again.status).toBe(200)
      expect(again.headers.get("content-type")).toMatch(/text\/event-stream/)
      const text = await again.text()
      const replayed = JSON.parse(/^data: (.+)$/m.exec(text)?.[1] ?? "{}") as {
        id?: number
        result?: { tools?: unknown }
      }
      expect(replayed.id).toBe(2)
      expect(replayed.result?.tools).toBeInstanceOf(Array)
      expect(eventIds(text)).toEqual([first.ids[1]])
      expect((await listTools(own.url, headers)).status).toBe(200)
    })
  })
})

describe("a session's kept events", () => {
  it("go with the session: ended by its client, idle too long, or pushed out by the cap", async () => {
    await withServer({ maxSessions: 1 }, async (own) => {
      const ended = await rawSession(own.url)
      expect(own.keptEvents()).toBeGreaterThan(0)
      const deleted = await fetch(own.url, { method: "DELETE", headers: ended.headers })
      expect(deleted.status).toBe(200)
      expect(own.keptEvents()).toBe(0)

      const pushedOut = await rawSession(own.url)
      const kept = own.keptEvents()
      expect(kept).toBeGreaterThan(0)
      await rawSession(own.url)
      // The newer session holds as many as the first did; the first one's are gone with it.
      expect(own.sessions()).toBe(1)
      expect(own.keptEvents()).toBe(kept)
      expect((await resume(own.url, pushedOut.headers, pushedOut.initializeEvents[0] as string)).status).toBe(
        404,
      )
    })
    await withServer({ idleTimeoutMs: 50 }, async (own) => {
      await rawSession(own.url)
      await vi.waitFor(() => expect(own.sessions()).toBe(0), patience)
      expect(own.keptEvents()).toBe(0)
    })
  })
})
