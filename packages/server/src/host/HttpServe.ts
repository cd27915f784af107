/**
 * Serves the application over MCP's Streamable HTTP transport (the official SDK's), for clients on
 * another device or that cannot start a local process. One MCP session per client, each with its own
 * SDK Server, all over the one runtime (store, bridge client, plugins). Every request must carry the
 * bearer token; Host and Origin are checked first, so that a web page in the user's browser cannot
 * reach a server on loopback through DNS rebinding.
 *
 * Clients often go away without ending their session, so a session with no request in flight for
 * the idle timeout is closed, and past the cap a new session closes the least recently used idle
 * one rather than being refused: a client whose session is gone gets a 404 and, as MCP requires,
 * starts a new one, whereas a refusal would lock the user out until the abandoned ones idle away.
 *
 * Streams are resumable: each session keeps what its streams sent lately (SessionEventStore), so a
 * client whose connection dropped reconnects with Last-Event-ID and gets what it missed.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type Server as NodeServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { getRequestListener } from "@hono/node-server"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import * as TokenFile from "@whatsapp-mcp/core/token"
import { Data, type Redacted } from "effect"
import type { Application } from "./Application.js"
import { isLoopbackHost } from "./Config.js"
import {
  defaultLimits,
  type Limits as EventLimits,
  SessionEventStore,
  standaloneStream,
} from "./internal/SessionEventStore.js"

/** What each session keeps of its streams for a client that reconnects: see SessionEventStore. */
export const resumableEvents: EventLimits = defaultLimits

/** The token file's name in the store directory, beside the bridge's `bridge-token`. */
export const tokenFileName = "mcp-http-token"

/** Where the transport serves MCP; anything else is 404. */
export const endpointPath = "/mcp"

/** Larger than any tool's arguments (a message to send is at most 65,536 characters). */
export const maxRequestBodyBytes = 1024 * 1024

export class HttpTokenError extends Data.TaggedError("HttpTokenError")<{
  readonly path: string
  readonly message: string
}> {}

const stepWords: Record<TokenFile.TokenFileStep, string> = {
  folder: "create the folder of",
  restrict: "read",
  read: "read",
  replace: "read",
  write: "write",
}

/**
 * Reads the token file, creating it (mode 0600, its folder 0700 when new) when missing or when it
 * does not hold a token, and tightening it when others can read it.
 */
export const loadOrCreateToken = (file: string): Redacted.Redacted<string> => {
  try {
    return TokenFile.loadOrCreate(file).token
  } catch (error) {
    if (!(error instanceof TokenFile.TokenFileError)) throw error
    const cause = error.cause
    throw new HttpTokenError({
      path: file,
      message: `Cannot ${stepWords[error.step]} the HTTP token file ${file}: ${cause instanceof Error ? cause.message : String(cause)}. Choose another with --http-token-file PATH.`,
    })
  }
}

export const defaultTokenFile = (storeDir: string): string => join(storeDir, tokenFileName)

/** A session unused this long is taken for one whose client went away without closing it. */
export const defaultIdleTimeoutMs = 30 * 60 * 1000

/** Open sessions at most; each holds an SDK server in memory. */
export const defaultMaxSessions = 64

export interface HttpOptions {
  readonly app: Application
  readonly host: string
  readonly port: number
  readonly token: Redacted.Redacted<string>
  /** Serve any Host header (the server is reached through a proxy or by an address). */
  readonly allowRemote: boolean
  readonly log: (line: string) => void
  /** Closes a session after this long without a request in flight; defaults to 30 minutes. */
  readonly idleTimeoutMs?: number
  /** Beyond this many sessions a new one closes the least recently used idle one; defaults to 64. */
  readonly maxSessions?: number
  /** How much of its streams each session keeps for resumption; defaults to {@link resumableEvents}. */
  readonly resumableEvents?: Partial<EventLimits>
}

export interface HttpServing {
  /** The endpoint's URL, with the port the system chose when asked for port 0. */
  readonly url: URL
  readonly sessions: () => number
  /** Events kept for resumption across every open session's streams. */
  readonly keptEvents: () => number
  /** Closes every session and the listener; the application stays open. */
  readonly close: () => Promise<void>
}

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport
  /** What its streams sent lately, for a client that reconnects with Last-Event-ID. */
  readonly events: SessionEventStore
  /** Requests whose responses are still open; an idle timer runs only while there are none. */
  inFlight: number
  idle: ReturnType<typeof setTimeout> | undefined
}

/** A JSON-RPC error with no id, as the SDK's transport answers requests it refuses. */
const refuse = (res: ServerResponse, status: number, code: number, message: string, headers = {}) => {
  if (res.headersSent) return
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }))
}

/**
 * Runs a Node request through the SDK's web-standard transport, as the SDK's own Node transport
 * does (with Hono's adapter), leaving this server a web Response it can still add to.
 */
const throughTransport = (
  req: IncomingMessage,
  res: ServerResponse,
  answer: (request: Request) => Promise<Response>,
): Promise<void> => getRequestListener(answer, { overrideGlobalObjects: false })(req, res)

/**
 * The SDK gives its POST streams a first event with an id and no data, so that a client can
 * resume one that drops before anything else is sent, but not the standalone GET stream, where
 * notifications may be minutes apart. This gives it one, under the same condition as the SDK's:
 * clients of earlier protocol revisions cannot read an event without data.
 */
const primesStandaloneStream = (request: Request) =>
  request.method === "GET" &&
  !request.headers.get("last-event-id") &&
  (request.headers.get("mcp-protocol-version") ?? "") >= "2025-11-25"

const withFirstEvent = (response: Response, eventId: string): Response => {
  if (response.status !== 200 || response.body === null) return response
  const first = new TextEncoder().encode(`id: ${eventId}\ndata: \n\n`)
  // pipeThrough passes a client's cancel on to the SDK's stream, which then forgets the connection.
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ start: (controller) => controller.enqueue(first) }),
  )
  return new Response(body, { status: response.status, headers: response.headers })
}

const hostName = (host: string) => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host)

export const serve = async (options: HttpOptions): Promise<HttpServing> => {
  const { app, log } = options
  const idleTimeoutMs = options.idleTimeoutMs ?? defaultIdleTimeoutMs
  const maxSessions = options.maxSessions ?? defaultMaxSessions
  const resumption: EventLimits = { ...resumableEvents, ...options.resumableEvents }
  // In order of last use, least recent first: a Map keeps insertion order and each use re-inserts.
  const sessions = new Map<string, Session>()
  let allowedHosts = new Set<string>()

  const closeSession = (id: string, why: string) => {
    const session = sessions.get(id)
    if (session === undefined) return
    sessions.delete(id)
    clearTimeout(session.idle)
    session.events.clear()
    log(`whatsapp-mcp: closed HTTP session ${id.slice(0, 8)}…: ${why}`)
    void session.transport.close().catch(() => undefined)
  }

  const armIdle = (id: string, session: Session) => {
    clearTimeout(session.idle)
    // unref: a pending idle check must not keep the process alive on its own.
    session.idle = setTimeout(
      () => closeSession(id, `unused for ${Math.round(idleTimeoutMs / 1000)} s`),
      idleTimeoutMs,
    ).unref()
  }

  /** Marks a session in use until the response ends (an SSE stream can stay open for hours). */
  const use = (id: string, session: Session, res: ServerResponse) => {
    sessions.delete(id)
    sessions.set(id, session)
    session.inFlight += 1
    clearTimeout(session.idle)
    res.once("close", () => {
      session.inFlight -= 1
      if (session.inFlight === 0 && sessions.get(id) === session) armIdle(id, session)
    })
  }

  /**
   * Answers a Last-Event-ID the session's store cannot resume from before the SDK sees it: the SDK
   * would call any id it cannot replay a server error. A stream resumed after the bounds dropped
   * some of its events goes on with the rest (the SDK's client has no way to hear of the gap), and
   * the log says so.
   */
  const checkResumption = (session: Session, id: string, lastEventId: string) => {
    const found = session.events.lookup(lastEventId)
    switch (found._tag) {
      case "Resumable":
        if (found.missed > 0) {
          log(
            `whatsapp-mcp: HTTP session ${id.slice(0, 8)}… resumed a stream after ${found.missed} of its events were no longer kept`,
          )
        }
        return undefined
      case "Malformed":
        return {
          status: 400,
          message:
            "Bad Request: the Last-Event-ID header is not an event id this server sends. Open the stream again without it.",
        }
      case "Unknown":
        return {
          status: 400,
          message:
            "Bad Request: the Last-Event-ID header names no event of this session's streams. Open the stream again without it.",
        }
      case "Gone":
        return {
          status: 410,
          message: `Gone: the stream of that Last-Event-ID is no longer kept (a stream's events are kept for ${Math.round(resumption.maxEventAgeMs / 60_000)} minutes, its last ${resumption.maxEventsPerStream} at most). Send the request again if its answer never came.`,
        }
    }
  }

  /**
   * A request's stream whose answer came while its client was away has been let go by the SDK:
   * replayed through the SDK it would stay open with nothing more to come, holding a connection
   * for the rest of the session. It is replayed here instead, and ends after the answer.
   */
  const replayOfAnswered = async (session: Session, sessionId: string, request: Request) => {
    const lastEventId = request.headers.get("last-event-id")
    if (request.method !== "GET" || !lastEventId) return undefined
    if (!request.headers.get("accept")?.includes("text/event-stream")) return undefined
    const found = session.events.lookup(lastEventId)
    if (found._tag !== "Resumable" || !found.answered) return undefined
    const events: Array<string> = []
    await session.events.replayEventsAfter(lastEventId, {
      send: async (id, message) => {
        events.push(`event: message\nid: ${id}\ndata: ${JSON.stringify(message)}\n\n`)
      },
    })
    return new Response(events.join(""), {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "mcp-session-id": sessionId,
      },
    })
  }

  const leastRecentlyUsedIdle = (except?: string) => {
    for (const [id, session] of sessions) if (id !== except && session.inFlight === 0) return id
    return undefined
  }

  const startSession = async () => {
    const server = app.newServer()
    const events = new SessionEventStore(resumption)
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: maxRequestBodyBytes,
      eventStore: events,
      onsessioninitialized: (id) => {
        const session: Session = { transport, events, inFlight: 0, idle: undefined }
        sessions.set(id, session)
        armIdle(id, session)
        while (sessions.size > maxSessions) {
          const oldest = leastRecentlyUsedIdle(id)
          if (oldest === undefined) break
          closeSession(
            oldest,
            `more than ${maxSessions} sessions are open and it was the least recently used`,
          )
        }
      },
      onsessionclosed: (id) => {
        const session = sessions.get(id)
        if (session !== undefined) clearTimeout(session.idle)
        sessions.delete(id)
      },
    })
    transport.onclose = () => {
      events.clear()
      const id = transport.sessionId
      if (id !== undefined && sessions.get(id)?.transport === transport) {
        clearTimeout(sessions.get(id)?.idle)
        sessions.delete(id)
      }
      void server.close().catch(() => undefined)
    }
    await server.connect(transport)
    return transport
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? "").toLowerCase()
    if (!options.allowRemote && !allowedHosts.has(host)) {
      return refuse(
        res,
        403,
        -32000,
        `Forbidden: this server answers only requests addressed to ${[...allowedHosts].join(" or ")}.`,
      )
    }
    const origin = req.headers.origin
    if (origin !== undefined && !sameOrigin(origin, host)) {
      return refuse(res, 403, -32000, "Forbidden: requests from a web page of another origin are refused.")
    }
    const authorization = req.headers.authorization ?? ""
    const presented = /^Bearer (.+)$/i.exec(authorization)?.[1]?.trim()
    if (presented === undefined || !TokenFile.matches(options.token, presented)) {
      return refuse(
        res,
        401,
        -32001,
        "Unauthorized: send `Authorization: Bearer <token>` with the token from the server's token file.",
        { "www-authenticate": 'Bearer realm="whatsapp-mcp"' },
      )
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    if (path !== endpointPath) {
      return refuse(res, 404, -32000, `Not found: MCP is served at ${endpointPath}.`)
    }
    const sessionId = req.headers["mcp-session-id"]
    if (typeof sessionId === "string") {
      const session = sessions.get(sessionId)
      if (session === undefined) {
        return refuse(
          res,
          404,
          -32001,
          "Session not found: it ended or the server restarted. Start a new session with an initialize request without an Mcp-Session-Id header.",
        )
      }
      const lastEventId = req.headers["last-event-id"]
      // The SDK, as the SSE standard, takes an empty Last-Event-ID for none.
      if (req.method === "GET" && lastEventId !== undefined && lastEventId !== "") {
        const refused = checkResumption(session, sessionId, String(lastEventId))
        if (refused !== undefined) return refuse(res, refused.status, -32000, refused.message)
      }
      use(sessionId, session, res)
      return throughTransport(req, res, async (request) => {
        const answered = await replayOfAnswered(session, sessionId, request)
        if (answered !== undefined) return answered
        // Taken before the stream opens, so that nothing sent on it can come before its id.
        const first = primesStandaloneStream(request) ? session.events.prime(standaloneStream) : undefined
        const response = await session.transport.handleRequest(request)
        return first === undefined ? response : withFirstEvent(response, first)
      })
    }
    if (req.method !== "POST") {
      return refuse(
        res,
        400,
        -32000,
        "Bad Request: send the Mcp-Session-Id header the initialize response gave, or POST an initialize request to start a session.",
      )
    }
    if (sessions.size >= maxSessions && leastRecentlyUsedIdle() === undefined) {
      return refuse(
        res,
        503,
        -32000,
        `Service Unavailable: all ${maxSessions} sessions are busy. Close one (DELETE with its Mcp-Session-Id) or retry later.`,
        { "retry-after": "60" },
      )
    }
    const transport = await startSession()
    await throughTransport(req, res, (request) => transport.handleRequest(request))
    // Anything but an initialize request (or one the transport refused) starts no session.
    if (transport.sessionId === undefined) await transport.close()
  }

  const listener: NodeServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(
        `whatsapp-mcp: HTTP request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      )
      refuse(res, 500, -32603, "Internal error; see the server's log.")
    })
  })
  // A client that goes away mid-request must not take the server with it.
  listener.on("clientError", (_error, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject)
    listener.listen(options.port, options.host, () => {
      listener.off("error", reject)
      resolve()
    })
  })
  const port = (listener.address() as AddressInfo).port
  const names = new Set([options.host.toLowerCase()])
  if (isLoopbackHost(options.host)) for (const name of ["localhost", "127.0.0.1", "[::1]"]) names.add(name)
  allowedHosts = new Set([...names].map((name) => `${hostName(name)}:${port}`))

  return {
    url: new URL(`http://${hostName(options.host)}:${port}${endpointPath}`),
    sessions: () => sessions.size,
    keptEvents: () => [...sessions.values()].reduce((sum, session) => sum + session.events.size, 0),
    close: async () => {
      const open = [...sessions.values()]
      sessions.clear()
      for (const session of open) {
        clearTimeout(session.idle)
        session.events.clear()
      }
      await Promise.all(open.map((session) => session.transport.close().catch(() => undefined)))
      listener.closeAllConnections()
      await new Promise<void>((resolve) => listener.close(() => resolve()))
    },
  }
}

/** A page served from the very host and port the request went to is not a foreign one. */
const sameOrigin = (origin: string, host: string): boolean => {
  try {
    return new URL(origin).host.toLowerCase() === host
  } catch {
    return false
  }
}
