// Fixture builders and the replay socket emit what a live socket would: Baileys' own processing
// derives reactions, edits and revokes, and its event buffer folds updates into a message.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type BaileysEvent, proto, SocketEventPipeline, type WAMessage } from "../../src/recording/index.js"

const account = { id: "15550100100:7@s.whatsapp.net", lid: "100000000101300:7@lid", name: "Sam" }
const zoe = "15550100101@s.whatsapp.net"

const incoming = (id: string, content: proto.IMessage, at = 1_772_355_600): WAMessage =>
  proto.WebMessageInfo.fromObject({
    key: { remoteJid: zoe, fromMe: false, id },
    messageTimestamp: at,
    pushName: "Zoé",
    message: content,
  }) as WAMessage

const named = <K extends BaileysEvent["event"]>(events: ReadonlyArray<BaileysEvent>, name: K) =>
  events.filter((event): event is Extract<BaileysEvent, { event: K }> => event.event === name)

describe("SocketEventPipeline", () => {
  const pipeline = new SocketEventPipeline(account)

  it.effect("a received text is upserted and its sender's push name recorded", () =>
    Effect.promise(async () => {
      const events = await pipeline.receive([incoming("A1", { conversation: "Coucou !" })], "notify")
      const [upsert] = named(events, "messages.upsert")
      assert.strictEqual(upsert?.data.type, "notify")
      assert.strictEqual(upsert?.data.messages[0]?.message?.conversation, "Coucou !")
      assert.deepStrictEqual(named(events, "contacts.update")[0]?.data, [{ id: zoe, notify: "Zoé" }])
    }),
  )

  it.effect(
    "a reaction to the account's message becomes messages.reaction keyed from the account's side",
    () =>
      Effect.promise(async () => {
        const events = await pipeline.receive(
          [
            incoming("A2", {
              reactionMessage: {
                key: { remoteJid: "15550100100@s.whatsapp.net", fromMe: false, id: "3EB0MINE" },
                text: "❤️",
                senderTimestampMs: 1_772_355_700_000,
              },
            }),
          ],
          "notify",
        )
        const [reaction] = named(events, "messages.reaction")
        assert.strictEqual(reaction?.data[0]?.key.id, "3EB0MINE")
        assert.strictEqual(reaction?.data[0]?.key.remoteJid, zoe)
        assert.strictEqual(reaction?.data[0]?.key.fromMe, true)
        assert.strictEqual(reaction?.data[0]?.reaction.text, "❤️")
      }),
  )

  it.effect("a revoke becomes an update removing the content of the revoked message", () =>
    Effect.promise(async () => {
      const events = await pipeline.receive(
        [
          incoming("A3", {
            protocolMessage: {
              key: { remoteJid: "15550100100@s.whatsapp.net", fromMe: true, id: "A0" },
              type: proto.Message.ProtocolMessage.Type.REVOKE,
            },
          }),
        ],
        "notify",
      )
      const [update] = named(events, "messages.update")
      assert.strictEqual(update?.data[0]?.key.id, "A0")
      assert.strictEqual(update?.data[0]?.update.message, null)
      assert.strictEqual(update?.data[0]?.update.messageStubType, proto.WebMessageInfo.StubType.REVOKE)
    }),
  )

  it.effect("an edit becomes an update carrying the new text and the edit time", () =>
    Effect.promise(async () => {
      const events = await pipeline.receive(
        [
          incoming("A4", {
            protocolMessage: {
              key: { remoteJid: "15550100100@s.whatsapp.net", fromMe: true, id: "A0" },
              type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
              editedMessage: { conversation: "à 10h30" },
              timestampMs: 1_772_356_000_000,
            },
          }),
        ],
        "notify",
      )
      const [update] = named(events, "messages.update")
      assert.strictEqual(update?.data[0]?.update.message?.editedMessage?.message?.conversation, "à 10h30")
      assert.strictEqual(update?.data[0]?.update.messageTimestamp, 1_772_356_000)
    }),
  )

  it.effect("reactions, receipts and status arriving with the message are folded into its upsert", () =>
    Effect.promise(async () => {
      const message = incoming("A5", { conversation: "Qui vient ?" })
      const events = await pipeline.buffered((ev) => {
        ev.emit("messages.upsert", { messages: [message], type: "notify" })
        ev.emit("messages.reaction", [
          { key: message.key, reaction: { key: { remoteJid: zoe, fromMe: true, id: "R1" }, text: "🙋" } },
        ])
        ev.emit("message-receipt.update", [
          { key: message.key, receipt: { userJid: zoe, readTimestamp: 1_772_355_660 } },
        ])
      })
      assert.deepStrictEqual(
        events.map((event) => event.event),
        ["messages.upsert"],
      )
      const [folded] = named(events, "messages.upsert")[0]!.data.messages
      assert.strictEqual(folded?.reactions?.[0]?.text, "🙋")
      assert.strictEqual(folded?.userReceipt?.[0]?.userJid, zoe)
    }),
  )
})
