// Messages that arrive while the bridge is down reach it on reconnect: as offline notifications
// (upserts as soon as the new socket opens) and again inside a history chunk. Each is stored once,
// through the real connection supervisor and the real ingestion into a real store.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { proto, type WAMessage } from "@whiskeysockets/baileys"
import { Effect, Layer, TestClock } from "effect"
import * as StoreBinding from "../src/StoreBinding.js"
import { type BridgeSocket, SocketFactory } from "../src/socket/BridgeSocket.js"
import { layer as connectionLayer, WhatsAppConnection } from "../src/socket/WhatsAppConnection.js"
import { MessageStore } from "../src/store/MessageStore.js"
import { fakeSocket, linkedSession, noticeConsole } from "./support/ConnectionHarness.js"

const ana = "15550002222@s.whatsapp.net"
const message = (id: string, at: number, text: string): WAMessage =>
  proto.WebMessageInfo.fromObject({
    key: { remoteJid: ana, fromMe: false, id },
    messageTimestamp: at,
    pushName: "Ana",
    message: { conversation: text },
  }) as WAMessage

const settle = Effect.repeatN(Effect.yieldNow(), 100)

describe("messages that arrive while the bridge is disconnected", () => {
  it.scoped("are stored once after the reconnect, however many times WhatsApp delivers them", () => {
    const directory = join(mkdtempSync(join(tmpdir(), "offline-delivery-")), "store")
    const made: Array<BridgeSocket> = []
    const layer = connectionLayer({ backoff: { baseMillis: 1_000, maxMillis: 8_000 } }).pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          Layer.succeed(SocketFactory, {
            make: () =>
              Effect.sync(() => {
                const socket = fakeSocket()
                made.push(socket)
                return socket
              }),
          }),
          linkedSession(),
          noticeConsole(),
          StoreBinding.layer(directory),
        ),
      ),
    )
    return Effect.gen(function* () {
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(directory, { recursive: true, force: true })))
      const connection = yield* WhatsAppConnection
      const { db } = yield* MessageStore
      yield* settle
      const first = made[0]!
      first.ev.emit("connection.update", { connection: "open" })
      first.ev.emit("messages.upsert", {
        messages: [message("LIVE-A", 1_780_000_000, "before")],
        type: "notify",
      })
      yield* settle
      // The network drops; Ana writes three messages while the bridge waits to reconnect.
      first.ev.emit("connection.update", {
        connection: "close",
        lastDisconnect: {
          error: Object.assign(new Error("Connection Lost"), { output: { statusCode: 428 } }),
          date: new Date(),
        },
      })
      yield* settle
      assert.strictEqual((yield* connection.status).connection, "reconnecting")
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual(made.length, 2)
      const second = made[1]!
      second.ev.emit("connection.update", { connection: "open" })
      const offline = [
        message("DOWN-B", 1_780_000_100, "while you were away 1"),
        message("DOWN-C", 1_780_000_200, "while you were away 2"),
      ]
      // Offline notifications, one of them delivered twice, and the live message repeated.
      second.ev.emit("messages.upsert", { messages: offline, type: "notify" })
      second.ev.emit("messages.upsert", {
        messages: [
          message("DOWN-C", 1_780_000_200, "while you were away 2"),
          message("LIVE-A", 1_780_000_000, "before"),
        ],
        type: "append",
      })
      // Then a history chunk that carries them again, and one more.
      second.ev.emit("messaging-history.set", {
        chats: [],
        contacts: [],
        messages: [...offline, message("DOWN-D", 1_780_000_300, "while you were away 3")],
        syncType: proto.HistorySync.HistorySyncType.RECENT,
        progress: 100,
        isLatest: false,
      })
      yield* settle
      assert.strictEqual((yield* connection.status).connection, "open")
      const rows = db
        .prepare(
          "SELECT id, text, count(*) AS copies FROM messages WHERE chat_jid = ? GROUP BY id ORDER BY timestamp",
        )
        .all(ana) as Array<{ id: string; text: string; copies: number }>
      assert.deepStrictEqual(rows, [
        { id: "LIVE-A", text: "before", copies: 1 },
        { id: "DOWN-B", text: "while you were away 1", copies: 1 },
        { id: "DOWN-C", text: "while you were away 2", copies: 1 },
        { id: "DOWN-D", text: "while you were away 3", copies: 1 },
      ])
      const total = db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }
      assert.strictEqual(total.n, 4)
      const chat = db.prepare("SELECT last_message_time FROM chats WHERE jid = ?").get(ana) as {
        last_message_time: number
      }
      assert.strictEqual(chat.last_message_time, 1_780_000_300)
    }).pipe(Effect.provide(layer))
  })
})
