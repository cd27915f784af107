// A replayed event must be indistinguishable from the one a live socket delivers, and a bad line
// must be reported with its reason instead of breaking anything.
import { assert, describe, it } from "@effect/vitest"
import {
  type BaileysEvent,
  decodeRecordingLine,
  encodeRecordingLine,
  type MalformedLine,
  processHistoryMessage,
  proto,
  type RecordedEvent,
  type WAMessage,
} from "../../src/recording/index.js"

const chatJid = "15550100001@s.whatsapp.net"

// What the socket hands to ev.emit after a history sync notification: the HistorySync is decoded
// from the wire, then processed by Baileys itself.
const liveHistorySet = () => {
  const sync = proto.HistorySync.fromObject({
    syncType: proto.HistorySync.HistorySyncType.RECENT,
    progress: 40,
    chunkOrder: 2,
    phoneNumberToLidMappings: [{ pnJid: "15550100002@s.whatsapp.net", lidJid: "200000000000002@lid" }],
    conversations: [
      {
        id: chatJid,
        lidJid: "200000000000001@lid",
        unreadCount: 1,
        conversationTimestamp: 1_717_000_300,
        messages: [
          {
            message: {
              key: { remoteJid: chatJid, fromMe: false, id: "3EB0A1" },
              messageTimestamp: 1_717_000_300,
              pushName: "Zoé",
              status: proto.WebMessageInfo.Status.READ,
              message: {
                imageMessage: {
                  caption: "Le marché de dimanche ☀️",
                  mimetype: "image/jpeg",
                  fileLength: 48_213,
                  mediaKey: Buffer.alloc(32, 7),
                  fileSha256: Buffer.alloc(32, 8),
                  fileEncSha256: Buffer.alloc(32, 9),
                  directPath: "/v/t62.7118-24/abc.enc",
                },
              },
              reactions: [
                {
                  key: { remoteJid: chatJid, fromMe: true, id: "3EB0A2" },
                  text: "😍",
                  senderTimestampMs: 1_717_000_400_123,
                },
              ],
            },
          },
        ],
      },
    ],
  })
  return processHistoryMessage(proto.HistorySync.decode(proto.HistorySync.encode(sync).finish()))
}

const replay = (event: BaileysEvent): RecordedEvent => {
  const decoded = decodeRecordingLine(encodeRecordingLine(event), "live.jsonl", 1)
  assert.strictEqual(decoded?._tag, "RecordedEvent")
  return decoded as RecordedEvent
}

const wire = (message: proto.IWebMessageInfo) => Buffer.from(proto.WebMessageInfo.encode(message).finish())

describe("replayed events have the live shape", () => {
  it("history sync messages come back as WebMessageInfo with Longs and Buffers, byte for byte", () => {
    const live = liveHistorySet()
    const replayed = replay({
      event: "messaging-history.set",
      data: {
        chats: live.chats,
        contacts: live.contacts,
        messages: live.messages,
        lidPnMappings: live.lidPnMappings,
        syncType: live.syncType ?? null,
        progress: live.progress ?? null,
        pastParticipants: live.pastParticipants ?? null,
        isLatest: false,
      },
    })
    assert.strictEqual(replayed.event.event, "messaging-history.set")
    if (replayed.event.event !== "messaging-history.set") return
    const data = replayed.event.data
    const [liveMessage] = live.messages
    const [message] = data.messages
    assert.ok(message instanceof proto.WebMessageInfo)
    assert.deepStrictEqual(wire(message!), wire(liveMessage!))
    assert.deepStrictEqual(message!.messageTimestamp, liveMessage!.messageTimestamp)
    assert.ok(Buffer.isBuffer(message!.message?.imageMessage?.mediaKey))
    assert.strictEqual(message!.message?.imageMessage?.caption, "Le marché de dimanche ☀️")
    assert.strictEqual(message!.reactions?.[0]?.text, "😍")
    assert.strictEqual(data.syncType, proto.HistorySync.HistorySyncType.RECENT)
    assert.strictEqual(data.progress, 40)
    assert.deepStrictEqual(data.lidPnMappings, live.lidPnMappings)
    assert.deepStrictEqual(data.contacts, JSON.parse(JSON.stringify(live.contacts)))
    const [chat] = data.chats
    assert.ok(data.chats[0] instanceof proto.Conversation)
    assert.strictEqual(chat!.lastMessageRecvTimestamp, 1_717_000_300)
    assert.strictEqual(chat!.lidJid, "200000000000001@lid")
    assert.deepStrictEqual(chat!.conversationTimestamp, live.chats[0]!.conversationTimestamp)
    // As processHistoryMessage leaves it: the chat's last message is the same object as in messages.
    assert.strictEqual(chat!.messages?.[0]?.message, message)
    assert.strictEqual(live.chats[0]!.messages?.[0]?.message, liveMessage)
  })

  it("keeps the LID fields Baileys adds to live keys, which the protobuf schema does not know", () => {
    const message: WAMessage = {
      key: {
        remoteJid: "120363000000000001@g.us",
        fromMe: false,
        id: "3EB0B1",
        participant: "200000000000003@lid",
        participantAlt: "15550100003@s.whatsapp.net",
        addressingMode: "lid",
      },
      messageTimestamp: 1_717_000_500,
      pushName: "Jürgen",
      message: proto.Message.fromObject({ conversation: "Grüße aus München" }),
      category: "peer",
    }
    const replayed = replay({ event: "messages.upsert", data: { messages: [message], type: "notify" } })
    if (replayed.event.event !== "messages.upsert") return assert.fail("wrong event")
    const [revived] = replayed.event.data.messages
    assert.strictEqual(revived!.key.participantAlt, "15550100003@s.whatsapp.net")
    assert.strictEqual(revived!.key.addressingMode, "lid")
    assert.strictEqual(revived!.category, "peer")
    assert.strictEqual(revived!.message?.conversation, "Grüße aus München")
    assert.strictEqual(Number(revived!.messageTimestamp), 1_717_000_500)
    assert.strictEqual(replayed.event.data.type, "notify")
  })

  it("keeps a revoke's explicit `message: null` and a receipt's own time", () => {
    const key = { remoteJid: chatJid, fromMe: true, id: "3EB0C1" }
    const replayed = replay({
      event: "messages.update",
      data: [
        { key, update: { message: null, messageStubType: proto.WebMessageInfo.StubType.REVOKE } },
        { key, update: { status: proto.WebMessageInfo.Status.READ, messageTimestamp: 1_717_000_900 } },
        { key, update: { message: { editedMessage: { message: { conversation: "à 11h plutôt" } } } } },
      ],
    })
    if (replayed.event.event !== "messages.update") return assert.fail("wrong event")
    const [revoke, receipt, edit] = replayed.event.data
    assert.ok("message" in revoke!.update)
    assert.strictEqual(revoke!.update.message, null)
    assert.strictEqual(revoke!.update.messageStubType, proto.WebMessageInfo.StubType.REVOKE)
    assert.deepStrictEqual(receipt!.update, {
      status: proto.WebMessageInfo.Status.READ,
      messageTimestamp: 1_717_000_900,
    })
    assert.ok(edit!.update.message instanceof proto.Message)
    assert.strictEqual(edit!.update.message?.editedMessage?.message?.conversation, "à 11h plutôt")
  })

  it("revives reactions (including removal) and group receipts", () => {
    const target = { remoteJid: chatJid, fromMe: false, id: "3EB0D1" }
    const reactions = replay({
      event: "messages.reaction",
      data: [
        {
          key: target,
          reaction: { key: { ...target, fromMe: true }, text: "", senderTimestampMs: 1_717_001_000_000 },
        },
      ],
    })
    if (reactions.event.event !== "messages.reaction") return assert.fail("wrong event")
    const [removal] = reactions.event.data
    assert.strictEqual(removal!.reaction.text, "")
    assert.strictEqual(Number(removal!.reaction.senderTimestampMs), 1_717_001_000_000)

    const receipts = replay({
      event: "message-receipt.update",
      data: [
        { key: target, receipt: { userJid: "15550100004@s.whatsapp.net", readTimestamp: 1_717_001_100 } },
      ],
    })
    if (receipts.event.event !== "message-receipt.update") return assert.fail("wrong event")
    assert.deepStrictEqual(receipts.event.data[0]!.receipt, {
      userJid: "15550100004@s.whatsapp.net",
      readTimestamp: 1_717_001_100,
    })
  })

  it("accepts enum names and 64-bit strings written by hand", () => {
    const line = JSON.stringify({
      event: "messaging-history.set",
      data: { chats: [], contacts: [], messages: [], syncType: "FULL", progress: 100, isLatest: false },
      recordedAt: "2026-01-01",
    })
    const decoded = decodeRecordingLine(line, "hand.jsonl", 3)
    if (decoded?._tag !== "RecordedEvent" || decoded.event.event !== "messaging-history.set") {
      return assert.fail("not decoded")
    }
    assert.strictEqual(decoded.event.data.syncType, proto.HistorySync.HistorySyncType.FULL)
  })
})

describe("hostile lines", () => {
  it("cannot change what a revived message is", () => {
    const line =
      '{"event":"messages.upsert","data":{"type":"notify","messages":[{"key":{"remoteJid":"15550100030@s.whatsapp.net","id":"X1","__proto__":{"polluted":true}},"message":{"conversation":"hi"},"__proto__":{"polluted":true},"toJSON":1,"constructor":2}]}}'
    const decoded = decodeRecordingLine(line, "hostile.jsonl", 1)
    if (decoded?._tag !== "RecordedEvent" || decoded.event.event !== "messages.upsert")
      return assert.fail("not decoded")
    const [message] = decoded.event.data.messages
    assert.ok(message instanceof proto.WebMessageInfo)
    assert.strictEqual(typeof (message as proto.WebMessageInfo).toJSON, "function")
    assert.strictEqual((message as unknown as { polluted?: boolean }).polluted, undefined)
    assert.strictEqual((message!.key as { polluted?: boolean }).polluted, undefined)
    assert.strictEqual(({} as { polluted?: boolean }).polluted, undefined)
    assert.strictEqual(message!.message?.conversation, "hi")
  })

  it("cannot change what a revived update is", () => {
    const line =
      '{"event":"messages.update","data":[{"key":{"remoteJid":"15550100030@s.whatsapp.net","id":"X1"},"update":{"__proto__":{"polluted":true},"status":3}}]}'
    const decoded = decodeRecordingLine(line, "hostile.jsonl", 2)
    if (decoded?._tag !== "RecordedEvent" || decoded.event.event !== "messages.update")
      return assert.fail("not decoded")
    const update = decoded.event.data[0]!.update
    assert.strictEqual(Object.getPrototypeOf(update), Object.prototype)
    assert.deepStrictEqual(update, { status: 3 })
  })
})

describe("malformed lines", () => {
  const reasonOf = (text: string) => {
    const decoded = decodeRecordingLine(text, "broken.jsonl", 12)
    assert.strictEqual(decoded?._tag, "MalformedLine")
    return (decoded as MalformedLine).message
  }

  it("ignores blank lines and // comments", () => {
    assert.strictEqual(decodeRecordingLine("", "a.jsonl", 1), undefined)
    assert.strictEqual(decodeRecordingLine("   ", "a.jsonl", 2), undefined)
    assert.strictEqual(decodeRecordingLine("// case: revokes", "a.jsonl", 3), undefined)
  })

  it("says which file and line is wrong and why", () => {
    assert.match(reasonOf("{not json"), /^broken\.jsonl:12: not valid JSON/)
    assert.strictEqual(
      reasonOf("[1,2]"),
      'broken.jsonl:12: a line must be a JSON object {"event": …, "data": …}',
    )
    assert.strictEqual(
      reasonOf('{"event":"messages.teleport","data":{}}'),
      'broken.jsonl:12: unknown event "messages.teleport"',
    )
    assert.strictEqual(
      reasonOf('{"event":"chats.upsert"}'),
      'broken.jsonl:12: chats.upsert: the line has no "data"',
    )
    assert.strictEqual(
      reasonOf(
        '{"event":"messages.upsert","data":{"messages":[{"key":{"remoteJid":"a@s.whatsapp.net"}}],"type":"notify"}}',
      ),
      "broken.jsonl:12: messages.upsert: data.messages[0].key.id must be a string",
    )
    assert.strictEqual(
      reasonOf('{"event":"messages.upsert","data":{"messages":[],"type":"later"}}'),
      "broken.jsonl:12: messages.upsert: data.type must be one of append, notify",
    )
    assert.match(
      reasonOf(
        '{"event":"messages.upsert","data":{"messages":[{"key":{"remoteJid":"a@s.whatsapp.net","id":"1"},"message":"hi"}],"type":"notify"}}',
      ),
      /data\.messages\[0\] does not fit the WAProto schema: .*message: object expected/,
    )
    assert.strictEqual(
      reasonOf('{"event":"lid-mapping.update","data":{"lid":"1@lid"}}'),
      "broken.jsonl:12: lid-mapping.update: data.pn must be a string",
    )
  })
})
