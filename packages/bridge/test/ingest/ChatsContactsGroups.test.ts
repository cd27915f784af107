// History sync, chats, contacts and groups: what the chat list and the contact search show.
import { assert, describe, it } from "@effect/vitest"
import { proto } from "@whiskeysockets/baileys"
import { Effect } from "effect"
import type { BaileysEvent } from "../../src/recording/BaileysEvent.js"
import { alice, all, bob, group, message, one, testStore, text, upsert } from "./IngestTestKit.js"

const chat = (db: Parameters<typeof one>[0], jid: string) => one(db, "SELECT * FROM chats WHERE jid = ?", jid)
const contact = (db: Parameters<typeof one>[0], jid: string) =>
  one(db, "SELECT * FROM contacts WHERE jid = ?", jid)

describe("history sync", () => {
  it.scoped("stores every chunk's chats, contacts and messages and records progress per sync type", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const chunk = (order: number, progress: number, syncType: proto.HistorySync.HistorySyncType) =>
        ({
          event: "messaging-history.set",
          data: {
            chats: [
              proto.Conversation.fromObject({
                id: group,
                name: "Book club",
                unreadCount: 2,
                conversationTimestamp: 1_717_000_500,
              }),
            ],
            contacts: [{ id: alice, name: "Alice Address-Book" }],
            messages: [
              text(`H${order}`, `chunk ${order}`, 1_717_000_000 + order, { chat: group, from: alice }),
            ],
            syncType,
            progress,
            chunkOrder: order,
            isLatest: order === 1,
          },
        }) satisfies BaileysEvent
      yield* store.ingest(chunk(1, 40, proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP))
      yield* store.ingest(chunk(2, 100, proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP))
      yield* store.ingest(chunk(1, 10, proto.HistorySync.HistorySyncType.FULL))
      yield* store.ingest({
        event: "messaging-history.status",
        data: { syncType: proto.HistorySync.HistorySyncType.FULL, status: "paused", explicit: false },
      })
      assert.deepStrictEqual(
        all(
          store.db,
          "SELECT sync_type, chunk_order, progress, messages FROM history_sync_chunks ORDER BY 1, 2",
        ),
        [
          { sync_type: "FULL", chunk_order: 1, progress: 10, messages: 1 },
          { sync_type: "INITIAL_BOOTSTRAP", chunk_order: 1, progress: 40, messages: 1 },
          { sync_type: "INITIAL_BOOTSTRAP", chunk_order: 2, progress: 100, messages: 1 },
        ],
      )
      assert.deepStrictEqual(all(store.db, "SELECT sync_type, status FROM history_sync_status"), [
        { sync_type: "FULL", status: "paused" },
      ])
      const book = chat(store.db, group)
      assert.strictEqual(book?.name, "Book club")
      assert.strictEqual(book?.name_source, "subject")
      assert.strictEqual(book?.kind, "group")
      assert.strictEqual(book?.unread_count, 2)
      assert.strictEqual(book?.last_message_time, 1_717_000_500)
      assert.strictEqual(contact(store.db, alice)?.display_name, "Alice Address-Book")
      assert.strictEqual(one(store.db, "SELECT count(*) AS n FROM messages")?.n, 2)
    }),
  )
})

describe("chats", () => {
  it.scoped("upserts and updates set unread, archived, pinned and muted; a message moves last activity", () =>
    Effect.gen(function* () {
      const store = yield* testStore({
        event: "chats.upsert",
        data: [{ id: bob, unreadCount: 0, conversationTimestamp: 1_717_000_000 }],
      })
      yield* store.ingest(upsert("notify", text("U1", "ping", 1_717_000_100, { from: bob })))
      yield* store.ingest({
        event: "chats.update",
        data: [{ id: bob, unreadCount: 1, conversationTimestamp: 1_717_000_100 }],
      })
      assert.strictEqual(chat(store.db, bob)?.unread_count, 1)
      assert.strictEqual(chat(store.db, bob)?.last_message_time, 1_717_000_100)
      yield* store.ingest({
        event: "chats.update",
        data: [{ id: bob, unreadCount: 1, conversationTimestamp: 1_717_000_100 }],
      })
      assert.strictEqual(chat(store.db, bob)?.unread_count, 1, "the same arrival is counted once")
      yield* store.ingest({
        event: "chats.update",
        data: [{ id: bob, archived: true, pinned: 1_717_000_200, muteEndTime: 1_717_086_400_000 }],
      })
      const archived = chat(store.db, bob)
      assert.strictEqual(archived?.archived, 1)
      assert.strictEqual(archived?.pinned_at, 1_717_000_200)
      assert.strictEqual(archived?.muted_until, 1_717_086_400)
      yield* store.ingest({
        event: "chats.update",
        data: [{ id: bob, unreadCount: 0, pinned: null, muteEndTime: null }],
      })
      const read = chat(store.db, bob)
      assert.strictEqual(read?.unread_count, 0)
      assert.isNull(read?.pinned_at)
      assert.isNull(read?.muted_until)
      yield* store.ingest({ event: "chats.update", data: [{ id: bob, unreadCount: -1 }] })
      assert.strictEqual(chat(store.db, bob)?.marked_unread, 1)
    }),
  )

  it.scoped("a deleted chat disappears with its messages and reactions", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("X1", "bye", 1_717_000_000, { from: bob })))
      yield* store.ingest({
        event: "messages.reaction",
        data: [
          {
            key: { remoteJid: bob, id: "X1", fromMe: false },
            reaction: { key: { remoteJid: bob, fromMe: false, id: "r" }, text: "👋", senderTimestampMs: 1 },
          },
        ],
      })
      yield* store.ingest({ event: "chats.delete", data: [bob] })
      assert.isUndefined(chat(store.db, bob))
      assert.strictEqual(one(store.db, "SELECT count(*) AS n FROM messages")?.n, 0)
      assert.strictEqual(one(store.db, "SELECT count(*) AS n FROM reactions")?.n, 0)
    }),
  )
})

describe("contacts and names", () => {
  it.scoped("people are named by address book, then verified business name, then push name, then phone", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("N1", "hello", 1_717_000_000, { from: bob })))
      assert.isUndefined(contact(store.db, bob))
      assert.strictEqual(chat(store.db, bob)?.name, "+15550002222")
      assert.strictEqual(chat(store.db, bob)?.name_source, "phone")
      yield* store.ingest(
        upsert("notify", text("N2", "it's bob", 1_717_000_001, { from: bob, pushName: "bobby" })),
      )
      assert.strictEqual(contact(store.db, bob)?.display_name, "bobby")
      assert.strictEqual(contact(store.db, bob)?.display_name_source, "push_name")
      assert.strictEqual(chat(store.db, bob)?.name, "bobby")
      yield* store.ingest({ event: "contacts.update", data: [{ id: bob, verifiedName: "Bob's Bikes" }] })
      assert.strictEqual(chat(store.db, bob)?.name, "Bob's Bikes")
      assert.strictEqual(chat(store.db, bob)?.name_source, "verified_business")
      yield* store.ingest({ event: "contacts.upsert", data: [{ id: bob, name: "Bob Builder" }] })
      const named = contact(store.db, bob)
      assert.strictEqual(named?.display_name, "Bob Builder")
      assert.strictEqual(named?.display_name_source, "address_book")
      assert.strictEqual(named?.push_name, "bobby")
      assert.strictEqual(named?.verified_name, "Bob's Bikes")
      assert.strictEqual(named?.phone, "15550002222")
      assert.strictEqual(chat(store.db, bob)?.name, "Bob Builder")
      // removed from the address book: the next name shows again
      yield* store.ingest({ event: "contacts.update", data: [{ id: bob, name: "" }] })
      assert.isNull(contact(store.db, bob)?.address_book_name)
      assert.strictEqual(chat(store.db, bob)?.name, "Bob's Bikes")
    }),
  )
})

describe("groups", () => {
  it.scoped("subject changes and participant joins, leaves, promotions and demotions are kept", () =>
    Effect.gen(function* () {
      const store = yield* testStore({
        event: "groups.upsert",
        data: [
          {
            id: group,
            subject: "Climbing",
            owner: alice,
            creation: 1_700_000_000,
            desc: "Tuesdays at the wall",
            participants: [{ id: alice, admin: "superadmin" }, { id: bob }],
          },
        ],
      })
      const participants = () =>
        all(
          store.db,
          "SELECT participant_jid, role FROM group_participants WHERE group_jid = ? ORDER BY 1",
          group,
        )
      assert.deepStrictEqual(participants(), [
        { participant_jid: alice, role: "superadmin" },
        { participant_jid: bob, role: "member" },
      ])
      assert.strictEqual(chat(store.db, group)?.description, "Tuesdays at the wall")
      yield* store.ingest({ event: "groups.update", data: [{ id: group, subject: "Climbing 🧗" }] })
      assert.strictEqual(chat(store.db, group)?.name, "Climbing 🧗")
      const change = (action: "add" | "remove" | "promote" | "demote", who: string) =>
        ({
          event: "group-participants.update",
          data: { id: group, author: alice, participants: [{ id: who }], action },
        }) satisfies BaileysEvent
      yield* store.ingest(change("promote", bob))
      assert.deepStrictEqual(participants()[1], { participant_jid: bob, role: "admin" })
      yield* store.ingest(change("demote", bob))
      assert.deepStrictEqual(participants()[1], { participant_jid: bob, role: "member" })
      yield* store.ingest(change("remove", bob))
      assert.deepStrictEqual(participants(), [{ participant_jid: alice, role: "superadmin" }])
      yield* store.ingest(change("add", "15550003333@s.whatsapp.net"))
      assert.strictEqual(participants().length, 2)
    }),
  )

  it.scoped("a chats.update carrying the message itself stores it once, also when the upsert follows", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const carried = message({
        key: { remoteJid: alice, fromMe: false, id: "CU1", participant: "" },
        messageTimestamp: 1_717_000_000,
        message: { extendedTextMessage: { text: "carried by the chat" } },
        pushName: "Alice",
      })
      const event = {
        event: "chats.update",
        data: [
          {
            id: alice,
            conversationTimestamp: 1_717_000_000,
            unreadCount: 1,
            messages: [{ message: carried }],
          },
        ],
      } as BaileysEvent
      yield* store.ingest(event)
      yield* store.ingest(upsert("notify", carried))
      assert.deepStrictEqual(all(store.db, "SELECT chat_jid, id, sender_jid, kind, text FROM messages"), [
        { chat_jid: alice, id: "CU1", sender_jid: alice, kind: "text", text: "carried by the chat" },
      ])
      assert.deepStrictEqual(all(store.db, "SELECT display_name FROM contacts WHERE jid = ?", alice), [
        { display_name: "Alice" },
      ])
    }),
  )

  it.scoped(
    "a v7 group-participants.update ({id, phoneNumber, admin} objects, LID author) updates membership and learns the phone",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore()
        const participants = (admin: string | null) => [
          { id: "90000000000033@lid", phoneNumber: "15550003333@s.whatsapp.net", admin },
        ]
        yield* store.ingest({
          event: "group-participants.update",
          data: {
            id: group,
            author: "90000000000011@lid",
            participants: participants("admin"),
            action: "add",
          },
        } as unknown as BaileysEvent)
        assert.deepStrictEqual(
          all(store.db, "SELECT participant_jid, role FROM group_participants WHERE group_jid = ?", group),
          [{ participant_jid: "15550003333@s.whatsapp.net", role: "admin" }],
        )
        assert.deepStrictEqual(all(store.db, "SELECT lid, pn FROM jid_aliases"), [
          { lid: "90000000000033@lid", pn: "15550003333@s.whatsapp.net" },
        ])
        yield* store.ingest({
          event: "group-participants.update",
          data: {
            id: group,
            author: "90000000000011@lid",
            participants: participants(null),
            action: "remove",
          },
        } as unknown as BaileysEvent)
        assert.deepStrictEqual(
          all(store.db, "SELECT participant_jid FROM group_participants WHERE group_jid = ?", group),
          [],
        )
      }),
  )
})
