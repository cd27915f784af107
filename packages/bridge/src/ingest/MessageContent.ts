/**
 * What one WhatsApp message says, read into the store's content columns: its kind, text (body,
 * caption, poll question…), media pointers, location, contact cards, poll options and the message
 * it replies to. Wrappers (ephemeral, view-once, document-with-caption, edited) are unwrapped first.
 */

import { MaxStoredThumbnailBytes } from "@whatsapp-mcp/core/limits"
import type { MessageKind } from "@whatsapp-mcp/core/store"
// From its own module rather than Baileys' index, which would load the socket too: `bridge ingest`
// needs none of it.
import { normalizeMessageContent } from "@whiskeysockets/baileys/lib/Utils/messages.js"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import type { MessageContentColumns } from "../store/MessageWriter.js"
import { protoBytes, protoEnum, protoInteger, protoText, unixSecondsFromMillis } from "./ProtoValues.js"

/** The content columns of a `messages` row. */
export type MessageContent = MessageContentColumns

/** How a message payload acts on the store. */
export type MessageMeaning =
  | { readonly _tag: "Content"; readonly content: MessageContent }
  /** a reaction to another message (empty emoji: the reaction was removed) */
  | {
      readonly _tag: "Reaction"
      readonly targetId: string
      readonly emoji: string
      readonly timestamp: number | undefined
    }
  /** the sender deleted another message for everyone */
  | { readonly _tag: "Revoke"; readonly targetId: string }
  /** the sender edited another message */
  | {
      readonly _tag: "Edit"
      readonly targetId: string
      readonly text: string | null
      readonly timestamp: number | undefined
    }
  /** nothing a reader sees: key distribution, history-sync notices, encrypted poll votes… */
  | { readonly _tag: "Ignored" }
  /** no content at all: a stub (system notice, undecryptable placeholder) or an empty message */
  | { readonly _tag: "Empty" }

const ProtocolType = proto.Message.ProtocolMessage.Type

/** Fields shared by image, video, audio, document and sticker messages. */
interface MediaFields {
  readonly url?: string | null
  readonly mimetype?: string | null
  readonly fileSha256?: Uint8Array | null
  readonly fileLength?: unknown
  readonly seconds?: number | null
  readonly mediaKey?: Uint8Array | null
  readonly fileEncSha256?: Uint8Array | null
  readonly directPath?: string | null
  readonly fileName?: string | null
  readonly width?: number | null
  readonly height?: number | null
  readonly caption?: string | null
  readonly contextInfo?: proto.IContextInfo | null
  /** image and video messages */
  readonly jpegThumbnail?: Uint8Array | null
  /** sticker messages */
  readonly pngThumbnail?: Uint8Array | null
}

type Draft = { -readonly [K in keyof MessageContent]: MessageContent[K] }

// Every content object is built from this one literal, so they all share one shape (and stay fast).
const blank = (kind: MessageKind): Draft => ({
  kind,
  text: null,
  mediaMimetype: null,
  mediaFileName: null,
  mediaSize: null,
  mediaSeconds: null,
  mediaWidth: null,
  mediaHeight: null,
  mediaKey: null,
  mediaDirectPath: null,
  mediaUrl: null,
  mediaSha256: null,
  mediaEncSha256: null,
  mediaThumbnail: null,
  latitude: null,
  longitude: null,
  vcard: null,
  pollOptions: null,
  quotedId: null,
  quotedSender: null,
})

/** Content columns for a row whose content is not (or no longer) known. */
export const contentOfKind = (kind: MessageKind): MessageContent => blank(kind)

const positive = (value: unknown): number | null => {
  const n = protoInteger(value)
  return n !== undefined && n > 0 ? n : null
}

/** Fills in the message this one replies to, if any. */
const withQuote = (draft: Draft, contextInfo: proto.IContextInfo | null | undefined): Draft => {
  if (contextInfo) {
    draft.quotedId = protoText(contextInfo.stanzaId) ?? null
    draft.quotedSender = protoText(contextInfo.participant) ?? null
  }
  return draft
}

/** A content object with text and the reply it carries. */
const textual = (kind: MessageKind, text: string | null, contextInfo?: proto.IContextInfo | null): Draft => {
  const draft = blank(kind)
  draft.text = text
  return withQuote(draft, contextInfo)
}

const media = (kind: MessageKind, fields: MediaFields): MessageContent => {
  const draft = textual(kind, protoText(fields.caption) ?? null, fields.contextInfo)
  draft.mediaMimetype = protoText(fields.mimetype) ?? null
  draft.mediaFileName = protoText(fields.fileName) ?? null
  draft.mediaSize = positive(fields.fileLength)
  draft.mediaSeconds = positive(fields.seconds)
  draft.mediaWidth = positive(fields.width)
  draft.mediaHeight = positive(fields.height)
  draft.mediaKey = protoBytes(fields.mediaKey) ?? null
  draft.mediaDirectPath = protoText(fields.directPath) ?? null
  draft.mediaUrl = protoText(fields.url) ?? null
  draft.mediaSha256 = protoBytes(fields.fileSha256) ?? null
  draft.mediaEncSha256 = protoBytes(fields.fileEncSha256) ?? null
  draft.mediaThumbnail = thumbnailOf(kind, fields)
  return draft
}

/**
 * The picture the sender's phone put in a photo, video or sticker message, kept so that a model can
 * see something of it while the media cannot be downloaded. Documents' previews are not kept: a
 * document is returned as a file. Anything too large to be a thumbnail is dropped.
 */
export const thumbnailOf = (kind: MessageKind, fields: MediaFields): Uint8Array | null => {
  if (kind !== "image" && kind !== "video" && kind !== "sticker") return null
  const bytes = protoBytes(kind === "sticker" ? fields.pngThumbnail : fields.jpegThumbnail)
  return bytes !== undefined && bytes.length > 0 && bytes.length <= MaxStoredThumbnailBytes ? bytes : null
}

const joinPresent = (parts: ReadonlyArray<string | null | undefined>, separator: string): string | null => {
  const present = parts.filter((part): part is string => typeof part === "string" && part.length > 0)
  return present.length > 0 ? present.join(separator) : null
}

const poll = (message: proto.Message.IPollCreationMessage): MessageContent => {
  const draft = textual("poll", protoText(message.name) ?? null, message.contextInfo)
  draft.pollOptions = JSON.stringify((message.options ?? []).map((option) => option.optionName ?? ""))
  return draft
}

const located = (
  text: string | null,
  message: {
    degreesLatitude?: number | null
    degreesLongitude?: number | null
    contextInfo?: proto.IContextInfo | null
  },
): MessageContent => {
  const draft = textual("location", text, message.contextInfo)
  draft.latitude = typeof message.degreesLatitude === "number" ? message.degreesLatitude : null
  draft.longitude = typeof message.degreesLongitude === "number" ? message.degreesLongitude : null
  return draft
}

const card = (
  text: string | null,
  vcard: string | null,
  contextInfo: proto.IContextInfo | null | undefined,
) => {
  const draft = textual("contact", text, contextInfo)
  draft.vcard = vcard
  return draft
}

/** Buttons as the person sees them, on one line: `[Yes] [No]`. */
const buttonLine = (labels: ReadonlyArray<string | null | undefined>): string | null =>
  joinPresent(
    labels.map((label) => (typeof label === "string" && label.length > 0 ? `[${label}]` : null)),
    " ",
  )

/**
 * Business and bot messages with buttons, lists and templates, and the replies that pick one: the
 * text is everything the person saw (title, body, footer, the buttons or rows) or what they chose.
 */
const readInteractive = (content: proto.IMessage): MessageContent | undefined => {
  const shown = (parts: ReadonlyArray<string | null | undefined>, contextInfo?: proto.IContextInfo | null) =>
    textual("interactive", joinPresent(parts, "\n"), contextInfo)
  if (content.buttonsMessage) {
    const m = content.buttonsMessage
    return shown(
      [
        m.text,
        m.contentText,
        m.footerText,
        buttonLine((m.buttons ?? []).map((b) => b.buttonText?.displayText)),
      ],
      m.contextInfo,
    )
  }
  if (content.templateMessage) {
    const m = content.templateMessage
    const t = m.hydratedTemplate ?? m.hydratedFourRowTemplate
    if (t) {
      const buttons = (t.hydratedButtons ?? []).map(
        (b) => b.quickReplyButton?.displayText ?? b.urlButton?.displayText ?? b.callButton?.displayText,
      )
      return shown(
        [t.hydratedTitleText, t.hydratedContentText, t.hydratedFooterText, buttonLine(buttons)],
        m.contextInfo,
      )
    }
    return shown([], m.contextInfo)
  }
  if (content.listMessage) {
    const m = content.listMessage
    const rows = (m.sections ?? []).flatMap((section) => [
      section.title,
      ...(section.rows ?? [])
        .map((row) => joinPresent([row.title, row.description], ": "))
        .map((row) => (row === null ? null : `- ${row}`)),
    ])
    return shown([m.title, m.description, m.footerText, buttonLine([m.buttonText]), ...rows], m.contextInfo)
  }
  if (content.interactiveMessage) {
    const m = content.interactiveMessage
    return shown([m.header?.title, m.body?.text, m.footer?.text], m.contextInfo)
  }
  if (content.buttonsResponseMessage) {
    const m = content.buttonsResponseMessage
    return shown([m.selectedDisplayText ?? m.selectedButtonId], m.contextInfo)
  }
  if (content.templateButtonReplyMessage) {
    const m = content.templateButtonReplyMessage
    return shown([m.selectedDisplayText ?? m.selectedId], m.contextInfo)
  }
  if (content.listResponseMessage) {
    const m = content.listResponseMessage
    return shown([m.title ?? m.singleSelectReply?.selectedRowId, m.description], m.contextInfo)
  }
  if (content.interactiveResponseMessage) {
    const m = content.interactiveResponseMessage
    return shown([m.body?.text], m.contextInfo)
  }
  return undefined
}

/** The content columns of an already unwrapped message, or undefined if it carries none we know. */
const readContent = (content: proto.IMessage): MessageContent | undefined => {
  if (typeof content.conversation === "string") return textual("text", content.conversation)
  if (content.extendedTextMessage) {
    const m = content.extendedTextMessage
    return textual("text", protoText(m.text) ?? null, m.contextInfo)
  }
  if (content.imageMessage) return media("image", content.imageMessage)
  if (content.videoMessage) return media("video", content.videoMessage)
  if (content.ptvMessage) return media("video", content.ptvMessage)
  if (content.audioMessage) return media(content.audioMessage.ptt ? "voice" : "audio", content.audioMessage)
  if (content.documentMessage) return media("document", content.documentMessage)
  if (content.stickerMessage) return media("sticker", content.stickerMessage)
  if (content.locationMessage) {
    const m = content.locationMessage
    return located(joinPresent([m.name, m.address, m.comment], "\n"), m)
  }
  if (content.liveLocationMessage) {
    const m = content.liveLocationMessage
    return located(protoText(m.caption) ?? null, m)
  }
  if (content.contactMessage) {
    const m = content.contactMessage
    return card(protoText(m.displayName) ?? null, protoText(m.vcard) ?? null, m.contextInfo)
  }
  if (content.contactsArrayMessage) {
    const m = content.contactsArrayMessage
    const cards = m.contacts ?? []
    return card(
      protoText(m.displayName) ??
        joinPresent(
          cards.map((each) => each.displayName),
          ", ",
        ),
      joinPresent(
        cards.map((each) => each.vcard),
        "\n",
      ),
      m.contextInfo,
    )
  }
  const pollMessage =
    content.pollCreationMessage ??
    content.pollCreationMessageV2 ??
    content.pollCreationMessageV3 ??
    content.pollCreationMessageV5
  if (pollMessage) return poll(pollMessage)
  if (content.eventMessage) {
    const m = content.eventMessage
    return textual("other", joinPresent([m.name, m.description], "\n"), m.contextInfo)
  }
  if (content.groupInviteMessage) {
    const m = content.groupInviteMessage
    return textual("other", joinPresent([m.groupName, m.caption], "\n"), m.contextInfo)
  }
  const interactive = readInteractive(content)
  if (interactive) return interactive
  return undefined
}

/** Message fields that never make a message visible by themselves. */
const invisibleFields = new Set([
  "senderKeyDistributionMessage",
  "messageContextInfo",
  "pollUpdateMessage",
  "encEventResponseMessage",
  "encReactionMessage",
  "keepInChatMessage",
  "pinInChatMessage",
  "encCommentMessage",
])

const hasVisibleField = (content: proto.IMessage): boolean => {
  for (const key of Object.keys(content)) {
    const value = (content as Record<string, unknown>)[key]
    if (value === null || value === undefined || invisibleFields.has(key)) continue
    if (Array.isArray(value) && value.length === 0) continue
    if (key === "conversation" || key.endsWith("Message")) return true
  }
  return false
}

/** The text of an edited message's new content (body or caption). */
export const editedText = (message: proto.IMessage | null | undefined): string | null => {
  const content = normalizeMessageContent(message)
  if (!content) return null
  const inner = content.protocolMessage?.editedMessage
  if (inner) return editedText(inner)
  return readContent(content)?.text ?? null
}

/** Reads what a message payload means for the store. */
export const readMessage = (message: proto.IMessage | null | undefined): MessageMeaning => {
  const content = normalizeMessageContent(message)
  if (!content) return { _tag: "Empty" }
  const known = readContent(content)
  if (known) return { _tag: "Content", content: known }
  if (content.protocolMessage) {
    const protocol = content.protocolMessage
    const targetId = protoText(protocol.key?.id)
    const type = protoEnum(protocol.type, ProtocolType)
    if (targetId !== undefined && type === ProtocolType.REVOKE) return { _tag: "Revoke", targetId }
    if (targetId !== undefined && type === ProtocolType.MESSAGE_EDIT) {
      return {
        _tag: "Edit",
        targetId,
        text: editedText(protocol.editedMessage),
        timestamp: unixSecondsFromMillis(protocol.timestampMs),
      }
    }
    return { _tag: "Ignored" }
  }
  if (content.reactionMessage) {
    const reaction = content.reactionMessage
    const targetId = protoText(reaction.key?.id)
    if (targetId === undefined) return { _tag: "Ignored" }
    return {
      _tag: "Reaction",
      targetId,
      emoji: reaction.text ?? "",
      timestamp: unixSecondsFromMillis(reaction.senderTimestampMs),
    }
  }
  if (!hasVisibleField(content)) return { _tag: "Ignored" }
  return { _tag: "Content", content: contentOfKind("other") }
}
