// Events people captured from real WhatsApp sessions (fixtures/recorded, anonymised), stored by the
// bridge's own ingestion and read back through a real MCP client: every payload shows what a
// person would see on the phone, refused payloads are reported, and nothing else appears.
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import chats from "@whatsapp-mcp/plugin-chats"
import messages from "@whatsapp-mcp/plugin-messages"
import { type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"

const recorded = path.resolve(import.meta.dirname, "../../../fixtures/recorded")

// biome-ignore lint/suspicious/noExplicitAny: fixture lines are JSON read back for expectations
type Json = any
const linesOf = (file: string): ReadonlyArray<Json> =>
  readFileSync(path.join(recorded, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))

interface Shown {
  readonly id: string
  readonly chat_jid: string
  readonly chat_name: string
  readonly sender: string
  readonly sender_jid: string | null
  readonly from_me: boolean
  readonly kind: string
  readonly text: string | null
  readonly file_name?: string
  readonly mimetype?: string
  readonly location?: { readonly latitude: number; readonly longitude: number }
  readonly poll_options?: ReadonlyArray<string>
  readonly quoted?: { readonly id: string }
  readonly reactions?: ReadonlyArray<{ readonly emoji: string; readonly sender_jid: string | null }>
  readonly edited: boolean
  readonly deleted: boolean
}
interface ChatShown {
  readonly jid: string
  readonly name: string
  readonly kind: string
  readonly phone_number: string | null
  readonly unread_count: number
}

interface Reading {
  readonly mounted: Mounted & { readonly close: () => Promise<void> }
  readonly problems: ReadonlyArray<string>
  readonly messages: ReadonlyArray<Shown>
  readonly chats: ReadonlyArray<ChatShown>
}

const read = async (file: string): Promise<Reading> => {
  const store = await storeFromStreams([path.join(recorded, file)])
  const mounted = await mountPromise({ plugins: [chats, messages], storeDir: store.storeDir })
  const listed = await mounted.client.callTool({
    name: "list_messages",
    arguments: { limit: 100, include_context: false },
  })
  const chatList = await mounted.client.callTool({
    name: "list_chats",
    arguments: { limit: 100, include_last_message: false },
  })
  const page = listed.structuredContent as { messages: ReadonlyArray<Shown>; has_more: boolean }
  expect(page.has_more).toBe(false)
  return {
    mounted,
    problems: store.problems,
    messages: page.messages,
    chats: (chatList.structuredContent as { chats: ReadonlyArray<ChatShown> }).chats,
  }
}

const byId = (reading: Reading, id: string): Shown => {
  const found = reading.messages.find((m) => m.id === id)
  if (found === undefined) throw new Error(`message ${id} is not shown`)
  return found
}

/** The one message of an upsert line (1-based). */
const upserted = (lines: ReadonlyArray<Json>, line: number): Json => {
  const event = lines[line - 1]
  expect(event.event).toBe("messages.upsert")
  return event.data.messages[0]
}

describe("real captures, first set (fixtures/recorded/real-first-set.jsonl)", () => {
  const lines = linesOf("real-first-set.jsonl")
  let reading: Reading
  beforeAll(async () => {
    reading = await read("real-first-set.jsonl")
  })
  afterAll(async () => reading?.mounted.close())
  const m = (line: number) => upserted(lines, line)
  const shown = (line: number) => byId(reading, m(line).key.id)

  it("reports the publisher-masked payloads it cannot key (lines 2, 8, 9, 10, 12, 15) and stores everything else", () => {
    expect(reading.problems.map((problem) => /^real-first-set\.jsonl:(\d+):/.exec(problem)?.[1])).toEqual([
      "2",
      "8",
      "9",
      "10",
      "12",
      "15",
    ])
    for (const line of [2, 8, 9, 10, 15])
      expect(reading.problems.find((p) => p.includes(`:${line}:`))).toContain("is not a WhatsApp JID")
  })

  it("shows exactly the visible messages: no sender-key, history-sync, call, update or refused payload appears", () => {
    const visible = [1, 3, 4, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29].map(
      (line) => m(line).key.id,
    )
    const revokedTarget = m(11).message.protocolMessage.key.id
    const carried = lines[30].data[0].messages[0].message.key.id
    expect([...reading.messages.map((x) => x.id)].sort()).toEqual([...visible, revokedTarget, carried].sort())
    // no chat named after a masked or empty JID
    expect(reading.chats.map((c) => c.name).filter((name) => /^\+\D|^\+$/.test(name))).toEqual([])
  })

  it("line 1: a legacy group-create notice by its creator", () => {
    expect(shown(1)).toMatchObject({
      kind: "system",
      chat_jid: m(1).key.remoteJid,
      sender_jid: m(1).key.participant ?? m(1).participant,
    })
  })

  it("lines 3 and 4: a buttons message shows its body and buttons; the reply shows the chosen button and quotes it", () => {
    const buttons = m(3).message.buttonsMessage
    expect(shown(3).kind).toBe("interactive")
    expect(shown(3).text).toBe(
      `${buttons.contentText}\n${buttons.buttons.map((b: Json) => `[${b.buttonText.displayText}]`).join(" ")}`,
    )
    expect(shown(4)).toMatchObject({
      kind: "interactive",
      from_me: true,
      sender: "You",
      text: m(4).message.buttonsResponseMessage.selectedDisplayText,
      quoted: { id: m(3).key.id },
    })
  })

  it("line 6: a forwarded PDF inside two wrappers keeps its file name and type", () => {
    const document = m(6).message.ephemeralMessage.message.documentWithCaptionMessage.message.documentMessage
    expect(shown(6)).toMatchObject({
      kind: "document",
      file_name: document.fileName,
      mimetype: "application/pdf",
      sender_jid: m(6).key.remoteJid,
    })
  })

  it("line 7: a business list message shows its body and rows, in a chat named by the verified name", () => {
    const list = m(7).message.listMessage
    expect(shown(7).kind).toBe("interactive")
    expect(shown(7).text).toContain(list.description)
    for (const row of list.sections.flatMap((s: Json) => s.rows))
      expect(shown(7).text).toContain(`- ${row.title}`)
    expect(shown(7).chat_name).toBe(m(7).verifiedBizName)
  })

  it("line 11: the account's own revoke shows its target as deleted, and not itself", () => {
    const target = m(11).message.protocolMessage.key
    expect(byId(reading, target.id)).toMatchObject({
      deleted: true,
      text: null,
      from_me: true,
      chat_jid: target.remoteJid,
    })
  })

  it("lines 16 and 17: LID group replies and mentions; a masked sender stays unknown, a masked participantPn is not a phone", () => {
    expect(shown(16)).toMatchObject({
      kind: "text",
      text: m(16).message.extendedTextMessage.text,
      sender_jid: null,
      quoted: { id: m(16).message.extendedTextMessage.contextInfo.stanzaId },
    })
    expect(shown(17)).toMatchObject({
      kind: "text",
      text: m(17).message.extendedTextMessage.text,
      sender_jid: m(17).key.participant,
      sender: m(17).pushName,
    })
    expect(reading.messages.some((x) => x.sender_jid?.includes("x") || x.sender_jid?.includes("*"))).toBe(
      false,
    )
  })

  it("lines 18 to 29: text, media with captions and details, poll, location, contact, sticker, replies, document", () => {
    const direct = (line: number) => ({
      chat_jid: m(line).key.remoteJid,
      sender_jid: m(line).key.remoteJid,
      sender: m(line).pushName,
    })
    expect(shown(18)).toMatchObject({
      ...direct(18),
      kind: "text",
      text: m(18).message.conversation,
      chat_name: m(18).pushName,
    })
    expect(shown(19)).toMatchObject({
      ...direct(19),
      kind: "image",
      text: m(19).message.imageMessage.caption,
      mimetype: "image/jpeg",
    })
    expect(shown(20)).toMatchObject({ ...direct(20), kind: "audio", text: null, mimetype: "audio/mpeg" })
    expect(shown(21)).toMatchObject({
      ...direct(21),
      kind: "video",
      text: m(21).message.videoMessage.caption,
      mimetype: "video/mp4",
    })
    const poll = m(22).message.pollCreationMessageV3
    expect(shown(22)).toMatchObject({
      ...direct(22),
      kind: "poll",
      text: poll.name,
      poll_options: poll.options.map((o: Json) => o.optionName),
    })
    const pin = m(23).message.locationMessage
    expect(shown(23)).toMatchObject({
      ...direct(23),
      kind: "location",
      location: { latitude: pin.degreesLatitude, longitude: pin.degreesLongitude },
    })
    expect(shown(24)).toMatchObject({
      ...direct(24),
      kind: "contact",
      text: m(24).message.contactMessage.displayName,
    })
    expect(shown(25)).toMatchObject({ ...direct(25), kind: "sticker", mimetype: "image/webp" })
    expect(shown(26)).toMatchObject({
      ...direct(26),
      kind: "text",
      text: m(26).message.extendedTextMessage.text,
    })
    expect(shown(27)).toMatchObject({
      kind: "text",
      chat_jid: m(27).key.remoteJid,
      sender_jid: m(27).key.participant,
      quoted: { id: m(27).message.extendedTextMessage.contextInfo.stanzaId },
    })
    expect(shown(28)).toMatchObject({
      ...direct(28),
      kind: "text",
      quoted: { id: m(28).message.extendedTextMessage.contextInfo.stanzaId },
    })
    expect(shown(29)).toMatchObject({
      ...direct(29),
      kind: "document",
      text: null,
      file_name: m(29).message.documentMessage.fileName,
    })
  })

  it("line 30: a v7 group-participants.update with participant objects makes the group known and adds no message", () => {
    const update = lines[29].data
    expect(reading.chats.find((c) => c.jid === update.id)).toMatchObject({ kind: "group" })
    expect(reading.messages.some((x) => x.chat_jid === update.id)).toBe(false)
  })

  it("line 31: a message carried by chats.update is stored once, in the person's phone chat", () => {
    const chat = lines[30].data[0]
    const carried = chat.messages[0].message
    expect(reading.messages.filter((x) => x.id === carried.key.id)).toEqual([
      expect.objectContaining({
        chat_jid: chat.id,
        sender_jid: carried.key.remoteJidAlt,
        kind: "text",
        text: carried.message.conversation,
        chat_name: carried.pushName,
      }),
    ])
    expect(reading.chats.filter((c) => c.jid === chat.id || c.jid === carried.key.remoteJid)).toEqual([
      expect.objectContaining({ jid: chat.id, unread_count: 1, phone_number: `+${chat.id.split("@")[0]}` }),
    ])
  })
})

interface Expectation {
  readonly line: number
  readonly chat_jid: string
  readonly id: string
  readonly kind: string
  readonly target_id?: string
  readonly target_in_stream?: boolean
}

describe("real captures, second set (fixtures/recorded/real-second-set.jsonl)", () => {
  const lines = linesOf("real-second-set.jsonl")
  const expectations = JSON.parse(
    readFileSync(path.join(recorded, "real-second-set-expectations.json"), "utf8"),
  ) as ReadonlyArray<Expectation>
  let reading: Reading
  beforeAll(async () => {
    reading = await read("real-second-set.jsonl")
  })
  afterAll(async () => reading?.mounted.close())
  const m = (line: number) => upserted(lines, line)
  const content = (line: number) => {
    const message = m(line).message
    return (
      message.viewOnceMessageV2Extension?.message ?? message.documentWithCaptionMessage?.message ?? message
    )
  }
  /** Where the store shows a chat: a LID chat whose phone the key names is the phone chat. */
  const chatOf = (e: Expectation) => m(e.line).key.remoteJidAlt ?? e.chat_jid

  it("stores every line without a problem", () => {
    expect(reading.problems).toEqual([])
  })

  const shownKinds: Record<string, string> = {
    text: "text",
    reply: "text",
    contact: "contact",
    contacts: "contact",
    image: "image",
    video: "video",
    voice: "voice",
    document: "document",
    location: "location",
    live_location: "location",
    poll: "poll",
    stub: "ciphertext",
  }

  it("shows each message with its kind, in its chat, from its sender", () => {
    for (const e of expectations.filter((e) => shownKinds[e.kind] !== undefined)) {
      const message = m(e.line)
      const shown = byId(reading, e.id)
      expect(shown, `line ${e.line}`).toMatchObject({
        kind: shownKinds[e.kind],
        chat_jid: chatOf(e),
        from_me: message.key.fromMe,
      })
      if (e.kind === "reply") expect(shown.quoted?.id, `line ${e.line}`).toBe(e.target_id)
    }
  })

  it("shows the text or caption the person sent, and none for media without one", () => {
    const textOf = (line: number): string | null => {
      const c = content(line)
      return (
        c.conversation ??
        c.extendedTextMessage?.text ??
        c.imageMessage?.caption ??
        c.videoMessage?.caption ??
        c.documentMessage?.caption ??
        c.liveLocationMessage?.caption ??
        c.pollCreationMessageV3?.name ??
        c.contactMessage?.displayName ??
        null
      )
    }
    for (const e of expectations.filter((e) =>
      [
        "text",
        "reply",
        "image",
        "video",
        "voice",
        "document",
        "location",
        "live_location",
        "poll",
        "contact",
      ].includes(e.kind),
    )) {
      if (e.line === 20) continue // edited then deleted below
      expect(byId(reading, e.id).text, `line ${e.line}`).toBe(textOf(e.line))
    }
  })

  it("keeps media details: type, file name, and both contacts of a contacts array", () => {
    for (const e of expectations.filter((e) => ["image", "video", "voice", "document"].includes(e.kind))) {
      const c = content(e.line)
      const media = c.imageMessage ?? c.videoMessage ?? c.audioMessage ?? c.documentMessage
      expect(byId(reading, e.id).mimetype, `line ${e.line}`).toBe(media.mimetype)
      if (media.fileName !== undefined) expect(byId(reading, e.id).file_name).toBe(media.fileName)
    }
    const array = expectations.find((e) => e.kind === "contacts") as Expectation
    for (const card of m(array.line).message.contactsArrayMessage.contacts)
      expect(byId(reading, array.id).text).toContain(card.displayName)
  })

  it("reactions, edits, revokes and poll votes change their target and are never messages of their own", () => {
    const own = new Set(reading.messages.map((x) => x.id))
    for (const e of expectations.filter((e) => ["reaction", "edit", "revoke", "poll_vote"].includes(e.kind)))
      expect(own.has(e.id), `line ${e.line}`).toBe(false)
    const edited = expectations.find((e) => e.kind === "edit" && e.target_in_stream === true) as Expectation
    const reaction = expectations.find(
      (e) => e.kind === "reaction" && e.target_in_stream === true,
    ) as Expectation
    const target = byId(reading, edited.target_id as string)
    // edited (line 21), then deleted for everyone (line 23): the content is gone, the reaction stays
    expect(target).toMatchObject({ deleted: true, text: null })
    expect(target.reactions).toEqual([
      expect.objectContaining({
        emoji: m(reaction.line).message.reactionMessage.text,
        sender_jid: chatOf(reaction),
      }),
    ])
  })

  it("names each direct chat after its person and links the LID chat to the phone number its key carries", () => {
    const linked = expectations.find((e) => m(e.line).key.remoteJidAlt !== undefined) as Expectation
    expect(reading.chats.some((c) => c.jid === linked.chat_jid)).toBe(false)
    expect(reading.chats.find((c) => c.jid === chatOf(linked))).toMatchObject({
      name: m(linked.line).pushName,
      phone_number: `+${chatOf(linked).split("@")[0]}`,
    })
    expect(byId(reading, "50F2A87CC40A95126440A0416881EC70").chat_name).toBe(m(1).pushName)
  })
})
