import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { BridgeError } from "@whatsapp-mcp/core/api"
import { makeEventBuffer, proto, type WAMessage } from "@whiskeysockets/baileys"
import { Effect, Layer, Stream, TestClock } from "effect"
import * as OnDemandHistory from "../src/history/OnDemandHistory.js"
import * as ReplayMediaCdn from "../src/replay/ReplayMediaCdn.js"
import * as IdempotencyLedger from "../src/send/IdempotencyLedger.js"
import { BridgeActions } from "../src/server/BridgeActions.js"
import * as SocketActions from "../src/server/SocketActions.js"
import { silentBaileysLogger } from "../src/socket/BaileysLogger.js"
import type { BridgeSocket } from "../src/socket/BridgeSocket.js"
import { initialStatus, WhatsAppConnection } from "../src/socket/WhatsAppConnection.js"
import { makeMemoryStore } from "./support/MemoryStore.js"

const friend = "15550002222@s.whatsapp.net"

const makeSetup = (sendMessage: BridgeSocket["sendMessage"], connected = true) => {
  const recycled: Array<string> = []
  const socket: BridgeSocket = {
    ev: makeEventBuffer(silentBaileysLogger),
    user: () => ({ id: "15550000000:1@s.whatsapp.net" }),
    onActivity: () => {},
    end: () => {},
    logout: async () => {},
    requestPairingCode: async () => "",
    sendMessage,
    onWhatsApp: async (...ids) =>
      ids.map((id) => ({ jid: `${id.replace(/\D/g, "")}@s.whatsapp.net`, exists: true })),
    readMessages: async () => {},
    updateMediaMessage: async (m) => m,
    fetchMessageHistory: async () => "PDO",
  }
  const connection = Layer.succeed(WhatsAppConnection, {
    status: Effect.succeed({
      ...initialStatus,
      connection: connected ? ("open" as const) : ("reconnecting" as const),
      waWebVersion: { version: [2, 3000, 1099999999] as const, source: "stored" as const },
    }),
    changes: Stream.empty,
    current: connected
      ? Effect.succeed(socket)
      : Effect.fail(new BridgeError({ code: "whatsapp_not_connected", message: "WhatsApp is reconnecting" })),
    recycle: (reason) => Effect.sync(() => void recycled.push(reason)),
    stopped: Effect.never,
  })
  const layer = SocketActions.layer({
    mode: "replay",
    storeDir: mkdtempSync(join(tmpdir(), "bridge-actions-")),
  }).pipe(
    Layer.provide(
      Layer.mergeAll(
        connection,
        makeMemoryStore().layer,
        IdempotencyLedger.layer(mkdtempSync(join(tmpdir(), "bridge-actions-"))),
        ReplayMediaCdn.layer([]),
        OnDemandHistory.layer,
      ),
    ),
  )
  return { recycled, layer }
}

const sent = (id: string): WAMessage =>
  proto.WebMessageInfo.fromObject({
    key: { remoteJid: friend, fromMe: true, id },
    messageTimestamp: 1_717_000_000,
    status: proto.WebMessageInfo.Status.SERVER_ACK,
  }) as WAMessage

describe("socket actions", () => {
  it.scoped("turns a send on a dead socket into not-connected and recycles the socket", () => {
    const setup = makeSetup(() =>
      Promise.reject(Object.assign(new Error("Connection Closed"), { output: { statusCode: 428 } })),
    )
    return Effect.gen(function* () {
      const actions = yield* BridgeActions
      const error = yield* Effect.flip(actions.sendText({ recipient: friend, text: "hi" }))
      assert.strictEqual(error.code, "whatsapp_not_connected")
      assert.strictEqual(setup.recycled.length, 1)
    }).pipe(Effect.provide(setup.layer))
  })

  it.scoped("reports other send failures as send_failed without recycling", () => {
    const setup = makeSetup(() => Promise.reject(new Error("rate-overlimit")))
    return Effect.gen(function* () {
      const actions = yield* BridgeActions
      const error = yield* Effect.flip(actions.sendText({ recipient: friend, text: "hi" }))
      assert.strictEqual(error.code, "send_failed")
      assert.include(error.message, "rate-overlimit")
      assert.deepStrictEqual(setup.recycled, [])
    }).pipe(Effect.provide(setup.layer))
  })

  it.scoped("says WhatsApp is not connected instead of pretending to send", () => {
    let calls = 0
    const setup = makeSetup(async () => {
      calls++
      return sent("X")
    }, false)
    return Effect.gen(function* () {
      const actions = yield* BridgeActions
      const error = yield* Effect.flip(actions.sendText({ recipient: friend, text: "hi" }))
      assert.strictEqual(error.code, "whatsapp_not_connected")
      assert.strictEqual(calls, 0)
      const health = yield* actions.health({})
      assert.strictEqual(health.connection, "reconnecting")
      // The version the socket announces, as health and checkup show it.
      assert.deepStrictEqual(health.wa_web_version, { version: "2.3000.1099999999", source: "stored" })
      assert.isNull(health.link_warning)
    }).pipe(Effect.provide(setup.layer))
  })

  it.scoped("limits sends per minute and lets them through again a minute later", () => {
    let calls = 0
    const setup = makeSetup(async () => sent(`ID${++calls}`))
    return Effect.gen(function* () {
      const actions = yield* BridgeActions
      for (let i = 0; i < 30; i++) yield* actions.sendText({ recipient: friend, text: `n${i}` })
      const limited = yield* Effect.flip(actions.sendText({ recipient: friend, text: "one more" }))
      assert.strictEqual(limited.code, "rate_limited")
      assert.strictEqual(calls, 30)
      yield* TestClock.adjust("61 seconds")
      const later = yield* actions.sendText({ recipient: friend, text: "later" })
      assert.strictEqual(later.status, "sent")
      assert.strictEqual(calls, 31)
    }).pipe(Effect.provide(setup.layer))
  })
})
