// The replay bridge as a real process on 127.0.0.1, fed hostile HTTP: every endpoint without the
// token, from a web page, under a rebound host name, and with a corpus of bad bodies (wrong types,
// huge and control-character strings, invalid UTF-8, path traversal, 10 MB). Each is refused with
// a clear error, nothing crashes, the bridge keeps answering, and its log never shows the token or
// what the messages said. Strangers' messages that name media elsewhere, lie about its length or
// carry wrong hashes are replayed into it too: nothing is fetched from where they point, nothing
// past the limits is kept.
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { request } from "node:http"
import { connect, createServer as createTcpServer, type Server as TcpServer } from "node:net"
import { networkInterfaces, tmpdir } from "node:os"
import * as path from "node:path"
import { crc32 } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { BridgeErrorBody, DownloadResult } from "@whatsapp-mcp/core/api"
import { BridgeEndpoints } from "@whatsapp-mcp/core/http-api"
import { MaxPreviewBytes, MaxPreviewEdge } from "@whatsapp-mcp/core/limits"
import { encryptedStream, proto } from "@whiskeysockets/baileys"
import sharp from "sharp"
import { safeFileName } from "../src/media/MediaDownloader.js"

const bridge = path.resolve(import.meta.dirname, "../src/bin/bridge.ts")
const demo = path.resolve(import.meta.dirname, "../../../fixtures/demo/demo.jsonl")
const work = mkdtempSync(path.join(tmpdir(), "wa-http-abuse-"))
const store = path.join(work, "store")
const outbox = path.join(work, "outbox")
mkdirSync(outbox)
const secretText = "the vault code is 4471-secret"
const demoMedia = path.resolve(import.meta.dirname, "../../../fixtures/media")
const abuseMedia = path.join(work, "abuse-media")
const hostileStream = path.join(work, "hostile-media.jsonl")
const stranger = "15550009999@s.whatsapp.net"
const abusePath = (name: string) => `/v/t62.7119-24/abuse/${name}?ccb=11-4&oh=01_x&oe=6700`

/** Whatever on the user's machine a message's media URL might point at: it must never be reached. */
const target = { connections: 0, port: 0, server: undefined as TcpServer | undefined }

/**
 * Messages a stranger could send, each naming its media in a way that must be refused, plus one
 * honest one; their media files sit where the replay CDN serves from.
 */
const writeHostileMedia = async () => {
  mkdirSync(abuseMedia, { recursive: true })
  const encrypt = async (name: string, bytes: number) => {
    const out = await encryptedStream(randomBytes(bytes), "document")
    renameSync(out.encFilePath, path.join(abuseMedia, name))
    return out
  }
  // A real 40 MiB file, the size the bridge once kept for a message that declared 10 bytes.
  const huge = await encrypt("huge.enc", 41_943_040)
  const good = await encrypt("good.enc", 50_000)
  const other = await encrypt("other.enc", 50_000)
  const document = (id: string, fields: Record<string, unknown>) =>
    proto.WebMessageInfo.fromObject({
      key: { remoteJid: stranger, fromMe: false, id },
      messageTimestamp: 1_717_000_000,
      message: { documentMessage: { mimetype: "application/pdf", fileName: `${id}.pdf`, ...fields } },
    }).toJSON()
  const onCdn = (name: string) => ({
    url: `https://mmg.whatsapp.net${abusePath(name)}&mms3=true`,
    directPath: abusePath(name),
  })
  const honest = { mediaKey: good.mediaKey, fileSha256: good.fileSha256, fileEncSha256: good.fileEncSha256 }
  const messages = [
    document("SSRFURLONLY", {
      url: `http://127.0.0.1:${target.port}/ssrf-url-only?leak=1`,
      mediaKey: good.mediaKey,
    }),
    document("SSRFHOST", {
      url: `https://127.0.0.1:${target.port}/ssrf`,
      directPath: abusePath("good.enc"),
      mediaKey: good.mediaKey,
    }),
    document("LIESLENGTH", { ...onCdn("huge.enc"), mediaKey: huge.mediaKey, fileLength: "10" }),
    document("NOLENGTH", { ...onCdn("huge.enc"), mediaKey: huge.mediaKey }),
    document("WRONGSHA", {
      ...onCdn("good.enc"),
      ...honest,
      fileSha256: other.fileSha256,
      fileLength: 50_000,
    }),
    document("WRONGENCSHA", {
      ...onCdn("good.enc"),
      ...honest,
      fileEncSha256: other.fileEncSha256,
      fileLength: 50_000,
    }),
    document("NOTITSKEY", { ...onCdn("good.enc"), mediaKey: other.mediaKey, fileLength: 50_000 }),
    document("HONEST", { ...onCdn("good.enc"), ...honest, fileLength: 50_000 }),
    ...(await hostileImages(onCdn)),
  ]
  writeFileSync(
    hostileStream,
    `${messages.map((m) => JSON.stringify({ event: "messages.upsert", data: { messages: [m], type: "notify" } })).join("\n")}\n`,
  )
}

/**
 * Photos whose bytes are not what a photo should be, each properly encrypted so that it downloads:
 * garbage, a truncated JPEG, a PNG declaring 400 megapixels, and a real photo far larger than any
 * client shows.
 */
const hostileImages = async (onCdn: (name: string) => Record<string, string>) => {
  const photo = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: "#88aa22" } })
    .jpeg()
    .toBuffer()
  const bomb = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#000000" } })
    .png()
    .toBuffer()
  bomb.writeUInt32BE(20_000, 16)
  bomb.writeUInt32BE(20_000, 20)
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29)
  const thumbnail = await sharp({ create: { width: 32, height: 21, channels: 3, background: "#884422" } })
    .jpeg()
    .toBuffer()
  const image = async (id: string, bytes: Buffer, extra: Record<string, unknown> = {}) => {
    const out = await encryptedStream(bytes, "image")
    renameSync(out.encFilePath, path.join(abuseMedia, `${id}.enc`))
    return proto.WebMessageInfo.fromObject({
      key: { remoteJid: stranger, fromMe: false, id },
      messageTimestamp: 1_717_000_000,
      message: {
        imageMessage: {
          mimetype: "image/jpeg",
          ...onCdn(`${id}.enc`),
          mediaKey: out.mediaKey,
          fileSha256: out.fileSha256,
          fileEncSha256: out.fileEncSha256,
          fileLength: bytes.length,
          ...extra,
        },
      },
    }).toJSON()
  }
  return [
    await image("GARBAGEIMG", randomBytes(5000), { jpegThumbnail: thumbnail }),
    await image("TRUNCATEDIMG", photo.subarray(0, Math.floor(photo.length / 3))),
    await image("BOMBIMG", bomb),
    await image("BIGIMG", photo),
  ]
}

let child: ChildProcess
let stderr = ""
let url = ""
let port = 0
let token = ""
const counts = { requests: 0, refused: 0, crashes: 0 }

beforeAll(async () => {
  const tcp = createTcpServer((socket) => {
    target.connections++
    socket.destroy()
  })
  await new Promise<void>((done) => tcp.listen(0, "127.0.0.1", done))
  const address = tcp.address()
  target.port = typeof address === "object" && address !== null ? address.port : 0
  target.server = tcp
  await writeHostileMedia()
  child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      bridge,
      "--replay",
      demo,
      hostileStream,
      "--store",
      store,
      "--port",
      "0",
      "--media",
      demoMedia,
      "--media",
      abuseMedia,
      "--max-media-mb",
      "8",
      "--allowed-file-roots",
      outbox,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  )
  child.stdout?.on("data", (chunk) => {
    stderr += chunk
  })
  url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk) => {
      stderr += chunk
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]
      if (found !== undefined) resolve(found)
    })
    child.on("exit", (code) => reject(new Error(`bridge exited ${code}: ${stderr}`)))
  })
  port = Number(new URL(url).port)
  token = readFileSync(path.join(store, "bridge-token"), "utf8").trim()
}, 90_000)
afterAll(() => {
  child?.kill("SIGKILL")
  target.server?.close()
  rmSync(abuseMedia, { recursive: true, force: true })
  process.stderr.write(
    `bridge HTTP abuse: ${counts.requests} requests, ${counts.refused} refused, ${counts.crashes} crashes\n`,
  )
})

interface Answer {
  readonly status: number
  readonly body: string
}

/** A raw request, so that headers and bytes are exactly what an attacker would send. */
const send = (
  method: string,
  pathname: string,
  options: { readonly headers?: Record<string, string>; readonly body?: Buffer | string } = {},
) =>
  new Promise<Answer>((resolve, reject) => {
    counts.requests++
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: pathname,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => {
          const status = res.statusCode ?? 0
          if (status >= 400) counts.refused++
          resolve({ status, body: Buffer.concat(chunks).toString("utf8") })
        })
      },
    )
    // A connection that ends before the answer (a reset while the body is still going) is a failure:
    // every refusal must reach the caller as an answer it can read.
    req.on("error", reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })

const auth = () => ({ authorization: `Bearer ${token}` })
const json = (body: unknown) => JSON.stringify(body)
const errorOf = (answer: Answer) => (JSON.parse(answer.body) as BridgeErrorBody).error

const stillAnswers = async () => {
  const health = await send("GET", "/v1/health", { headers: auth() })
  if (health.status !== 200) counts.crashes++
  expect(health.status).toBe(200)
  expect(child.exitCode).toBeNull()
}

/** A person the replay account knows, so that a send goes through. */
const knownPerson = async (): Promise<string> => {
  const db = (await import("better-sqlite3")).default
  const reader = new db(path.join(store, "messages.db"), { readonly: true })
  try {
    const row = reader
      .prepare("SELECT jid FROM chats WHERE kind = 'direct' AND jid LIKE '%@s.whatsapp.net' LIMIT 1")
      .get() as { jid: string }
    return row.jid
  } finally {
    reader.close()
  }
}

/** Every file and folder below `dir`, with its permission bits. */
const modesBelow = (
  dir: string,
): Array<{ readonly path: string; readonly mode: number; readonly folder: boolean }> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    const here = { path: full, mode: statSync(full).mode & 0o777, folder: entry.isDirectory() }
    return entry.isDirectory() ? [here, ...modesBelow(full)] : [here]
  })

const endpoints = BridgeEndpoints.map((e) => ({ method: e.method, path: e.path }))

describe("bridge HTTP: who may call it", () => {
  it("listens on 127.0.0.1 only, never on every interface", async () => {
    // Every other address of this machine refuses the connection.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && !i.internal)
      .map((i) => i!.address)
    for (const address of others) {
      const reached = await new Promise<boolean>((done) => {
        const socket = connect({ host: address, port }, () => {
          socket.destroy()
          done(true)
        })
        socket.on("error", () => done(false))
      })
      expect(reached, `reachable on ${address}`).toBe(false)
    }
    if (!existsSync("/proc/net/tcp")) return
    // On Linux, the kernel's own table of listening sockets: the port is bound to 127.0.0.1 alone.
    const hex = port.toString(16).toUpperCase().padStart(4, "0")
    const listening = ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) => {
      try {
        return readFileSync(file, "utf8")
          .split("\n")
          .slice(1)
          .map((line) => line.trim().split(/\s+/))
          .filter((cols) => cols[1]?.endsWith(`:${hex}`) && cols[3] === "0A")
          .map((cols) => cols[1]!.split(":")[0])
      } catch {
        return []
      }
    })
    expect(listening).toEqual(["0100007F"])
  })

  it("keeps its token readable by the user alone, in a directory only the user can enter", () => {
    expect(statSync(path.join(store, "bridge-token")).mode & 0o777).toBe(0o600)
    expect(statSync(store).mode & 0o777).toBe(0o700)
    expect(token.length).toBeGreaterThanOrEqual(32)
  })

  it("refuses every endpoint without the token, with a wrong one, or with it in the wrong place", async () => {
    for (const { method, path: p } of endpoints) {
      const body = method === "POST" ? json({}) : undefined
      const attempts: ReadonlyArray<Record<string, string>> = [
        {},
        { authorization: "Bearer " },
        { authorization: `Bearer ${token.slice(0, -1)}` },
        { authorization: `Bearer ${token}x` },
        { authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` },
        { authorization: token },
        { cookie: `token=${token}` },
      ]
      for (const headers of attempts) {
        const answer = await send(method, p, {
          headers: { ...headers, "content-type": "application/json" },
          ...(body === undefined ? {} : { body }),
        })
        expect(answer.status, `${method} ${p} ${JSON.stringify(headers)}`).toBe(401)
        expect(errorOf(answer).code).toBe("bridge_unauthorized")
      }
      const inQuery = await send(method, `${p}?token=${token}`, body === undefined ? {} : { body })
      expect(inQuery.status).toBe(401)
    }
    await stillAnswers()
  })

  it("refuses every endpoint to web pages (Origin) and rebound host names (Host), even with the token", async () => {
    for (const { method, path: p } of endpoints) {
      const body = method === "POST" ? json({}) : undefined
      for (const headers of [
        { origin: "https://evil.example" },
        { origin: "null" },
        { origin: `http://127.0.0.1:${port}` },
        { host: `evil.example:${port}` },
        { host: `127.0.0.1.nip.io:${port}` },
        { host: "localhost" },
        { host: `[::1]:${port}` },
      ]) {
        const answer = await send(method, p, {
          headers: { ...auth(), "content-type": "application/json", ...headers },
          ...(body === undefined ? {} : { body }),
        })
        expect(answer.status, `${method} ${p} ${JSON.stringify(headers)}`).toBe(403)
        expect(errorOf(answer).code).toBe("request_refused")
      }
    }
    await stillAnswers()
  })

  it("answers unknown paths and methods with an error, not a crash", async () => {
    for (const [method, p] of [
      ["GET", "/"],
      ["GET", "/v1/../../etc/passwd"],
      ["DELETE", "/v1/messages/text"],
      ["GET", "/v1/messages/text"],
      ["POST", "/v1/health"],
      ["GET", `/v1/${"a".repeat(8000)}`],
      ["GET", "/v1/%00%ff"],
    ] as const) {
      const answer = await send(method, p, { headers: auth() })
      expect(answer.status, `${method} ${p.slice(0, 40)}`).toBeGreaterThanOrEqual(400)
      expect(answer.status).toBeLessThan(500)
    }
    await stillAnswers()
  })
})

const huge = "x".repeat(70_000)
const hostileStrings: ReadonlyArray<unknown> = [
  "",
  "   ",
  huge,
  "\u0000\u0007\u001b[31m",
  "\uD800",
  "'; DROP TABLE messages; --",
  "@s.whatsapp.net",
  "123@g.us@lid",
  "9".repeat(300),
  "../../../../etc/passwd",
  "/etc/shadow",
  null,
  42,
  -1,
  true,
  [],
  { $ne: null },
]

describe("bridge HTTP: bad bodies on every endpoint", () => {
  it("refuses each field replaced by a hostile value with a 4xx naming what was wrong", async () => {
    const valid: Record<string, Record<string, unknown>> = {
      "/v1/messages/text": { recipient: "15550002222", text: "hi" },
      "/v1/messages/file": { recipient: "15550002222", path: "/nonexistent/file.pdf" },
      "/v1/messages/voice": { recipient: "15550002222", path: "/nonexistent/voice.ogg" },
      "/v1/reactions": { chat_jid: "15550002222@s.whatsapp.net", message_id: "NOPE", emoji: "👍" },
      "/v1/read": { chat_jid: "15550002222@s.whatsapp.net", message_ids: ["NOPE"] },
      "/v1/media/download": { chat_jid: "15550002222@s.whatsapp.net", message_id: "NOPE" },
    }
    for (const [p, base] of Object.entries(valid)) {
      for (const field of Object.keys(base)) {
        for (const value of hostileStrings) {
          // An empty list of ids to mark read is a valid request that marks nothing.
          if (field === "message_ids" && Array.isArray(value) && value.length === 0) continue
          // Sends of hostile text to a stranger are refused before any send (not on WhatsApp / bad request).
          const answer = await send("POST", p, {
            headers: { ...auth(), "content-type": "application/json" },
            body: json({ ...base, [field]: value }),
          })
          expect(
            answer.status,
            `${p} ${field}=${JSON.stringify(value)?.slice(0, 30)}: ${answer.body}`,
          ).toBeGreaterThanOrEqual(400)
          expect(answer.status).toBeLessThan(500)
          const error = errorOf(answer)
          expect(error.message.length).toBeGreaterThan(0)
          expect(error.message).not.toMatch(/\n\s+at /)
        }
      }
    }
    await stillAnswers()
  }, 60_000)

  it("refuses bodies that are not JSON objects: invalid UTF-8, truncated, wrong type, wrong content type", async () => {
    const bodies: ReadonlyArray<readonly [string, Buffer | string]> = [
      ["application/json", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d])],
      [
        "application/json",
        Buffer.concat([
          Buffer.from('{"recipient":"1555","text":"'),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
      ],
      ["application/json", '{"recipient":'],
      ["application/json", "[]"],
      ["application/json", "null"],
      ["application/json", '"text"'],
      ["application/json", '{"__proto__":{"admin":true},"recipient":"1","text":"x"}'],
      ["application/json", "{".repeat(10_000)],
      ["text/plain", json({ recipient: "15550002222", text: "hi" })],
      ["application/x-www-form-urlencoded", "recipient=15550002222&text=hi"],
      ["application/json-seq", json({ recipient: "15550002222", text: "hi" })],
      ["application/json-patch+json", json({ recipient: "15550002222", text: "hi" })],
    ]
    for (const { path: p } of endpoints.filter((e) => e.method === "POST")) {
      for (const [type, body] of bodies) {
        const answer = await send("POST", p, { headers: { ...auth(), "content-type": type }, body })
        expect(answer.status, `${p} ${type} ${String(body).slice(0, 30)}`).toBeGreaterThanOrEqual(400)
        expect(answer.status).toBeLessThan(500)
        if (type !== "application/json") expect(answer.status, type).toBe(415)
      }
    }
    await stillAnswers()
  })

  it("answers a 10 MB body with 413 on every endpoint, chunked or with its length, and keeps answering", async () => {
    const tenMegabytes = json({ recipient: "15550002222", text: "y".repeat(10 * 1024 * 1024) })
    for (const { path: p } of endpoints.filter((e) => e.method === "POST")) {
      for (const length of [{}, { "content-length": String(Buffer.byteLength(tenMegabytes)) }]) {
        const answer = await send("POST", p, {
          headers: { ...auth(), "content-type": "application/json", ...length },
          body: tenMegabytes,
        })
        expect(answer.status, `${p} ${JSON.stringify(length)}`).toBe(413)
        expect(errorOf(answer).code).toBe("payload_too_large")
        expect(errorOf(answer).message).toContain("262144 bytes")
      }
    }
    await stillAnswers()
  }, 60_000)

  it("refuses to send a file through a path that climbs out, or a symlink to a secret", async () => {
    const secret = path.join(work, "secret.txt")
    writeFileSync(secret, "private")
    const link = path.join(work, "link.txt")
    symlinkSync(path.join(store, "bridge-token"), link)
    for (const p of [
      path.join(store, "bridge-token"),
      path.join(store, "messages.db"),
      path.join(store, "..", "store", "bridge-token"),
      link,
    ]) {
      const answer = await send("POST", "/v1/messages/file", {
        headers: { ...auth(), "content-type": "application/json" },
        body: json({ recipient: "15550002222", path: p }),
      })
      expect(answer.status, p).toBeGreaterThanOrEqual(400)
      expect(answer.body).not.toContain(token)
    }
  })
})

describe("bridge HTTP: which files it sends", () => {
  it("sends from the folders given with --allowed-file-roots and refuses anything else, called directly", async () => {
    const recipient = await knownPerson()
    const list = path.join(outbox, "list.txt")
    writeFileSync(list, "milk, eggs, bread")
    const elsewhere = path.join(work, "elsewhere.txt")
    writeFileSync(elsewhere, secretText)
    const sent = await send("POST", "/v1/messages/file", {
      headers: { ...auth(), "content-type": "application/json" },
      body: json({ recipient, path: list }),
    })
    expect(sent.status, sent.body).toBe(200)
    for (const p of [elsewhere, path.join(outbox, "..", "elsewhere.txt")]) {
      for (const endpoint of ["/v1/messages/file", "/v1/messages/voice"]) {
        const refused = await send("POST", endpoint, {
          headers: { ...auth(), "content-type": "application/json" },
          body: json({ recipient, path: p }),
        })
        expect(refused.status, p).toBe(403)
        expect(errorOf(refused).code).toBe("file_not_allowed")
        expect(errorOf(refused).message).toContain(outbox)
      }
    }
    await stillAnswers()
  })

  it("never sends its own log file, even from an allowed folder or under another name", async () => {
    const logs = path.join(work, "logs-outbox")
    mkdirSync(logs)
    const logFile = path.join(logs, "bridge.log")
    const second = path.join(work, "store-logged")
    const run = spawn(
      process.execPath,
      [
        ...["--import", "tsx", bridge, "--replay", demo, "--store", second, "--port", "0"],
        ...["--allowed-file-roots", logs, "--log-file", logFile],
      ],
      { stdio: ["ignore", "ignore", "ignore"] },
    )
    try {
      // With --log-file the bridge announces itself in the log.
      let address: string | undefined
      for (let i = 0; i < 600 && address === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100))
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : ""
        address = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1]
      }
      expect(address).toBeDefined()
      const secondToken = readFileSync(path.join(second, "bridge-token"), "utf8").trim()
      linkSync(logFile, path.join(logs, "notes.txt"))
      for (const p of [logFile, path.join(logs, "notes.txt")]) {
        const answer = await fetch(`${address}/v1/messages/file`, {
          method: "POST",
          headers: { authorization: `Bearer ${secondToken}`, "content-type": "application/json" },
          body: json({ recipient: await knownPerson(), path: p }),
        })
        const body = (await answer.json()) as BridgeErrorBody
        expect(answer.status, p).toBe(403)
        expect(body.error.message).toContain("log files cannot be sent")
      }
    } finally {
      run.kill("SIGTERM")
      await new Promise((done) => run.once("exit", done))
    }
  }, 90_000)

  it("refuses to start with an --allowed-file-roots that is not a folder, saying which", async () => {
    const missing = path.join(work, "no-such-folder")
    const run = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        bridge,
        "--replay",
        demo,
        "--store",
        path.join(work, "store-2"),
        "--allowed-file-roots",
        `${outbox},${missing}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    )
    let said = ""
    run.stderr?.on("data", (chunk) => {
      said += chunk
    })
    const code = await new Promise<number | null>((done) => run.on("exit", done))
    expect(code).toBe(2)
    expect(said).toContain(`--allowed-file-roots: ${missing} is not an existing directory`)
  }, 60_000)

  it("keeps every file of its store readable by the user alone, once it has sent and stored", () => {
    const entries = modesBelow(store)
    const names = entries.map((e) => path.relative(store, e.path))
    for (const name of ["messages.db", "messages.db-wal", "session.db", "bridge-token", "bridge.pid"]) {
      expect(names).toContain(name)
    }
    for (const entry of entries) expect(entry.mode, entry.path).toBe(entry.folder ? 0o700 : 0o600)
  })
})

describe("what the bridge logs", () => {
  it("never writes the token or a message's text to its log while it sends and refuses", async () => {
    const refused = await send("POST", "/v1/messages/text", {
      headers: { ...auth(), "content-type": "application/json" },
      body: json({ recipient: "not a number", text: secretText }),
    })
    expect(errorOf(refused).code).toBe("invalid_recipient")
    // A real send to a person the replay account knows, so the send path and the echo's ingestion log.
    const sent = await send("POST", "/v1/messages/text", {
      headers: { ...auth(), "content-type": "application/json" },
      body: json({ recipient: await knownPerson(), text: secretText }),
    })
    expect(sent.status, sent.body).toBe(200)
    await send("GET", "/v1/health", { headers: { authorization: `Bearer wrong-${token}` } })
    await stillAnswers()
    expect(stderr.length).toBeGreaterThan(0)
    expect(stderr).not.toContain(token)
    expect(stderr).not.toContain(secretText)
    expect(stderr).not.toContain("4471")
  })
})

describe("media a stranger's message names", () => {
  const download = (id: string) =>
    send("POST", "/v1/media/download", {
      headers: { ...auth(), "content-type": "application/json" },
      body: json({ chat_jid: stranger, message_id: id }),
    })
  const mediaFiles = () => {
    const root = path.join(store, "media")
    return existsSync(root)
      ? readdirSync(root, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => entry.name)
      : []
  }

  it("fetches nothing from a server the message names, keeps nothing a message lied about, and keeps answering", async () => {
    const refused: ReadonlyArray<readonly [string, RegExp]> = [
      ["SSRFURLONLY", /not WhatsApp's \(127\.0\.0\.1:\d+\)/],
      ["SSRFHOST", /not WhatsApp's/],
      ["LIESLENGTH", /more than the 26 bytes this file can have/],
      ["NOLENGTH", /more than the 8388634 bytes this file can have/],
      ["WRONGSHA", /does not match its SHA-256/],
      ["WRONGENCSHA", /does not match its encrypted SHA-256/],
      ["NOTITSKEY", /fails its MAC check/],
    ]
    for (const [id, reason] of refused) {
      const answer = await download(id)
      expect(target.connections, `${id} reached the server it named`).toBe(0)
      expect(answer.status, `${id}: ${answer.body}`).toBe(410)
      expect(errorOf(answer).code).toBe("media_unavailable")
      expect(errorOf(answer).message).toMatch(reason)
      expect(mediaFiles(), id).toEqual([])
    }
    const honest = await download("HONEST")
    expect(honest.status, honest.body).toBe(200)
    expect(mediaFiles()).toEqual(["HONEST-HONEST.pdf"])
    await stillAnswers()
  }, 60_000)
})

describe("photos that are not what a photo should be", () => {
  const download = (id: string) =>
    send("POST", "/v1/media/download", {
      headers: { ...auth(), "content-type": "application/json" },
      body: json({ chat_jid: stranger, message_id: id, preview: true }),
    })

  it("are still downloaded, with a note instead of a picture (or the message's thumbnail), and the bridge keeps answering", async () => {
    const cases: ReadonlyArray<readonly [string, RegExp, "message_thumbnail" | undefined]> = [
      ["GARBAGEIMG", /could not be shown: it is not an image format/, "message_thumbnail"],
      ["TRUNCATEDIMG", /could not be shown: the image is corrupt or truncated/, undefined],
      ["BOMBIMG", /could not be shown: it has more than 64 megapixels/, undefined],
    ]
    for (const [id, problem, source] of cases) {
      const answer = await download(id)
      expect(answer.status, `${id}: ${answer.body}`).toBe(200)
      const result = JSON.parse(answer.body) as DownloadResult
      expect(existsSync(result.path), id).toBe(true)
      expect(result.preview_problem, id).toMatch(problem)
      expect(result.preview?.source, id).toBe(source)
    }
    const big = JSON.parse((await download("BIGIMG")).body) as DownloadResult
    expect(big.preview).toMatchObject({
      source: "file",
      width: MaxPreviewEdge,
      height: 1045,
      original_width: 6000,
      original_height: 4000,
    })
    expect(Buffer.from(big.preview?.data ?? "", "base64").length).toBeLessThanOrEqual(MaxPreviewBytes)
    await stillAnswers()
  }, 60_000)
})

describe("media file names", () => {
  it("can never name a place outside the media directory", () => {
    const media = path.join(store, "media")
    for (const name of [
      "../../x",
      "..",
      ".",
      "",
      "/etc/passwd",
      "a/../../b",
      "..\\..\\win",
      "\u0000evil\nname\r.pdf",
      "\u202Efdp.exe",
      "．．／．．／x",
      "x".repeat(1000),
    ]) {
      const safe = safeFileName(name)
      expect(safe).toMatch(/^[A-Za-z0-9._-]+$/)
      expect(safe.startsWith(".")).toBe(false)
      expect(safe.length).toBeGreaterThan(0)
      expect(safe.length).toBeLessThanOrEqual(120)
      const target = path.resolve(media, safeFileName("15550002222@s.whatsapp.net"), safe)
      expect(target.startsWith(`${media}${path.sep}`)).toBe(true)
    }
  })
})
