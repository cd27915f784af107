// Media downloads against what a stranger's message can name: foreign servers, lengths that lie,
// wrong hashes, and a media server that closes mid-body. The live CDN's real HTTPS path runs
// (certificate checks included) against a local TLS server that holds a certificate for WhatsApp's
// media host made for this run; nothing leaves the machine.
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { Agent } from "node:https"
import { createServer as createTcpServer, type Server as TcpServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  createServer as createTlsServer,
  type TLSSocket,
  type Server as TlsServer,
  connect as tlsConnect,
} from "node:tls"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { BridgeError, BridgeErrorBody, DownloadResult } from "@whatsapp-mcp/core/api"
import { encryptedStream, proto, type WAMessage } from "@whiskeysockets/baileys"
import { Cause, Context, Duration, Effect, Exit, Layer, Option, Stream } from "effect"
import { assemble } from "../src/BridgeDaemon.js"
import * as MediaCdn from "../src/media/MediaCdn.js"
import { downloadMedia, encryptedLimit, mediaUrlFor } from "../src/media/MediaDownloader.js"
import * as ReplayMediaCdn from "../src/replay/ReplayMediaCdn.js"
import * as ReplaySocket from "../src/replay/ReplaySocket.js"
import { BridgeHttpServer } from "../src/server/BridgeHttpServer.js"
import * as SessionStore from "../src/session/SessionStore.js"
import { EventSink } from "../src/socket/EventSink.js"
import { WhatsAppConnection } from "../src/socket/WhatsAppConnection.js"
import { makeMemoryStore } from "./support/MemoryStore.js"

const friend = "15550002222@s.whatsapp.net"
const ownJid = "15550000000:1@s.whatsapp.net"
const work = mkdtempSync(join(tmpdir(), "bridge-media-"))
const directPath = "/v/t62.7119-24/12345_67890_n.enc?ccb=11-4&oh=01_x&oe=6700"

/** What the hostile media server does with one request. */
type Behaviour = (socket: TLSSocket) => void

interface HostileCdn {
  behaviour: Behaviour
  connections: number
  readonly requests: Array<string>
  server?: TlsServer
  agent?: Agent
}
const cdn: HostileCdn = { behaviour: (socket) => socket.destroy(), connections: 0, requests: [] }

/** A listener standing for anything on the user's machine or network a message might point at. */
const listener = { connections: 0, server: undefined as TcpServer | undefined, port: 0 }

beforeAll(async () => {
  const key = join(work, "key.pem")
  const cert = join(work, "cert.pem")
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=mmg.whatsapp.net",
      "-addext",
      "subjectAltName=DNS:mmg.whatsapp.net,DNS:*.whatsapp.net",
      "-days",
      "2",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  )
  const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => {
    cdn.connections++
    socket.on("error", () => {})
    let head = ""
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1")
      if (!head.includes("\r\n\r\n")) return
      socket.off("data", onData)
      cdn.requests.push(head)
      cdn.behaviour(socket)
    }
    socket.on("data", onData)
  })
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  const ca = readFileSync(cert)
  // Every connection the bridge opens, whatever host it names, lands on the local server: the
  // certificate is still checked against the name the bridge asked for.
  const agent = new Agent({ keepAlive: false })
  agent.createConnection = (options) =>
    tlsConnect({ host: "127.0.0.1", port, servername: options.servername ?? options.host ?? "", ca })
  cdn.server = server
  cdn.agent = agent

  const tcp = createTcpServer((socket) => {
    listener.connections++
    socket.destroy()
  })
  await new Promise<void>((done) => tcp.listen(0, "127.0.0.1", done))
  const tcpAddress = tcp.address()
  listener.port = typeof tcpAddress === "object" && tcpAddress !== null ? tcpAddress.port : 0
  listener.server = tcp
})

afterAll(() => {
  cdn.agent?.destroy()
  cdn.server?.close()
  listener.server?.close()
  rmSync(work, { recursive: true, force: true })
})

const reset = (behaviour: Behaviour) => {
  cdn.behaviour = behaviour
  cdn.connections = 0
  cdn.requests.length = 0
  listener.connections = 0
}

/** A whole HTTP response with this body, then the end of the connection. */
const respond =
  (body: Buffer, headers: Record<string, string> = {}, status = "200 OK"): Behaviour =>
  (socket) => {
    const lines = Object.entries({ "Content-Length": String(body.length), ...headers })
      .filter(([, value]) => value !== "")
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("")
    socket.write(`HTTP/1.1 ${status}\r\n${lines}Connection: close\r\n\r\n`)
    socket.end(body)
  }

interface Encrypted {
  readonly plain: Buffer
  readonly enc: Buffer
  readonly mediaKey: Buffer
  readonly fileSha256: Buffer
  readonly fileEncSha256: Buffer
  readonly fileLength: number
}

/** Real WhatsApp media encryption, as a sender's phone does it. */
const encrypt = async (plain: Buffer): Promise<Encrypted> => {
  const out = await encryptedStream(plain, "document")
  const enc = readFileSync(out.encFilePath)
  rmSync(out.encFilePath, { force: true })
  return {
    plain,
    enc,
    mediaKey: out.mediaKey,
    fileSha256: out.fileSha256,
    fileEncSha256: out.fileEncSha256,
    fileLength: out.fileLength,
  }
}

let counter = 0
const documentMessage = (document: proto.Message.IDocumentMessage): WAMessage =>
  proto.WebMessageInfo.fromObject({
    key: { remoteJid: friend, fromMe: false, id: `3A0MEDIA${++counter}` },
    messageTimestamp: 1_717_000_000,
    message: { documentMessage: { mimetype: "application/pdf", fileName: "report.pdf", ...document } },
  }) as WAMessage

const honest = (media: Encrypted, extra: proto.Message.IDocumentMessage = {}) =>
  documentMessage({
    url: `https://mmg.whatsapp.net${directPath}&mms3=true`,
    directPath,
    mediaKey: media.mediaKey,
    fileSha256: media.fileSha256,
    fileEncSha256: media.fileEncSha256,
    fileLength: media.fileLength,
    ...extra,
  })

/** Runs the real download (live CDN, HTTPS) into a fresh store directory. */
const download = (message: WAMessage, maxBytes?: number) =>
  Effect.gen(function* () {
    const storeDir = mkdtempSync(join(work, "store-"))
    const exit = yield* downloadMedia(friend, message, {
      storeDir,
      ...(maxBytes === undefined ? {} : { maxBytes }),
      refresh: (stale) => Effect.succeed(stale),
    }).pipe(Effect.provide(MediaCdn.live({ agent: cdn.agent! })), Effect.exit)
    return { exit, storeDir }
  })

/** Every file under the store's media directory (partial ones included). */
const mediaFiles = (storeDir: string): ReadonlyArray<string> => {
  const root = join(storeDir, "media")
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** The message a refused download gave, after checking it was refused as unavailable media. */
const refusal = (exit: Exit.Exit<DownloadResult, BridgeError>): string => {
  if (Exit.isSuccess(exit)) return assert.fail("the download should have been refused")
  const error = Cause.failureOption(exit.cause)
  if (Option.isNone(error)) return assert.fail(Cause.pretty(exit.cause))
  assert.strictEqual(error.value.code, "media_unavailable")
  return error.value.message
}

describe("which URL a message's media is fetched from", () => {
  const live = MediaCdn.makeLive(new Agent())
  const url = (content: { url?: string | null; directPath?: string | null }) => {
    const chosen = mediaUrlFor(content, live)
    return "url" in chosen ? chosen.url.href : `refused: ${chosen.refused}`
  }

  it("builds it from directPath on WhatsApp's media host, as WhatsApp's clients do", () => {
    assert.strictEqual(url({ directPath }), `https://mmg.whatsapp.net${directPath}`)
    assert.strictEqual(
      url({ url: `https://mmg.whatsapp.net${directPath}&mms3=true`, directPath }),
      `https://mmg.whatsapp.net${directPath}`,
    )
    assert.strictEqual(
      url({ url: "https://media-fra5-1.cdn.whatsapp.net/x.enc", directPath }),
      `https://media-fra5-1.cdn.whatsapp.net${directPath}`,
    )
    assert.strictEqual(
      url({ url: "https://mmg.whatsapp.net/d/f/abc.enc" }),
      "https://mmg.whatsapp.net/d/f/abc.enc",
    )
    // A path that spells another host stays a path on WhatsApp's host.
    assert.strictEqual(new URL(url({ directPath: "/\\evil.example/x" })).host, "mmg.whatsapp.net")
  })

  it("refuses every URL or path that leads anywhere but WhatsApp's media hosts over HTTPS", () => {
    const hostile: ReadonlyArray<{ url?: string; directPath?: string }> = [
      { url: "http://127.0.0.1:18950/ssrf-url-only?leak=1" },
      { url: "https://127.0.0.1:18950/x", directPath },
      { url: "http://mmg.whatsapp.net/x.enc" },
      { url: "https://mmg.whatsapp.net:8443/x.enc" },
      { url: "https://user:pass@mmg.whatsapp.net/x.enc" },
      { url: "https://mmg.whatsapp.net.evil.example/x.enc" },
      { url: "https://evilwhatsapp.net/x.enc" },
      { url: "https://whatsapp.com/x.enc" },
      { url: "file:///etc/passwd" },
      { url: "not a url" },
      { url: "https://169.254.169.254/latest/meta-data" },
      { directPath: "//evil.example/x.enc" },
      { directPath: "@evil.example/x.enc" },
      { directPath: "evil.example/x.enc" },
      {},
      { url: "", directPath: "" },
    ]
    for (const content of hostile) {
      const answer = url(content)
      assert.match(answer, /^refused: /, JSON.stringify(content))
    }
  })

  it("sizes the encrypted body a file can have: padded to 16-byte blocks plus a 10-byte MAC", () => {
    assert.strictEqual(encryptedLimit(0), 26)
    assert.strictEqual(encryptedLimit(10), 26)
    assert.strictEqual(encryptedLimit(16), 42)
    assert.strictEqual(encryptedLimit(1_000_000), 1_000_016 + 10)
  })
})

describe("downloading from WhatsApp's media server", () => {
  it.effect("decrypts an honest file over HTTPS, sending WhatsApp's Origin, with nothing partial left", () =>
    Effect.gen(function* () {
      const media = yield* Effect.promise(() => encrypt(randomBytes(300_000)))
      reset(respond(media.enc))
      const { exit, storeDir } = yield* download(honest(media))
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isFailure(exit)) return
      assert.deepStrictEqual(readFileSync(exit.value.path), media.plain)
      assert.strictEqual(exit.value.size, media.plain.length)
      assert.deepStrictEqual(mediaFiles(storeDir), [exit.value.path])
      assert.strictEqual(cdn.requests.length, 1)
      assert.match(cdn.requests[0] ?? "", /^GET \/v\/t62\.7119-24\/12345_67890_n\.enc\?ccb=11-4/)
      assert.match(cdn.requests[0] ?? "", /\r\norigin: https:\/\/web\.whatsapp\.com\r\n/i)
    }),
  )

  it.effect("cuts off and refuses a body larger than the declared length, keeping no file", () =>
    Effect.gen(function* () {
      const media = yield* Effect.promise(() => encrypt(randomBytes(2_000_000)))
      // The message says 10 bytes and carries no hash; the server sends 2 MB, with and without a length.
      const lying = honest(media, { fileLength: 10, fileSha256: null, fileEncSha256: null })
      for (const contentLength of [String(media.enc.length), ""]) {
        reset(respond(media.enc, { "Content-Length": contentLength }))
        const { exit, storeDir } = yield* download(lying)
        assert.match(refusal(exit), /more than the 26 bytes this file can have/)
        assert.deepStrictEqual(mediaFiles(storeDir), [])
      }
    }),
  )

  it.effect("gives a message with no declared length the configured maximum, and refuses past it", () =>
    Effect.gen(function* () {
      const media = yield* Effect.promise(() => encrypt(randomBytes(3_000_000)))
      const undeclared = honest(media, { fileLength: null, fileSha256: null, fileEncSha256: null })
      reset(respond(media.enc, { "Content-Length": "" }))
      const { exit, storeDir } = yield* download(undeclared, 1024 * 1024)
      assert.match(refusal(exit), /more than the 1048602 bytes this file can have/)
      assert.deepStrictEqual(mediaFiles(storeDir), [])
    }),
  )

  it.effect("refuses a file declared larger than the maximum without connecting at all", () =>
    Effect.gen(function* () {
      const media = yield* Effect.promise(() => encrypt(randomBytes(1000)))
      reset(respond(media.enc))
      const { exit, storeDir } = yield* download(
        honest(media, { fileLength: 500 * 1024 * 1024 }),
        1024 * 1024,
      )
      assert.match(refusal(exit), /more than the bridge's limit of 1 MB \(raise it with --max-media-mb\)/)
      assert.strictEqual(cdn.connections, 0)
      assert.deepStrictEqual(mediaFiles(storeDir), [])
    }),
  )

  it.effect("refuses a file whose SHA-256, encrypted SHA-256 or MAC does not match, keeping no file", () =>
    Effect.gen(function* () {
      const media = yield* Effect.promise(() => encrypt(randomBytes(100_000)))
      const other = yield* Effect.promise(() => encrypt(randomBytes(100_000)))
      const tampered = Buffer.from(media.enc)
      tampered[5_000] = (tampered[5_000] ?? 0) ^ 0xff
      const cases: ReadonlyArray<readonly [WAMessage, Buffer, RegExp]> = [
        [honest(media, { fileSha256: other.fileSha256 }), media.enc, /does not match its SHA-256/],
        [
          honest(media, { fileEncSha256: other.fileEncSha256 }),
          media.enc,
          /does not match its encrypted SHA-256/,
        ],
        [honest(media, { fileSha256: null, fileEncSha256: null }), tampered, /fails its MAC check/],
        [honest(media), media.enc.subarray(0, 50_000), /truncated|MAC/],
      ]
      for (const [message, served, reason] of cases) {
        reset(respond(served))
        const { exit, storeDir } = yield* download(message)
        assert.match(refusal(exit), reason)
        assert.deepStrictEqual(mediaFiles(storeDir), [])
      }
    }),
  )

  it.effect("follows no redirect a media server answers with", () =>
    Effect.gen(function* () {
      const media = yield* Effect.promise(() => encrypt(randomBytes(1000)))
      reset(respond(Buffer.alloc(0), { Location: `http://127.0.0.1:${listener.port}/leak` }, "302 Found"))
      const { exit, storeDir } = yield* download(honest(media))
      assert.match(refusal(exit), /answered 302/)
      assert.strictEqual(listener.connections, 0)
      assert.deepStrictEqual(mediaFiles(storeDir), [])
    }),
  )

  it.effect(
    "survives a server that closes mid-body, again and again, leaving no partial file",
    () =>
      Effect.gen(function* () {
        const media = yield* Effect.promise(() => encrypt(randomBytes(1000)))
        const message = honest(media, { fileLength: 60 * 1024 * 1024, fileSha256: null, fileEncSha256: null })
        const fortyMegabytes = 40 * 1024 * 1024
        const noise = randomBytes(fortyMegabytes)
        const uncaught: Array<unknown> = []
        const record = (error: unknown) => void uncaught.push(error)
        process.on("uncaughtException", record)
        process.on("unhandledRejection", record)
        const endings: ReadonlyArray<Behaviour> = [
          // A declared 40 MB body, a few MB of it, then FIN.
          (socket) => {
            socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${fortyMegabytes}\r\nConnection: close\r\n\r\n`)
            socket.end(noise.subarray(0, 3 * 1024 * 1024))
          },
          // The same, cut by a reset instead.
          (socket) => {
            socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${fortyMegabytes}\r\nConnection: close\r\n\r\n`)
            socket.write(noise.subarray(0, 2 * 1024 * 1024), () => socket.destroy())
          },
          // 40 MB of random bytes with no length, ended by closing the connection.
          (socket) => {
            socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            socket.end(noise)
          },
          // Chunked, then gone in the middle of a chunk.
          (socket) => {
            socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            socket.write(`100000\r\n${noise.subarray(0, 1000).toString("latin1")}`, () => socket.end())
          },
        ]
        try {
          for (let round = 0; round < 12; round++) {
            reset(endings[round % endings.length]!)
            const { exit, storeDir } = yield* download(message)
            refusal(exit)
            assert.deepStrictEqual(mediaFiles(storeDir), [], `round ${round}`)
          }
          // Still downloads an honest file afterwards.
          const good = yield* Effect.promise(() => encrypt(randomBytes(10_000)))
          reset(respond(good.enc))
          const after = yield* download(honest(good))
          assert.isTrue(Exit.isSuccess(after.exit))
        } finally {
          process.off("uncaughtException", record)
          process.off("unhandledRejection", record)
        }
        assert.deepStrictEqual(uncaught, [])
      }),
    120_000,
  )
})

describe("download_media through the bridge's HTTP API", () => {
  const startBridge = Effect.gen(function* () {
    const storeDir = mkdtempSync(join(work, "bridge-"))
    const store = makeMemoryStore()
    const socket = ReplaySocket.layer({
      ownJid,
      uploadDir: join(storeDir, "replay-media"),
      exists: async (jid) => jid === friend,
    })
    const bridge = assemble({
      storeDir,
      port: 0,
      mode: "live",
      connection: { silenceTimeout: Duration.infinity },
      session: SessionStore.inMemory({ id: ownJid }),
    }).pipe(Layer.provide(Layer.mergeAll(store.layer, socket, MediaCdn.live({ agent: cdn.agent! }))))
    const context = yield* Layer.build(Layer.merge(bridge, store.layer))
    const http = Context.get(context, BridgeHttpServer)
    const sink = Context.get(context, EventSink)
    yield* Context.get(context, WhatsAppConnection).changes.pipe(
      Stream.filter((s) => s.connection === "open"),
      Stream.runHead,
    )
    const token = readFileSync(join(storeDir, "bridge-token"), "utf8").trim()
    const call = (path: string, body?: unknown) =>
      Effect.promise(async () => {
        const response = await fetch(`${http.url}${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        return { status: response.status, body: (await response.json()) as unknown }
      })
    const ingest = (message: WAMessage) =>
      sink.ingest([{ event: "messages.upsert", data: { messages: [message], type: "notify" } }])
    return { storeDir, call, ingest }
  })

  it.scoped("refuses a message that names another server: nothing connects to it, nothing is stored", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const mediaKey = randomBytes(32)
      const hostile = [
        documentMessage({ url: `http://127.0.0.1:${listener.port}/ssrf-url-only?leak=1`, mediaKey }),
        documentMessage({ url: `https://127.0.0.1:${listener.port}/ssrf`, directPath, mediaKey }),
        documentMessage({ url: `http://localhost:${listener.port}/ssrf`, mediaKey, fileLength: 10 }),
      ]
      reset(respond(Buffer.alloc(0)))
      for (const message of hostile) {
        yield* bridge.ingest(message)
        const answer = yield* bridge.call("/v1/media/download", {
          chat_jid: friend,
          message_id: message.key.id,
        })
        assert.strictEqual(answer.status, 410)
        const error = (answer.body as BridgeErrorBody).error
        assert.strictEqual(error.code, "media_unavailable")
        assert.match(error.message, /not WhatsApp's/)
      }
      assert.strictEqual(listener.connections, 0)
      assert.strictEqual(cdn.connections, 0)
      assert.deepStrictEqual(mediaFiles(bridge.storeDir), [])
    }),
  )

  it.scoped("keeps answering while a hostile media server cuts every download short", () =>
    Effect.gen(function* () {
      const bridge = yield* startBridge
      const media = yield* Effect.promise(() => encrypt(randomBytes(1000)))
      const message = honest(media, { fileLength: 60 * 1024 * 1024, fileSha256: null, fileEncSha256: null })
      yield* bridge.ingest(message)
      const noise = randomBytes(8 * 1024 * 1024)
      reset((socket) => {
        socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        socket.end(noise)
      })
      for (let round = 0; round < 5; round++) {
        const answer = yield* bridge.call("/v1/media/download", {
          chat_jid: friend,
          message_id: message.key.id,
        })
        assert.strictEqual(answer.status, 410)
      }
      const health = yield* bridge.call("/v1/health")
      assert.strictEqual(health.status, 200)
      assert.deepStrictEqual(mediaFiles(bridge.storeDir), [])
    }),
  )
})

describe("the replay CDN", () => {
  it("answers for the replay media host only, as the live one answers for WhatsApp's alone", () => {
    const replay = ReplayMediaCdn.make([work])
    assert.isTrue(replay.allows(new URL(`https://mmg.whatsapp.net${directPath}`)))
    for (const other of [
      `http://127.0.0.1:${listener.port}/x`,
      "https://media-fra5-1.cdn.whatsapp.net/x",
      "http://mmg.whatsapp.net/x",
    ]) {
      assert.isFalse(replay.allows(new URL(other)), other)
    }
  })
})
