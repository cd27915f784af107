// Ingestion is idempotent, all-or-nothing per batch, tolerant of bad input and serial.
import { assert, describe, it } from "@effect/vitest"
import { proto } from "@whiskeysockets/baileys"
import { Effect, Either } from "effect"
import type { BaileysEvent } from "../../src/recording/BaileysEvent.js"
import {
  alice,
  aliceLid,
  bob,
  bobLid,
  checkSearchIndex,
  dump,
  group,
  message,
  messageRow,
  one,
  openTestStore,
  testStore,
  text,
  upsert,
} from "./IngestTestKit.js"

/** A stream touching every kind of event, including late mappings and out-of-order updates. */
const richStream = (): ReadonlyArray<ReadonlyArray<BaileysEvent>> => [
  [
    {
      event: "messaging-history.set",
      data: {
        chats: [
          proto.Conversation.fromObject({
            id: group,
            name: "Hikers",
            unreadCount: 3,
            conversationTimestamp: 1_717_000_300,
          }),
          proto.Conversation.fromObject({
            id: bobLid,
            unreadCount: 1,
            archived: true,
            conversationTimestamp: 1_717_000_200,
          }),
        ],
        contacts: [{ id: alice, name: "Alice", lid: aliceLid }],
        messages: [
          text("A1", "Trail map attached", 1_717_000_100, { chat: group, from: aliceLid, pushName: "Ali" }),
          message({
            key: { remoteJid: group, fromMe: false, id: "A2", participant: bobLid },
            messageTimestamp: 1_717_000_150,
            message: {
              imageMessage: {
                caption: "Summit! ⛰️",
                mimetype: "image/jpeg",
                directPath: "/d/1",
                mediaKey: Buffer.alloc(32, 1),
              },
            },
            reactions: [
              {
                key: { remoteJid: group, fromMe: false, id: "RA", participant: alice },
                text: "🔥",
                senderTimestampMs: 1_717_000_160_000,
              },
            ],
          }),
          text("B1", "are you coming?", 1_717_000_200, { from: bobLid }),
          message({
            key: { remoteJid: bobLid, fromMe: false, id: "B0" },
            messageTimestamp: 1_717_000_190,
            messageStubType: 2,
          }),
        ],
        syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
        progress: 50,
        chunkOrder: 1,
      },
    },
    {
      event: "groups.upsert",
      data: [
        {
          id: group,
          subject: "Hikers",
          owner: alice,
          participants: [{ id: alice, admin: "admin" }, { id: bobLid }],
        },
      ],
    },
  ],
  [
    upsert("notify", text("B0", "decrypted later", 1_717_000_190, { from: bobLid })),
    { event: "lid-mapping.update", data: { lid: bobLid, pn: bob } },
    upsert("append", text("M1", "yes, 8am", 1_717_000_400, { chat: bob, fromMe: true })),
    {
      event: "messages.update",
      data: [
        {
          key: { remoteJid: bob, fromMe: true, id: "M1" },
          update: { status: 4, messageTimestamp: 1_717_000_900 },
        },
      ],
    },
    {
      event: "messages.update",
      data: [
        {
          key: { remoteJid: group, fromMe: false, id: "A1", participant: alice },
          update: {
            message: { editedMessage: { message: { conversation: "Trail map attached (v2)" } } },
            messageTimestamp: 1_717_000_500,
          },
        },
      ],
    },
    {
      event: "messages.update",
      data: [
        { key: { remoteJid: bob, fromMe: false, id: "B1" }, update: { message: null, messageStubType: 1 } },
      ],
    },
    {
      event: "messages.reaction",
      data: [
        {
          key: { remoteJid: group, id: "A1", fromMe: false },
          reaction: {
            key: { remoteJid: group, fromMe: false, id: "RB", participant: bob },
            text: "👍",
            senderTimestampMs: 1_717_000_600_000,
          },
        },
      ],
    },
    { event: "chats.update", data: [{ id: group, unreadCount: 2, conversationTimestamp: 1_717_000_700 }] },
    { event: "chats.update", data: [{ id: bob, pinned: 1_717_000_800, muteEndTime: -1 }] },
    { event: "contacts.update", data: [{ id: bob, notify: "Bobby", verifiedName: "Bob's Bikes" }] },
    {
      event: "group-participants.update",
      data: { id: group, author: alice, participants: [{ id: "15550004444@s.whatsapp.net" }], action: "add" },
    },
    { event: "groups.update", data: [{ id: group, subject: "Hikers 2024" }] },
    { event: "messages.delete", data: { keys: [{ remoteJid: group, fromMe: false, id: "A2" }] } },
    {
      event: "creds.update",
      data: { me: { id: "15550009999:1@s.whatsapp.net", lid: "90000000000099:1@lid", name: "Me" } },
    },
    {
      event: "messaging-history.status",
      data: {
        syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
        status: "complete",
        explicit: true,
      },
    },
    { event: "connection.update", data: { connection: "open" } },
  ],
]

describe("replay", () => {
  it.scoped("ingesting the same stream twice leaves every table exactly as after the first time", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      for (const batch of richStream()) yield* store.ingest(...batch)
      const first = dump(store.db)
      assert.strictEqual(first.messages?.length, 5)
      assert.isAbove(first.messages_fts?.length ?? 0, 5)
      for (const batch of richStream()) yield* store.ingest(...batch)
      assert.deepStrictEqual(dump(store.db), first)
      checkSearchIndex(store.db)
    }),
  )

  it.scoped("the stream also gives the same store when replayed into a fresh one after a restart", () =>
    Effect.gen(function* () {
      const once = yield* testStore()
      for (const batch of richStream()) yield* once.ingest(...batch)
      const directory = once.directory
      const expected = dump(once.db)
      // a second Ingestor on the same directory (as after a restart) replays everything again
      const again = yield* Effect.scoped(
        Effect.gen(function* () {
          const reopened = yield* openTestStore(directory)
          for (const batch of richStream()) yield* reopened.ingest(...batch)
          return dump(reopened.db)
        }),
      )
      assert.deepStrictEqual(again, expected)
    }),
  )
})

describe("batches", () => {
  it.scoped("a batch the store cannot finish (disk full) leaves nothing of itself behind", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("notify", text("OK1", "before the disk filled up", 1_717_000_000)),
      )
      const before = dump(store.db)
      const pages = Number(one(store.db, "PRAGMA page_count")?.page_count)
      store.db.pragma(`max_page_count = ${pages}`)
      const big = Array.from({ length: 2000 }, (_, i) =>
        text(
          `BIG${i}`,
          `message number ${i} with enough words to need new pages in the store`,
          1_717_001_000 + i,
          { from: bob },
        ),
      )
      const failed = yield* Effect.either(
        store.ingest(
          { event: "lid-mapping.update", data: { lid: aliceLid, pn: alice } },
          upsert("notify", ...big),
        ),
      )
      assert.isTrue(Either.isLeft(failed))
      if (Either.isLeft(failed)) {
        assert.strictEqual(failed.left._tag, "IngestError")
        assert.include(failed.left.message, "none of it was kept")
      }
      assert.deepStrictEqual(dump(store.db), before)
      // the store and the ingestor carry on once there is room again, mapping included
      store.db.pragma("max_page_count = 1073741823")
      yield* store.ingest(upsert("notify", text("OK2", "after", 1_717_002_000, { from: aliceLid })))
      assert.strictEqual(
        messageRow(store.db, "OK2")?.chat_jid,
        aliceLid,
        "the rolled-back mapping is forgotten",
      )
      checkSearchIndex(store.db)
    }),
  )

  it.scoped("an unusable event is skipped and reported while the rest of its batch is stored", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const outcome = yield* store.ingest(
        upsert("notify", text("G1", "good", 1)),
        { event: "chats.update", data: [{ id: "not a jid", archived: true }] },
        upsert(
          "notify",
          message({ key: { remoteJid: alice, fromMe: false, id: "" }, message: { conversation: "no id" } }),
        ),
        upsert("notify", text("G2", "also good", 2)),
      )
      assert.strictEqual(outcome.events, 4)
      assert.deepStrictEqual(
        outcome.skipped.map((item) => item.eventIndex),
        [1, 2],
      )
      assert.include(outcome.skipped[0]?.reason ?? "", "chat without a valid id")
      assert.isDefined(messageRow(store.db, "G1"))
      assert.isDefined(messageRow(store.db, "G2"))
    }),
  )

  it.scoped("batches submitted together are applied one after another, in submission order", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const edits = Array.from({ length: 20 }, (_, i) =>
        store.ingest({
          event: "messages.update",
          data: [
            {
              key: { remoteJid: alice, fromMe: false, id: "ORD" },
              update: {
                message: { editedMessage: { message: { conversation: `version ${i}` } } },
                messageTimestamp: 1_717_000_000,
              },
            },
          ],
        }),
      )
      yield* store.ingest(upsert("notify", text("ORD", "original", 1_716_000_000)))
      yield* Effect.all(edits, { concurrency: "unbounded" })
      // equal edit times: the last one applied wins, and that is the last one submitted
      assert.strictEqual(messageRow(store.db, "ORD")?.text, "version 19")
    }),
  )
})
