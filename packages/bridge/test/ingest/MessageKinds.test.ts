// Every kind of message lands in the store with what a reader needs: text or caption, media
// pointers, location, contact cards, poll options, and the message it replies to.
import { assert, describe, it } from "@effect/vitest"
import { proto } from "@whiskeysockets/baileys"
import { Effect } from "effect"
import { alice, bob, group, message, messageRow, search, testStore, upsert } from "./IngestTestKit.js"

const from = (id: string, content: proto.IMessage, at = 1_717_000_000) =>
  message({ key: { remoteJid: alice, fromMe: false, id }, messageTimestamp: at, message: content })

const mediaFields = {
  mimetype: "image/jpeg",
  url: "https://mmg.whatsapp.net/v/t62/abc",
  directPath: "/v/t62/abc?ccb=11",
  mediaKey: Buffer.alloc(32, 7),
  fileSha256: Buffer.alloc(32, 8),
  fileEncSha256: Buffer.alloc(32, 9),
  fileLength: 48_213,
}

describe("message kinds", () => {
  it.scoped("plain and extended text keep their body and the message time", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("notify", from("T1", { conversation: "Grüße aus Köln" }, 1_717_000_001)),
        upsert(
          "notify",
          from("T2", { extendedTextMessage: { text: "see https://example.org" } }, 1_717_000_002),
        ),
      )
      const plain = messageRow(store.db, "T1")
      assert.strictEqual(plain?.kind, "text")
      assert.strictEqual(plain?.text, "Grüße aus Köln")
      assert.strictEqual(plain?.timestamp, 1_717_000_001)
      assert.strictEqual(plain?.sender_jid, alice)
      assert.strictEqual(messageRow(store.db, "T2")?.text, "see https://example.org")
      assert.deepStrictEqual(search(store.db, "koln"), ["T1"])
    }),
  )

  it.scoped("image, video and document captions are the text; media pointers are kept for download", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          from("I1", {
            imageMessage: { ...mediaFields, caption: "Sunset at the pier", width: 1600, height: 900 },
          }),
          from("V1", {
            videoMessage: { ...mediaFields, mimetype: "video/mp4", caption: "Goal!", seconds: 14 },
          }),
          from("D1", {
            documentMessage: { ...mediaFields, mimetype: "application/pdf", fileName: "Rechnung-März.pdf" },
          }),
        ),
      )
      const image = messageRow(store.db, "I1")
      assert.strictEqual(image?.kind, "image")
      assert.strictEqual(image?.text, "Sunset at the pier")
      assert.strictEqual(image?.media_direct_path, "/v/t62/abc?ccb=11")
      assert.strictEqual(image?.media_size, 48_213)
      assert.strictEqual(image?.media_width, 1600)
      assert.deepStrictEqual(image?.media_key, Buffer.alloc(32, 7))
      assert.deepStrictEqual(image?.media_sha256, Buffer.alloc(32, 8))
      assert.strictEqual(messageRow(store.db, "V1")?.media_seconds, 14)
      assert.strictEqual(messageRow(store.db, "V1")?.text, "Goal!")
      assert.strictEqual(messageRow(store.db, "D1")?.media_file_name, "Rechnung-März.pdf")
      assert.deepStrictEqual(search(store.db, "rechnung"), ["D1"])
      assert.deepStrictEqual(search(store.db, "pier"), ["I1"])
    }),
  )

  it.scoped("ephemeral, view-once and document-with-caption wrappers are unwrapped", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          from("W1", { ephemeralMessage: { message: { extendedTextMessage: { text: "disappearing" } } } }),
          from("W2", {
            viewOnceMessageV2: { message: { imageMessage: { ...mediaFields, caption: "once" } } },
          }),
          from("W3", {
            documentWithCaptionMessage: {
              message: { documentMessage: { ...mediaFields, fileName: "plan.pdf", caption: "the plan" } },
            },
          }),
        ),
      )
      assert.strictEqual(messageRow(store.db, "W1")?.text, "disappearing")
      assert.strictEqual(messageRow(store.db, "W2")?.kind, "image")
      assert.strictEqual(messageRow(store.db, "W2")?.text, "once")
      assert.strictEqual(messageRow(store.db, "W3")?.kind, "document")
      assert.strictEqual(messageRow(store.db, "W3")?.text, "the plan")
      assert.strictEqual(messageRow(store.db, "W3")?.media_file_name, "plan.pdf")
    }),
  )

  it.scoped("stickers, audio and voice notes are told apart", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          from("S1", { stickerMessage: { ...mediaFields, mimetype: "image/webp" } }),
          from("A1", { audioMessage: { ...mediaFields, mimetype: "audio/mpeg", seconds: 200 } }),
          from("P1", {
            audioMessage: { ...mediaFields, mimetype: "audio/ogg; codecs=opus", ptt: true, seconds: 7 },
          }),
        ),
      )
      assert.strictEqual(messageRow(store.db, "S1")?.kind, "sticker")
      assert.strictEqual(messageRow(store.db, "A1")?.kind, "audio")
      assert.strictEqual(messageRow(store.db, "P1")?.kind, "voice")
      assert.strictEqual(messageRow(store.db, "P1")?.media_seconds, 7)
    }),
  )

  it.scoped("locations, contact cards and polls keep what makes them readable", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          from("L1", {
            locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: "Brandenburger Tor" },
          }),
          from("C1", {
            contactMessage: { displayName: "Dr. Ana Pérez", vcard: "BEGIN:VCARD\nFN:Ana\nEND:VCARD" },
          }),
          from("C2", {
            contactsArrayMessage: {
              contacts: [
                { displayName: "Ana", vcard: "BEGIN:VCARD\nFN:Ana\nEND:VCARD" },
                { displayName: "Ben", vcard: "BEGIN:VCARD\nFN:Ben\nEND:VCARD" },
              ],
            },
          }),
          from("Q1", {
            pollCreationMessageV3: {
              name: "Where for dinner?",
              options: [{ optionName: "Thai" }, { optionName: "Pizza" }],
              selectableOptionsCount: 1,
            },
          }),
        ),
      )
      const location = messageRow(store.db, "L1")
      assert.strictEqual(location?.kind, "location")
      assert.strictEqual(location?.latitude, 52.52)
      assert.strictEqual(location?.longitude, 13.405)
      assert.strictEqual(location?.text, "Brandenburger Tor")
      assert.strictEqual(messageRow(store.db, "C1")?.kind, "contact")
      assert.strictEqual(messageRow(store.db, "C1")?.text, "Dr. Ana Pérez")
      assert.include(String(messageRow(store.db, "C1")?.vcard), "FN:Ana")
      assert.strictEqual(messageRow(store.db, "C2")?.text, "Ana, Ben")
      const poll = messageRow(store.db, "Q1")
      assert.strictEqual(poll?.kind, "poll")
      assert.strictEqual(poll?.text, "Where for dinner?")
      assert.deepStrictEqual(JSON.parse(String(poll?.poll_options)), ["Thai", "Pizza"])
    }),
  )

  it.scoped("a reply records the quoted message's id and its author", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          message({
            key: { remoteJid: group, fromMe: false, id: "R1", participant: bob },
            messageTimestamp: 1_717_000_100,
            message: {
              extendedTextMessage: {
                text: "yes, let's",
                contextInfo: {
                  stanzaId: "ORIG",
                  participant: alice,
                  quotedMessage: { conversation: "lunch?" },
                },
              },
            },
          }),
        ),
      )
      const reply = messageRow(store.db, "R1")
      assert.strictEqual(reply?.quoted_id, "ORIG")
      assert.strictEqual(reply?.quoted_sender_jid, alice)
      assert.strictEqual(reply?.sender_jid, bob)
      assert.strictEqual(reply?.chat_jid, group)
    }),
  )

  it.scoped("group notices are stored as system messages, never as text", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          message({
            key: { remoteJid: group, fromMe: false, id: "SYS1", participant: alice },
            messageTimestamp: 1_717_000_200,
            messageStubType: 21,
            messageStubParameters: ["Climbing crew"],
          }),
        ),
      )
      const notice = messageRow(store.db, "SYS1")
      assert.strictEqual(notice?.kind, "system")
      assert.strictEqual(notice?.stub_type, 21)
      assert.deepStrictEqual(JSON.parse(String(notice?.stub_parameters)), ["Climbing crew"])
      assert.isNull(notice?.text)
    }),
  )

  it.scoped("the raw message is kept and decodes back to what was received", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", from("RAW1", { conversation: "keep me whole" })))
      const { proto } = yield* Effect.promise(() => import("@whiskeysockets/baileys"))
      const raw = messageRow(store.db, "RAW1")?.raw
      assert.instanceOf(raw, Buffer)
      const decoded = proto.WebMessageInfo.decode(raw as Buffer)
      assert.strictEqual(decoded.message?.conversation, "keep me whole")
      assert.strictEqual(decoded.key?.id, "RAW1")
    }),
  )

  it.scoped(
    "buttons, templates, lists and the choice made in them keep their visible text as kind interactive",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore(
          upsert(
            "notify",
            from("B1", {
              buttonsMessage: {
                contentText: "How was the trip?",
                footerText: "Travel desk",
                headerType: 1,
                buttons: [
                  { buttonId: "b0", buttonText: { displayText: "Great" }, type: 1 },
                  { buttonId: "b1", buttonText: { displayText: "Meh" }, type: 1 },
                ],
              },
            }),
            from("B2", {
              buttonsResponseMessage: {
                selectedButtonId: "b1",
                selectedDisplayText: "Meh",
                type: 1,
                contextInfo: {
                  stanzaId: "B1",
                  participant: alice,
                  quotedMessage: { conversation: "How was the trip?" },
                },
              },
            }),
            from("B3", {
              templateMessage: {
                hydratedTemplate: {
                  hydratedContentText: "Where are you now?",
                  hydratedFooterText: "Reply below",
                  hydratedButtons: [{ index: 0, quickReplyButton: { displayText: "Lisbon", id: "lis" } }],
                },
              },
            }),
            from("B4", {
              listMessage: {
                title: "Flight updates",
                description: "Choose one",
                buttonText: "Options",
                listType: 1,
                sections: [
                  {
                    title: "Alerts",
                    rows: [
                      { title: "Gate change", rowId: "g" },
                      { title: "Delays", description: "by SMS", rowId: "d" },
                    ],
                  },
                ],
              },
            }),
          ),
        )
        const row = (id: string) => messageRow(store.db, id)
        assert.strictEqual(row("B1")?.kind, "interactive")
        assert.strictEqual(row("B1")?.text, "How was the trip?\nTravel desk\n[Great] [Meh]")
        assert.strictEqual(row("B2")?.kind, "interactive")
        assert.strictEqual(row("B2")?.text, "Meh")
        assert.strictEqual(row("B2")?.quoted_id, "B1")
        assert.strictEqual(row("B3")?.text, "Where are you now?\nReply below\n[Lisbon]")
        assert.strictEqual(
          row("B4")?.text,
          "Flight updates\nChoose one\n[Options]\nAlerts\n- Gate change\n- Delays: by SMS",
        )
        assert.deepStrictEqual(search(store.db, "Lisbon").length, 1)
      }),
  )

  it.scoped(
    "a view-once photo that reached only the phone is view_once, not a message still to decrypt",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore()
        const stub = (id: string, reason: string) =>
          message({
            key: { remoteJid: group, fromMe: false, id, participant: bob },
            messageTimestamp: 1_717_000_000,
            messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT,
            messageStubParameters: [reason],
          })
        yield* store.ingest(
          upsert("notify", stub("V1", "Message absent from node"), stub("V2", "No session record")),
        )
        assert.strictEqual(messageRow(store.db, "V1")?.kind, "view_once")
        assert.strictEqual(messageRow(store.db, "V1")?.text, null)
        assert.strictEqual(messageRow(store.db, "V2")?.kind, "ciphertext")
        // a copy with content, should one arrive, replaces the placeholder
        yield* store.ingest(
          upsert(
            "notify",
            message({
              key: { remoteJid: group, fromMe: false, id: "V1", participant: bob },
              messageTimestamp: 1_717_000_000,
              message: {
                viewOnceMessageV2: { message: { imageMessage: { ...mediaFields, viewOnce: true } } },
              },
            }),
          ),
        )
        assert.strictEqual(messageRow(store.db, "V1")?.kind, "image")
      }),
  )

  it.scoped("messages holding only a sender key or a history-sync notification are not messages", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          message({
            key: { remoteJid: group, fromMe: true, id: "SK1", participant: bob },
            messageTimestamp: 1_717_000_000,
            message: {
              senderKeyDistributionMessage: {
                groupId: group,
                axolotlSenderKeyDistributionMessage: Buffer.alloc(0),
              },
              messageContextInfo: { deviceListMetadataVersion: 2 },
            },
          }),
          message({
            key: { remoteJid: alice, fromMe: true, id: "HS1" },
            messageTimestamp: 1_717_000_010,
            message: {
              protocolMessage: {
                type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
                historySyncNotification: { fileLength: 11163, syncType: 6 },
              },
            },
            status: 2,
          }),
        ),
      )
      assert.deepStrictEqual(messageRow(store.db, "SK1"), undefined)
      assert.deepStrictEqual(messageRow(store.db, "HS1"), undefined)
    }),
  )

  it.scoped(
    "device suffixes, string or number timestamps and status names or numbers all read the same",
    () =>
      Effect.gen(function* () {
        const store = yield* testStore()
        const sent = (id: string, fields: Record<string, unknown>) =>
          message({
            key: { remoteJid: group, fromMe: false, id, participant: "15550002222:6@s.whatsapp.net" },
            message: { conversation: id },
            ...fields,
          } as Parameters<typeof message>[0])
        yield* store.ingest(
          upsert(
            "notify",
            sent("T1", { messageTimestamp: 1_717_000_000, status: 2 }),
            sent("T2", { messageTimestamp: "1717000010", status: "SERVER_ACK" }),
          ),
        )
        const rows = ["T1", "T2"].map((id) => messageRow(store.db, id))
        assert.deepStrictEqual(
          rows.map((row) => [row?.sender_jid, row?.timestamp, row?.status]),
          [
            [bob, 1_717_000_000, 2],
            [bob, 1_717_000_010, 2],
          ],
        )
      }),
  )

  it.scoped("a reply's degraded copy of a quoted sticker never overwrites the sticker's own details", () =>
    Effect.gen(function* () {
      const store = yield* testStore()
      const sticker = { ...mediaFields, mimetype: "image/webp", width: 64, height: 64, fileLength: 81_868 }
      yield* store.ingest(
        upsert(
          "notify",
          from("S1", { stickerMessage: sticker }),
          from(
            "S2",
            {
              extendedTextMessage: {
                text: "!ping",
                contextInfo: {
                  stanzaId: "S1",
                  participant: alice,
                  quotedMessage: { stickerMessage: { ...sticker, width: 0, height: 0, fileLength: 0 } },
                },
              },
            },
            1_717_000_060,
          ),
        ),
      )
      const row = messageRow(store.db, "S1")
      assert.deepStrictEqual(
        [row?.kind, row?.media_width, row?.media_height, row?.media_size],
        ["sticker", 64, 64, 81_868],
      )
      assert.strictEqual(messageRow(store.db, "S2")?.quoted_id, "S1")
    }),
  )
})
