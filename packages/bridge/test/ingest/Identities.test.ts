// One person, one chat: LIDs and phone JIDs are unified from every source, and rows written under a
// LID before its phone number was known are re-keyed (merged, never duplicated) when it arrives.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  alice,
  aliceLid,
  all,
  bob,
  bobLid,
  checkSearchIndex,
  group,
  message,
  one,
  testStore,
  text,
  upsert,
} from "./IngestTestKit.js"

const count = (db: Parameters<typeof one>[0], sql: string, ...params: ReadonlyArray<unknown>) =>
  Number(one(db, sql, ...params)?.n)

describe("LID and phone unification", () => {
  it.scoped("a live key's remoteJidAlt puts a LID-addressed direct chat under the phone JID", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const viaLid = message({
        key: { remoteJid: aliceLid, remoteJidAlt: alice, fromMe: false, id: "K1" },
        messageTimestamp: 1_717_000_000,
        message: { conversation: "new phone, who dis" },
      })
      yield* store.ingest(
        upsert("notify", viaLid),
        upsert("notify", text("K2", "same person", 1_717_000_010)),
      )
      assert.deepStrictEqual(all(store.db, "SELECT jid FROM chats"), [{ jid: alice }])
      assert.deepStrictEqual(all(store.db, "SELECT DISTINCT chat_jid, sender_jid FROM messages"), [
        { chat_jid: alice, sender_jid: alice },
      ])
      assert.deepStrictEqual(all(store.db, "SELECT lid, pn FROM jid_aliases"), [{ lid: aliceLid, pn: alice }])
    }),
  )

  it.scoped("participantAlt, contacts' lid and group participants' phoneNumber all map a LID", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          message({
            key: { remoteJid: group, fromMe: false, id: "G1", participant: aliceLid, participantAlt: alice },
            messageTimestamp: 1_717_000_000,
            message: { conversation: "hi all" },
          }),
        ),
        { event: "contacts.upsert", data: [{ id: bob, lid: bobLid, name: "Bob" }] },
        {
          event: "groups.upsert",
          data: [
            {
              id: group,
              subject: "Team",
              owner: undefined,
              participants: [{ id: "90000000000033@lid", phoneNumber: "15550003333@s.whatsapp.net" }],
            },
          ],
        },
      )
      assert.strictEqual(one(store.db, "SELECT sender_jid FROM messages WHERE id = 'G1'")?.sender_jid, alice)
      assert.deepStrictEqual(all(store.db, "SELECT lid, pn FROM jid_aliases ORDER BY pn"), [
        { lid: aliceLid, pn: alice },
        { lid: bobLid, pn: bob },
        { lid: "90000000000033@lid", pn: "15550003333@s.whatsapp.net" },
      ])
      assert.deepStrictEqual(all(store.db, "SELECT participant_jid FROM group_participants"), [
        { participant_jid: "15550003333@s.whatsapp.net" },
      ])
      assert.strictEqual(one(store.db, "SELECT lid FROM contacts WHERE jid = ?", bob)?.lid, bobLid)
    }),
  )

  it.scoped("a mapping that arrives late re-keys messages, chats, reactions, participants and contacts", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      // Everything first arrives under the LID only…
      yield* store.ingest(
        upsert(
          "notify",
          text("L1", "hello from a LID", 1_717_000_000, { from: aliceLid, pushName: "Ali" }),
          text("L2", "in the group", 1_717_000_050, { chat: group, from: aliceLid }),
          message({
            key: { remoteJid: group, fromMe: false, id: "L3", participant: bob },
            messageTimestamp: 1_717_000_060,
            message: {
              extendedTextMessage: {
                text: "replying",
                contextInfo: { stanzaId: "L2", participant: aliceLid },
              },
            },
          }),
        ),
        {
          event: "messages.reaction",
          data: [
            {
              key: { remoteJid: group, id: "L3", fromMe: false },
              reaction: {
                key: { remoteJid: group, fromMe: false, id: "RX", participant: aliceLid },
                text: "👍",
                senderTimestampMs: 1_717_000_070_000,
              },
            },
          ],
        },
        {
          event: "group-participants.update",
          data: { id: group, author: bob, participants: [{ id: aliceLid }], action: "add" },
        },
        {
          event: "chats.upsert",
          data: [{ id: aliceLid, unreadCount: 1, conversationTimestamp: 1_717_000_000 }],
        },
      )
      // …and the phone side already has its own chat, contact and a copy of one message.
      yield* store.ingest(
        { event: "contacts.upsert", data: [{ id: alice, name: "Alice Smith" }] },
        upsert("append", text("L1", "hello from a LID", 1_717_000_000, { from: alice })),
        upsert("notify", text("P1", "from the phone side", 1_717_000_100, { from: alice })),
      )
      yield* store.ingest({ event: "lid-mapping.update", data: { lid: aliceLid, pn: alice } })

      assert.strictEqual(
        count(
          store.db,
          "SELECT count(*) AS n FROM messages WHERE chat_jid = ? OR sender_jid = ? OR quoted_sender_jid = ?",
          aliceLid,
          aliceLid,
          aliceLid,
        ),
        0,
      )
      assert.deepStrictEqual(
        all(store.db, "SELECT id, chat_jid FROM messages WHERE chat_jid = ? ORDER BY id", alice),
        [
          { id: "L1", chat_jid: alice },
          { id: "P1", chat_jid: alice },
        ],
        "the message stored under both keys is kept once",
      )
      assert.deepStrictEqual(all(store.db, "SELECT jid, unread_count FROM chats WHERE kind = 'direct'"), [
        { jid: alice, unread_count: 1 },
      ])
      assert.strictEqual(one(store.db, "SELECT sender_jid FROM messages WHERE id = 'L2'")?.sender_jid, alice)
      assert.strictEqual(
        one(store.db, "SELECT quoted_sender_jid FROM messages WHERE id = 'L3'")?.quoted_sender_jid,
        alice,
      )
      assert.deepStrictEqual(all(store.db, "SELECT sender_jid FROM reactions"), [{ sender_jid: alice }])
      assert.deepStrictEqual(all(store.db, "SELECT participant_jid FROM group_participants"), [
        { participant_jid: alice },
      ])
      assert.deepStrictEqual(
        all(store.db, "SELECT jid, lid, phone, address_book_name, push_name FROM contacts"),
        [
          {
            jid: alice,
            lid: aliceLid,
            phone: "15550001111",
            address_book_name: "Alice Smith",
            push_name: "Ali",
          },
        ],
      )
      assert.strictEqual(one(store.db, "SELECT name FROM chats WHERE jid = ?", alice)?.name, "Alice Smith")
      checkSearchIndex(store.db)

      // later events that still use the LID land under the phone JID
      yield* store.ingest(upsert("notify", text("L4", "still on the LID", 1_717_000_200, { from: aliceLid })))
      assert.strictEqual(one(store.db, "SELECT chat_jid FROM messages WHERE id = 'L4'")?.chat_jid, alice)
    }),
  )

  it.scoped("history mappings, chats' pnJid and the account's own LID are learned too", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        {
          event: "messaging-history.set",
          data: {
            chats: [{ id: bobLid, pnJid: bob }],
            contacts: [],
            messages: [text("H1", "old message", 1_700_000_000, { from: bobLid })],
            lidPnMappings: [{ lid: aliceLid, pn: alice }],
            syncType: 0,
          },
        },
        {
          event: "creds.update",
          data: { me: { id: "15550009999:3@s.whatsapp.net", lid: "90000000000099:3@lid" } },
        },
        upsert(
          "append",
          text("H2", "own message in a group", 1_717_000_000, {
            chat: group,
            from: "90000000000099@lid",
            fromMe: true,
          }),
        ),
      )
      assert.strictEqual(one(store.db, "SELECT chat_jid FROM messages WHERE id = 'H1'")?.chat_jid, bob)
      assert.strictEqual(one(store.db, "SELECT pn FROM jid_aliases WHERE lid = ?", aliceLid)?.pn, alice)
      assert.strictEqual(
        one(store.db, "SELECT sender_jid FROM messages WHERE id = 'H2'")?.sender_jid,
        "15550009999@s.whatsapp.net",
      )
    }),
  )

  it.scoped("participantPn and senderPn (Baileys 6.7 keys) map a LID like participantAlt does", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          text("P1", "in the group", 1_717_000_000, {
            chat: group,
            from: aliceLid,
            pushName: "Alice",
            alt: { participantPn: alice },
          }),
          text("P2", "direct", 1_717_000_010, { from: bobLid, alt: { senderPn: bob } }),
        ),
      )
      assert.deepStrictEqual(all(store.db, "SELECT lid, pn FROM jid_aliases ORDER BY pn"), [
        { lid: aliceLid, pn: alice },
        { lid: bobLid, pn: bob },
      ])
      assert.deepStrictEqual(all(store.db, "SELECT id, chat_jid, sender_jid FROM messages ORDER BY id"), [
        { id: "P1", chat_jid: group, sender_jid: alice },
        { id: "P2", chat_jid: bob, sender_jid: bob },
      ])
    }),
  )

  it.scoped(
    "a masked or malformed phone number beside a LID is refused: the LID stays the sender, no phone is stored",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore(
          upsert(
            "notify",
            text("M1", "masked", 1_717_000_000, {
              chat: group,
              from: aliceLid,
              alt: { participantPn: "62****11**@s.whatsapp.net" },
            }),
            text("M2", "masked too", 1_717_000_010, {
              chat: group,
              from: bobLid,
              alt: { participantAlt: "6289536xxxx@s.whatsapp.net" },
            }),
          ),
        )
        assert.deepStrictEqual(all(store.db, "SELECT lid, pn FROM jid_aliases"), [])
        assert.deepStrictEqual(all(store.db, "SELECT id, sender_jid FROM messages ORDER BY id"), [
          { id: "M1", sender_jid: aliceLid },
          { id: "M2", sender_jid: bobLid },
        ])
        assert.strictEqual(
          count(store.db, "SELECT count(*) AS n FROM contacts WHERE phone LIKE '%*%' OR phone LIKE '%x%'"),
          0,
        )
      }),
  )

  it.scoped(
    "a message keyed by an empty or masked JID is skipped with a reason, never a chat or a contact",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore()
        const outcome = yield* store.ingest(
          upsert(
            "notify",
            message({
              key: { remoteJid: "@s.whatsapp.net", fromMe: false, id: "E1" },
              messageTimestamp: 1_717_000_000,
              message: { conversation: "a" },
              pushName: "Shop",
            }),
            message({
              key: { remoteJid: "xx0740@s.whatsapp.net", fromMe: true, id: "E2" },
              messageTimestamp: 1_717_000_010,
              message: { conversation: "b" },
            }),
            message({
              key: { remoteJid: "12036XXXXXXXX@g.us", fromMe: false, id: "E3", participant: alice },
              messageTimestamp: 1_717_000_020,
              message: { conversation: "c" },
            }),
            message({
              key: { remoteJid: group, fromMe: false, id: "E4", participant: "55XXXXXXXX@s.whatsapp.net" },
              messageTimestamp: 1_717_000_030,
              message: { conversation: "kept" },
              pushName: "Masked",
            }),
          ),
        )
        assert.deepStrictEqual(
          outcome.skipped.map((each) => each.reason),
          [
            'a message whose key.remoteJid "@s.whatsapp.net" is not a WhatsApp JID (empty, masked or damaged)',
            'a message whose key.remoteJid "xx0740@s.whatsapp.net" is not a WhatsApp JID (empty, masked or damaged)',
            'a message whose key.remoteJid "12036XXXXXXXX@g.us" is not a WhatsApp JID (empty, masked or damaged)',
          ],
        )
        assert.deepStrictEqual(all(store.db, "SELECT jid FROM chats"), [{ jid: group }])
        assert.deepStrictEqual(all(store.db, "SELECT id, sender_jid, text FROM messages"), [
          { id: "E4", sender_jid: null, text: "kept" },
        ])
        assert.strictEqual(count(store.db, "SELECT count(*) AS n FROM contacts"), 0)
      }),
  )
})
