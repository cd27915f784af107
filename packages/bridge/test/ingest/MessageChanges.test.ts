// What happens to a message after it arrives: reactions, edits, revokes, deletes for me, delivery
// status, undecryptable placeholders replaced, and the user's own sends.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { BaileysEvent, BaileysEventData } from "../../src/recording/BaileysEvent.js"
import {
  alice,
  all,
  bob,
  checkSearchIndex,
  group,
  me,
  message,
  messageRow,
  search,
  testStore,
  text,
  upsert,
} from "./IngestTestKit.js"

const reactions = (store: { db: Parameters<typeof all>[0] }, id: string) =>
  all(store.db, "SELECT sender_jid, emoji FROM reactions WHERE message_id = ? ORDER BY sender_jid", id)

const reactionFrom = (
  sender: string,
  targetId: string,
  emoji: string,
  atMs: number,
): BaileysEventData<"messages.reaction">[number] => ({
  key: { remoteJid: group, fromMe: false, id: targetId },
  reaction: {
    key: { remoteJid: group, fromMe: false, id: `R-${sender}-${atMs}`, participant: sender },
    text: emoji,
    senderTimestampMs: atMs,
  },
})

describe("reactions", () => {
  it.scoped("are added, changed and removed, one per person per message", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("notify", text("M1", "party at 8", 1_717_000_000, { chat: group, from: alice })),
      )
      yield* store.ingest({
        event: "messages.reaction",
        data: [reactionFrom(bob, "M1", "👍", 1_717_000_010_000)],
      })
      yield* store.ingest({
        event: "messages.reaction",
        data: [reactionFrom(alice, "M1", "🎉", 1_717_000_011_000)],
      })
      assert.deepStrictEqual(reactions(store, "M1"), [
        { sender_jid: alice, emoji: "🎉" },
        { sender_jid: bob, emoji: "👍" },
      ])
      yield* store.ingest({
        event: "messages.reaction",
        data: [reactionFrom(bob, "M1", "❤️", 1_717_000_020_000)],
      })
      assert.deepStrictEqual(reactions(store, "M1")[1], { sender_jid: bob, emoji: "❤️" })
      yield* store.ingest({
        event: "messages.reaction",
        data: [reactionFrom(bob, "M1", "", 1_717_000_030_000)],
      })
      assert.deepStrictEqual(reactions(store, "M1"), [{ sender_jid: alice, emoji: "🎉" }])
    }),
  )

  it.scoped("an older reaction arriving late does not replace a newer one", () =>
    Effect.gen(function* () {
      const store = yield* testStore({
        event: "messages.reaction",
        data: [reactionFrom(bob, "M1", "❤️", 1_717_000_020_000)],
      })
      yield* store.ingest({
        event: "messages.reaction",
        data: [reactionFrom(bob, "M1", "👍", 1_717_000_010_000)],
      })
      assert.deepStrictEqual(reactions(store, "M1"), [{ sender_jid: bob, emoji: "❤️" }])
    }),
  )

  it.scoped("reactions Baileys folded into the message, and reaction messages themselves, are stored", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const folded = message({
        key: { remoteJid: group, fromMe: false, id: "M2", participant: alice },
        messageTimestamp: 1_717_000_000,
        message: { conversation: "who's in?" },
        reactions: [
          {
            key: { remoteJid: group, fromMe: false, id: "X1", participant: bob },
            text: "🙋",
            senderTimestampMs: 1_717_000_005_000,
          },
        ],
      })
      const reactionMessage = message({
        key: { remoteJid: group, fromMe: false, id: "X2", participant: alice },
        messageTimestamp: 1_717_000_006,
        message: {
          reactionMessage: {
            key: { remoteJid: group, id: "M2", fromMe: false },
            text: "😂",
            senderTimestampMs: 1_717_000_006_000,
          },
        },
      })
      yield* store.ingest(upsert("notify", folded, reactionMessage))
      assert.deepStrictEqual(reactions(store, "M2"), [
        { sender_jid: alice, emoji: "😂" },
        { sender_jid: bob, emoji: "🙋" },
      ])
      assert.isUndefined(messageRow(store.db, "X2"), "a reaction is not a message of its own")
    }),
  )
})

describe("edits", () => {
  it.scoped("an edit from messages.update replaces the text and keeps the original time", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("E1", "see you at 5", 1_717_000_000)))
      yield* store.ingest({
        event: "messages.update",
        data: [
          {
            key: { remoteJid: alice, fromMe: false, id: "E1" },
            update: {
              message: { editedMessage: { message: { conversation: "see you at 6" } } },
              messageTimestamp: 1_717_000_300,
            },
          },
        ],
      })
      const row = messageRow(store.db, "E1")
      assert.strictEqual(row?.text, "see you at 6")
      assert.strictEqual(row?.edited_at, 1_717_000_300)
      assert.strictEqual(row?.timestamp, 1_717_000_000)
      assert.deepStrictEqual(search(store.db, "6"), ["E1"])
      assert.deepStrictEqual(search(store.db, "5"), [])
      checkSearchIndex(store.db)
    }),
  )

  it.scoped("an edit protocol message is applied to its target and not stored as a message", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("E2", "teh plan", 1_717_000_000)))
      const edit = message({
        key: { remoteJid: alice, fromMe: false, id: "EDIT-E2" },
        messageTimestamp: 1_717_000_100,
        message: {
          editedMessage: {
            message: {
              protocolMessage: {
                type: 14,
                key: { remoteJid: alice, fromMe: false, id: "E2" },
                editedMessage: { conversation: "the plan" },
                timestampMs: 1_717_000_100_000,
              },
            },
          },
        },
      })
      yield* store.ingest(upsert("notify", edit))
      assert.strictEqual(messageRow(store.db, "E2")?.text, "the plan")
      assert.strictEqual(messageRow(store.db, "E2")?.edited_at, 1_717_000_100)
      assert.isUndefined(messageRow(store.db, "EDIT-E2"))
    }),
  )

  it.scoped("a late copy of the original never reverts an edit", () =>
    Effect.gen(function* () {
      const store = yield* testStore({
        event: "messages.update",
        data: [
          {
            key: { remoteJid: alice, fromMe: false, id: "E3" },
            update: {
              message: { editedMessage: { message: { conversation: "fixed" } } },
              messageTimestamp: 1_717_000_300,
            },
          },
        ],
      })
      yield* store.ingest(upsert("append", text("E3", "fxied", 1_717_000_000)))
      const row = messageRow(store.db, "E3")
      assert.strictEqual(row?.text, "fixed")
      assert.strictEqual(row?.timestamp, 1_717_000_000)
      assert.strictEqual(row?.kind, "text")
    }),
  )
})

describe("revokes and deletes", () => {
  const revokeUpdate = (id: string) =>
    ({
      event: "messages.update",
      data: [{ key: { remoteJid: alice, fromMe: false, id }, update: { message: null, messageStubType: 1 } }],
    }) satisfies BaileysEvent

  it.scoped("a revoke removes the content, marks the message deleted and drops it from search", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("D1", "secret plans", 1_717_000_000)))
      yield* store.ingest(revokeUpdate("D1"))
      const row = messageRow(store.db, "D1")
      assert.strictEqual(row?.deleted, "revoked")
      assert.isNull(row?.text)
      assert.isNull(row?.raw)
      assert.strictEqual(row?.timestamp, 1_717_000_000)
      assert.deepStrictEqual(search(store.db, "secret"), [])
      checkSearchIndex(store.db)
    }),
  )

  it.scoped("a revoke protocol message, or one that arrives before its message, also deletes it", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const revoke = message({
        key: { remoteJid: alice, fromMe: false, id: "REV1" },
        messageTimestamp: 1_717_000_050,
        message: { protocolMessage: { type: 0, key: { remoteJid: alice, fromMe: false, id: "D2" } } },
      })
      yield* store.ingest(upsert("notify", revoke))
      yield* store.ingest(upsert("append", text("D2", "too late to read", 1_717_000_000)))
      const row = messageRow(store.db, "D2")
      assert.strictEqual(row?.deleted, "revoked")
      assert.strictEqual(row?.deleted_at, 1_717_000_050)
      assert.isNull(row?.text)
      assert.strictEqual(row?.timestamp, 1_717_000_000, "the message's own time once it is known")
      assert.isUndefined(messageRow(store.db, "REV1"))
    }),
  )

  it.scoped("a history message that is a revoke stub is stored deleted", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "append",
          message({
            key: { remoteJid: alice, fromMe: false, id: "D3" },
            messageTimestamp: 1_717_000_000,
            messageStubType: 1,
          }),
        ),
      )
      assert.strictEqual(messageRow(store.db, "D3")?.deleted, "revoked")
    }),
  )

  it.scoped("delete for me hides one message, or a whole chat's", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("notify", text("F1", "one", 1), text("F2", "two", 2), text("F3", "three", 3, { from: bob })),
      )
      yield* store.ingest({
        event: "messages.delete",
        data: { keys: [{ remoteJid: alice, fromMe: false, id: "F1" }] },
      })
      assert.strictEqual(messageRow(store.db, "F1")?.deleted, "for_me")
      assert.isNull(messageRow(store.db, "F1")?.text)
      assert.isNull(messageRow(store.db, "F2")?.deleted)
      yield* store.ingest({ event: "messages.delete", data: { jid: alice, all: true } })
      assert.strictEqual(messageRow(store.db, "F2")?.deleted, "for_me")
      assert.isNull(messageRow(store.db, "F3")?.deleted, "other chats are untouched")
      yield* store.ingest(upsert("append", text("F1", "one", 1)))
      assert.strictEqual(
        messageRow(store.db, "F1")?.deleted,
        "for_me",
        "a replayed copy does not bring it back",
      )
      checkSearchIndex(store.db)
    }),
  )
})

describe("delivery status", () => {
  it.scoped("only rises, and a receipt's time never becomes the message's time", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("append", text("S1", "on my way", 1_717_000_000, { fromMe: true })),
      )
      const update = (status: number, at: number) =>
        ({
          event: "messages.update",
          data: [
            { key: { remoteJid: alice, fromMe: true, id: "S1" }, update: { status, messageTimestamp: at } },
          ],
        }) satisfies BaileysEvent
      yield* store.ingest(update(4, 1_717_000_500))
      yield* store.ingest(update(3, 1_717_000_400))
      const row = messageRow(store.db, "S1")
      assert.strictEqual(row?.status, 4)
      assert.strictEqual(row?.timestamp, 1_717_000_000)
    }),
  )

  it.scoped("user receipts, separate or folded into the message, raise a direct message's status", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const folded = message({
        key: { remoteJid: bob, fromMe: true, id: "S2" },
        messageTimestamp: 1_717_000_000,
        message: { conversation: "hi" },
        status: 2,
        userReceipt: [{ userJid: bob, receiptTimestamp: 1_717_000_010 }],
      })
      yield* store.ingest(upsert("append", folded))
      assert.strictEqual(messageRow(store.db, "S2")?.status, 3)
      yield* store.ingest({
        event: "message-receipt.update",
        data: [
          {
            key: { remoteJid: bob, fromMe: true, id: "S2" },
            receipt: { userJid: bob, readTimestamp: 1_717_000_020 },
          },
        ],
      })
      assert.strictEqual(messageRow(store.db, "S2")?.status, 4)
      assert.strictEqual(messageRow(store.db, "S2")?.timestamp, 1_717_000_000)
    }),
  )
})

describe("placeholders and own sends", () => {
  it.scoped(
    "an undecryptable placeholder is replaced by the real message under the same key, never the reverse",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore()
        const stub = message({
          key: { remoteJid: alice, fromMe: false, id: "C1" },
          messageTimestamp: 1_717_000_000,
          messageStubType: 2,
        })
        yield* store.ingest(upsert("notify", stub))
        assert.strictEqual(messageRow(store.db, "C1")?.kind, "ciphertext")
        yield* store.ingest(upsert("notify", text("C1", "decrypted at last", 1_717_000_000)))
        assert.strictEqual(messageRow(store.db, "C1")?.kind, "text")
        assert.strictEqual(messageRow(store.db, "C1")?.text, "decrypted at last")
        yield* store.ingest(upsert("notify", stub))
        assert.strictEqual(messageRow(store.db, "C1")?.text, "decrypted at last")
        assert.deepStrictEqual(search(store.db, "decrypted"), ["C1"])
        checkSearchIndex(store.db)
      }),
  )

  it.scoped("the user's own sends are stored, with the account as sender once it is known", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("append", text("O1", "sent from my phone", 1_717_000_000, { chat: bob, fromMe: true })),
      )
      assert.strictEqual(messageRow(store.db, "O1")?.from_me, 1)
      assert.isNull(messageRow(store.db, "O1")?.sender_jid)
      yield* store.ingest({
        event: "creds.update",
        data: { me: { id: "15550009999:12@s.whatsapp.net", name: "Me" } },
      })
      assert.strictEqual(messageRow(store.db, "O1")?.sender_jid, me)
      yield* store.ingest(
        upsert("notify", text("O2", "and from the bridge", 1_717_000_100, { chat: bob, fromMe: true })),
      )
      assert.strictEqual(messageRow(store.db, "O2")?.sender_jid, me)
    }),
  )
})
