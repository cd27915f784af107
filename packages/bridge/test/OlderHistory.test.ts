import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { BridgeError, type BridgeErrorBody, type FetchHistoryResult } from "@whatsapp-mcp/core/api"
import { BufferJSON, proto, type WAMessage } from "@whiskeysockets/baileys"
import Database from "better-sqlite3"
import { Duration, Effect, Layer, Stream } from "effect"
import * as OnDemandHistory from "../src/history/OnDemandHistory.js"
import * as ReplayMediaCdn from "../src/replay/ReplayMediaCdn.js"
import * as IdempotencyLedger from "../src/send/IdempotencyLedger.js"
import { BridgeActions } from "../src/server/BridgeActions.js"
import * as SocketActions from "../src/server/SocketActions.js"
import type { BridgeSocket } from "../src/socket/BridgeSocket.js"
import { EventSink } from "../src/socket/EventSink.js"
import { initialStatus, WhatsAppConnection } from "../src/socket/WhatsAppConnection.js"
import { fakeSocket } from "./support/ConnectionHarness.js"
import { makeMemoryStore } from "./support/MemoryStore.js"
import { startReplayBridge, waitForOpen } from "./support/ReplayBridgeHttp.js"

const bob = "15550003333@s.whatsapp.net"
const carol = "15550004444@s.whatsapp.net"
const day = 86_400
const now = 1_767_000_000

const text = (chat: string, id: string, at: number, body: string, fromMe = false) =>
  proto.WebMessageInfo.fromObject({
    key: { remoteJid: chat, fromMe, id },
    messageTimestamp: at,
    message: { conversation: body },
  }) as WAMessage

/** Bob's chat holds two recent messages; the recording's on-demand chunk holds three older ones. */
const recording = (): string => {
  const line = (event: string, data: unknown) => JSON.stringify({ event, data }, BufferJSON.replacer)
  const lines = [
    line("contacts.upsert", [{ id: bob, name: "Bob" }]),
    line("messages.upsert", {
      type: "notify",
      messages: [
        text(bob, "3A0RECENT1", now - 2 * day, "see you friday"),
        text(bob, "3A0RECENT2", now - day, "ok!", true),
      ],
    }),
    // Carol is known but nothing of her chat is stored.
    line("contacts.upsert", [{ id: carol, name: "Carol" }]),
    line("messaging-history.set", {
      chats: [{ id: bob }],
      contacts: [],
      messages: [
        text(bob, "3A0OLD3", now - 300 * day, "happy new year"),
        text(bob, "3A0OLD2", now - 330 * day, "the lake trip was great", true),
        text(bob, "3A0OLD1", now - 360 * day, "shall we go to the lake?"),
      ],
      syncType: "ON_DEMAND",
      progress: 100,
      chunkOrder: 0,
    }),
  ]
  const file = join(mkdtempSync(join(tmpdir(), "older-history-")), "older.jsonl")
  writeFileSync(file, `${lines.join("\n")}\n`)
  return file
}

const startReplay = Effect.gen(function* () {
  const storeDir = join(mkdtempSync(join(tmpdir(), "older-history-store-")), "store")
  const { call } = yield* startReplayBridge({ storeDir, files: [recording()], port: 0 })
  yield* waitForOpen(call)
  const stored = (chat: string) => {
    const db = new Database(join(storeDir, "messages.db"), { readonly: true })
    try {
      return (
        db.prepare("SELECT id FROM messages WHERE chat_jid = ? ORDER BY timestamp").all(chat) as Array<{
          id: string
        }>
      ).map((row) => row.id)
    } finally {
      db.close()
    }
  }
  return { call, stored }
})

const code = (body: unknown) => (body as BridgeErrorBody).error

describe("older history on demand, replay bridge over HTTP", () => {
  it.live("holds the recording's on-demand chunk back until the phone is asked, then stores it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { call, stored } = yield* startReplay
        assert.deepStrictEqual(stored(bob), ["3A0RECENT1", "3A0RECENT2"])

        const first = yield* call<FetchHistoryResult>("/v1/history/older", { chat_jid: bob, count: 2 })
        assert.strictEqual(first.status, 200)
        assert.deepStrictEqual(first.body, {
          chat_jid: bob,
          before_message_id: "3A0RECENT1",
          before: now - 2 * day,
          requested: 2,
          answered: true,
          arrived: 2,
          oldest: now - 330 * day,
        })
        // The newest two of the older messages, through the same ingestion as every chunk.
        assert.deepStrictEqual(stored(bob), ["3A0OLD2", "3A0OLD3", "3A0RECENT1", "3A0RECENT2"])

        // The next request reaches back from the new oldest message.
        const second = yield* call<FetchHistoryResult>("/v1/history/older", { chat_jid: bob })
        assert.strictEqual(second.body.before_message_id, "3A0OLD2")
        assert.strictEqual(second.body.requested, 50)
        assert.isTrue(second.body.answered)
        assert.strictEqual(second.body.arrived, 1)
        assert.strictEqual(second.body.oldest, now - 360 * day)

        // At the start of the chat the phone answers with nothing older.
        const third = yield* call<FetchHistoryResult>("/v1/history/older", { chat_jid: bob })
        assert.strictEqual(third.body.before_message_id, "3A0OLD1")
        assert.isTrue(third.body.answered)
        assert.strictEqual(third.body.arrived, 0)
        assert.isNull(third.body.oldest)
      }),
    ),
  )

  it.live("refuses a chat with nothing stored, and counts or waits out of range, naming the field", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { call } = yield* startReplay
        const empty = yield* call("/v1/history/older", { chat_jid: carol })
        assert.strictEqual(empty.status, 404)
        assert.strictEqual(code(empty.body).code, "no_messages_stored")
        assert.include(code(empty.body).message, carol)
        for (const [body, field] of [
          [{ chat_jid: bob, count: 0 }, "count"],
          [{ chat_jid: bob, count: 51 }, "count"],
          [{ chat_jid: bob, count: 2.5 }, "count"],
          [{ chat_jid: bob, wait_seconds: 61 }, "wait_seconds"],
          [{ chat_jid: " " }, "chat_jid"],
          [{ chat_jid: bob, before: 1 }, "before"],
        ] as const) {
          const refused = yield* call("/v1/history/older", body)
          assert.strictEqual(refused.status, 400, JSON.stringify(body))
          assert.strictEqual(code(refused.body).code, "bad_request")
          assert.strictEqual(code(refused.body).field, field)
        }
      }),
    ),
  )
})

/** Actions over a socket whose phone never answers (or that is not connected), on a store in memory. */
const silentPhone = (connected: boolean) => {
  const requests: Array<{ count: number; id: string | null | undefined; at: number }> = []
  const socket: BridgeSocket = {
    ...fakeSocket(),
    user: () => ({ id: "15550000000:1@s.whatsapp.net" }),
    fetchMessageHistory: async (count, key, at) => {
      requests.push({ count, id: key.id, at: Number(at) })
      return "PDO1"
    },
  }
  const store = makeMemoryStore()
  const connection = Layer.succeed(WhatsAppConnection, {
    status: Effect.succeed({
      ...initialStatus,
      connection: connected ? ("open" as const) : ("reconnecting" as const),
    }),
    changes: Stream.empty,
    current: connected
      ? Effect.succeed(socket)
      : Effect.fail(new BridgeError({ code: "whatsapp_not_connected", message: "WhatsApp is reconnecting" })),
    recycle: () => Effect.void,
    stopped: Effect.never,
  })
  const history = OnDemandHistory.layer
  const layer = Layer.mergeAll(
    SocketActions.layer({
      mode: "replay",
      storeDir: mkdtempSync(join(tmpdir(), "older-history-actions-")),
      historyPendingFor: Duration.minutes(2),
    }),
    OnDemandHistory.sinkLayer,
  ).pipe(
    Layer.provide(
      Layer.mergeAll(
        connection,
        store.layer,
        IdempotencyLedger.layer(mkdtempSync(join(tmpdir(), "older-history-ledger-"))),
        ReplayMediaCdn.layer([]),
      ),
    ),
    Layer.provide(history),
  )
  return { requests, layer }
}

const seed = Effect.flatMap(EventSink, (sink) =>
  sink.ingest([
    {
      event: "messages.upsert",
      data: { type: "notify", messages: [text(bob, "3A0RECENT1", now - day, "hi")] },
    },
  ]),
)

describe("older history on demand, bridge actions", () => {
  it.live(
    "says the request was made when the phone does not answer in time, and refuses a second one until it does",
    () => {
      const phone = silentPhone(true)
      return Effect.gen(function* () {
        yield* seed
        const actions = yield* BridgeActions
        const first = yield* actions.fetchHistory({ chat_jid: bob, count: 10, wait_seconds: 0 })
        assert.isFalse(first.answered)
        assert.strictEqual(first.arrived, 0)
        // The phone is asked with the oldest stored message's key and its time in milliseconds.
        assert.deepStrictEqual(phone.requests, [{ count: 10, id: "3A0RECENT1", at: (now - day) * 1000 }])

        const again = yield* Effect.flip(actions.fetchHistory({ chat_jid: bob, wait_seconds: 0 }))
        assert.strictEqual(again.code, "history_request_pending")
        assert.strictEqual(again.field, "chat_jid")
        assert.include(again.message, "list_messages")
        assert.strictEqual(phone.requests.length, 1)

        // The late answer ends the request: the chat may be asked again.
        yield* Effect.flatMap(EventSink, (sink) =>
          sink.ingest([
            {
              event: "messaging-history.set",
              data: {
                chats: [],
                contacts: [],
                messages: [text(bob, "3A0OLD1", now - 100 * day, "old")],
                syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
              },
            },
          ]),
        )
        let after = yield* Effect.either(actions.fetchHistory({ chat_jid: bob, wait_seconds: 0 }))
        for (let i = 0; i < 100 && after._tag === "Left"; i++) {
          yield* Effect.sleep(Duration.millis(10))
          after = yield* Effect.either(actions.fetchHistory({ chat_jid: bob, wait_seconds: 0 }))
        }
        assert.strictEqual(after._tag, "Right")
        assert.strictEqual(phone.requests.at(-1)?.id, "3A0OLD1")
      }).pipe(Effect.provide(phone.layer))
    },
  )

  it.live("says WhatsApp is not connected, and asks nothing, when the socket is not open", () => {
    const phone = silentPhone(false)
    return Effect.gen(function* () {
      yield* seed
      const actions = yield* BridgeActions
      const error = yield* Effect.flip(actions.fetchHistory({ chat_jid: bob }))
      assert.strictEqual(error.code, "whatsapp_not_connected")
      assert.deepStrictEqual(phone.requests, [])
    }).pipe(Effect.provide(phone.layer))
  })
})
