/**
 * Messages and what happens to them: new messages (with the reactions and receipts folded into
 * them), edits, deletions, reactions, delivery receipts and stars. A message names the chat it
 * belongs to and who wrote it by JIDs that are made canonical here.
 */

import { chatKindOf, isLid, isPhoneJid } from "@whatsapp-mcp/core/jid"
import { MessageDeletion } from "@whatsapp-mcp/core/store"
import type { WAMessage, WAMessageKey } from "@whiskeysockets/baileys"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import type { BaileysEventData } from "../recording/BaileysEvent.js"
import { wireBytesOf } from "../recording/WireMessages.js"
import type { MessageRow, MessageWriter } from "../store/MessageWriter.js"
import { type EventState, skipUnlessStoreFailed, UnusableInput } from "./EventState.js"
import type { Identities } from "./Identities.js"
import type { IdentityLearner } from "./IdentityLearner.js"
import { contentOfKind, editedText, type MessageContent, readMessage } from "./MessageContent.js"
import { protoEnum, protoText, unixSeconds, unixSecondsFromMillis } from "./ProtoValues.js"

const StubType = proto.WebMessageInfo.StubType
const Status = proto.WebMessageInfo.Status

// What Baileys records on a CIPHERTEXT stub when the stanza held no encrypted payload for this
// device, as WhatsApp sends view-once media to the phone alone: not a decryption still to come.
const absentFromNode = "Message absent from node"

const statusOfReceipt = (receipt: proto.IUserReceipt): number | undefined => {
  if (unixSeconds(receipt.playedTimestamp) !== undefined) return Status.PLAYED
  if (unixSeconds(receipt.readTimestamp) !== undefined) return Status.READ
  if (unixSeconds(receipt.receiptTimestamp) !== undefined) return Status.DELIVERY_ACK
  return undefined
}

export class MessageApplier {
  private readonly identities: Identities

  constructor(
    private readonly writer: MessageWriter,
    private readonly learner: IdentityLearner,
  ) {
    this.identities = learner.identities
  }

  /** Stores each message on its own: an unusable one is skipped and reported, the rest stored. */
  applyMessages(messages: ReadonlyArray<WAMessage>, state: EventState): number {
    // the guard, inlined: this loop runs once per message of a whole history
    for (const message of messages) {
      try {
        this.applyMessage(message, state)
      } catch (error) {
        skipUnlessStoreFailed(state, error)
      }
    }
    return messages.length
  }

  /** `messages.reaction`: reactions whose key is the reactor's, to the message each names. */
  applyReactions(data: BaileysEventData<"messages.reaction">): void {
    for (const { key, reaction } of data) {
      const target = this.messageTarget(key)
      if (target) this.applyReaction(target.chatJid, target.id, reaction, undefined)
    }
  }

  /** `message-receipt.update`: one person's delivery, read or played receipt. */
  applyReceipts(data: BaileysEventData<"message-receipt.update">): void {
    for (const { key, receipt } of data) {
      const target = this.messageTarget(key)
      const status = statusOfReceipt(receipt)
      // in groups WhatsApp reports the aggregate in messages.update; one reader is not "read"
      if (target && status !== undefined && chatKindOf(target.chatJid) !== "group") {
        this.writer.raiseStatus(target.chatJid, target.id, status)
      }
    }
  }

  /** `messages.update`: edits, deletions, status, stars, reactions and receipts of stored messages. */
  applyUpdates(data: BaileysEventData<"messages.update">): void {
    for (const update of data) this.applyUpdate(update)
  }

  /** The chat and id a key points at, learning any LID↔phone pair it carries. */
  private messageTarget(key: WAMessageKey | null | undefined): { chatJid: string; id: string } | undefined {
    if (!key) return undefined
    const id = protoText(key.id)
    this.learner.learnFromKey(key)
    const chatJid = this.identities.canonical(key.remoteJid)
    return id === undefined || chatJid === undefined ? undefined : { chatJid, id }
  }

  /** Who wrote a message (or reaction) with this key, canonical; undefined when unknown. */
  private authorOf(
    key: WAMessageKey,
    chatJid: string,
    fallbackParticipant?: string | null,
  ): string | undefined {
    if (key.fromMe === true) return this.identities.selfJid() ?? this.identities.canonical(key.participant)
    if (chatKindOf(chatJid) === "direct") return chatJid
    return this.identities.canonical(key.participant ?? fallbackParticipant)
  }

  private applyMessage(message: WAMessage, state: EventState): void {
    const key = message.key
    const target = this.messageTarget(key)
    if (target === undefined)
      throw new UnusableInput(
        protoText(key?.id) === undefined
          ? "a message without key.id"
          : `a message whose key.remoteJid ${JSON.stringify(key?.remoteJid ?? null).slice(0, 80)} is not a WhatsApp JID (empty, masked or damaged)`,
      )
    const { chatJid, id } = target
    if (chatJid === "status@broadcast") return
    const kind = chatKindOf(chatJid)
    const fromMe = key.fromMe === true
    const senderJid = this.authorOf(key, chatJid, message.participant) ?? null
    const timestamp = unixSeconds(message.messageTimestamp) ?? 0
    const stubType = protoEnum(message.messageStubType, StubType)

    let content: MessageContent
    let deleted: "revoked" | null = null
    if (stubType === StubType.REVOKE) {
      content = contentOfKind("unknown")
      deleted = "revoked"
    } else {
      const meaning = readMessage(message.message)
      switch (meaning._tag) {
        case "Content":
          content = meaning.content
          break
        case "Empty":
          if (stubType === StubType.CIPHERTEXT)
            content = contentOfKind(
              message.messageStubParameters?.includes(absentFromNode) === true ? "view_once" : "ciphertext",
            )
          else if (stubType !== undefined && stubType !== StubType.UNKNOWN) content = contentOfKind("system")
          else return
          break
        case "Reaction":
          this.putReaction(
            chatJid,
            meaning.targetId,
            senderJid,
            fromMe,
            meaning.emoji,
            meaning.timestamp ?? timestamp,
          )
          return
        case "Revoke":
          this.writer.delete(chatJid, meaning.targetId, MessageDeletion.revoked, {
            fromMe,
            senderJid,
            at: timestamp === 0 ? null : timestamp,
          })
          return
        case "Edit":
          if (meaning.text !== null) {
            this.writer.edit(chatJid, meaning.targetId, meaning.text, meaning.timestamp ?? timestamp, {
              fromMe,
              senderJid,
            })
          }
          return
        case "Ignored":
          return
      }
    }

    let status = protoEnum(message.status, Status) ?? null
    if (kind !== "group") {
      for (const receipt of message.userReceipt ?? []) {
        const fromReceipt = statusOfReceipt(receipt)
        if (fromReceipt !== undefined && (status === null || fromReceipt > status)) status = fromReceipt
      }
    }
    const row: MessageRow = {
      chatJid,
      id,
      fromMe,
      senderJid,
      timestamp,
      content,
      quotedSenderJid:
        content.quotedSender === null ? null : (this.identities.canonical(content.quotedSender) ?? null),
      stubType: stubType === undefined || stubType === StubType.UNKNOWN ? null : stubType,
      stubParameters:
        content.kind === "system" && message.messageStubParameters?.length
          ? JSON.stringify(message.messageStubParameters)
          : null,
      status,
      starred: message.starred === true,
      deleted,
      deletedAt: null,
      raw: deleted === null ? encodeRaw(message) : null,
    }
    this.writer.upsert(row)

    for (const reaction of message.reactions ?? []) this.applyReaction(chatJid, id, reaction, timestamp)

    const previous = state.chatTimes.get(chatJid)
    if (previous === undefined || timestamp > previous.time)
      state.chatTimes.set(chatJid, { kind, time: timestamp })
    if (!fromMe && senderJid !== null && (isPhoneJid(senderJid) || isLid(senderJid))) {
      const pushName = protoText(message.pushName)
      const verifiedName = protoText(message.verifiedBizName)
      if (pushName !== undefined || verifiedName !== undefined) {
        state.pushNames.set(senderJid, {
          ...state.pushNames.get(senderJid),
          ...(pushName === undefined ? {} : { pushName }),
          ...(verifiedName === undefined ? {} : { verifiedName }),
        })
      }
    }
  }

  private putReaction(
    chatJid: string,
    messageId: string,
    senderJid: string | null,
    fromMe: boolean,
    emoji: string,
    timestamp: number,
  ): void {
    const sender = senderJid ?? (fromMe ? "" : undefined)
    if (sender === undefined) throw new UnusableInput("a reaction whose sender is unknown")
    if (emoji.length === 0) this.writer.removeReaction(chatJid, messageId, sender, timestamp)
    else this.writer.putReaction(chatJid, messageId, sender, fromMe, emoji, timestamp)
  }

  /** A reaction folded into a message or delivered by `messages.reaction` (its key is the reactor's). */
  private applyReaction(
    chatJid: string,
    messageId: string,
    reaction: proto.IReaction,
    fallbackTime: number | undefined,
  ): void {
    const key = (reaction.key ?? {}) as WAMessageKey
    this.learner.learnFromKey(key)
    const fromMe = key.fromMe === true
    const reactorChat = this.identities.canonical(key.remoteJid) ?? chatJid
    const sender = this.authorOf(key, reactorChat) ?? null
    const time = unixSecondsFromMillis(reaction.senderTimestampMs) ?? fallbackTime ?? 0
    this.putReaction(chatJid, messageId, sender, fromMe, reaction.text ?? "", time)
  }

  private applyUpdate({ key, update }: BaileysEventData<"messages.update">[number]): void {
    const target = this.messageTarget(key)
    if (target === undefined) throw new UnusableInput("an update without key.id or key.remoteJid")
    const { chatJid, id } = target
    const fromMe = key.fromMe === true
    const stubType = protoEnum(update.messageStubType, StubType)
    if (Object.hasOwn(update, "message") && (update.message === null || stubType === StubType.REVOKE)) {
      if (stubType === StubType.REVOKE || update.message === null) {
        this.writer.delete(chatJid, id, MessageDeletion.revoked, {
          fromMe,
          senderJid: this.authorOf(key, chatJid) ?? null,
          at: null,
        })
      }
    } else if (update.message) {
      const edit = update.message.editedMessage ?? update.message.protocolMessage?.editedMessage
      if (edit) {
        const text = editedText(update.message)
        // for edits, messages.update carries the edit's time in messageTimestamp
        const at = unixSeconds(update.messageTimestamp)
        if (text !== null && at !== undefined) {
          this.writer.edit(chatJid, id, text, at, {
            fromMe,
            senderJid: this.authorOf(key, chatJid) ?? null,
          })
        }
      }
    }
    const status = protoEnum(update.status, Status)
    if (status !== undefined) this.writer.raiseStatus(chatJid, id, status)
    if (typeof update.starred === "boolean") this.writer.setStarred(chatJid, id, update.starred)
    for (const reaction of update.reactions ?? []) this.applyReaction(chatJid, id, reaction, undefined)
    if (chatKindOf(chatJid) !== "group") {
      for (const receipt of update.userReceipt ?? []) {
        const fromReceipt = statusOfReceipt(receipt)
        if (fromReceipt !== undefined) this.writer.raiseStatus(chatJid, id, fromReceipt)
      }
    }
  }

  /** `messages.delete`: messages deleted for me, one by one or a whole chat's. */
  applyDelete(data: BaileysEventData<"messages.delete">): void {
    if ("keys" in data) {
      for (const key of data.keys) {
        const target = this.messageTarget(key)
        if (target === undefined) continue
        this.writer.delete(target.chatJid, target.id, MessageDeletion.forMe, {
          fromMe: key.fromMe === true,
          senderJid: this.authorOf(key, target.chatJid) ?? null,
          at: null,
        })
      }
      return
    }
    const jid = this.identities.canonical(data.jid)
    if (jid !== undefined && data.all === true) this.writer.deleteAllForMe(jid)
  }
}

/** The message as WhatsApp's protobuf bytes; a payload protobuf cannot encode is stored without them. */
const encodeRaw = (message: WAMessage): Uint8Array | null => {
  const known = wireBytesOf(message)
  if (known !== undefined) return known
  try {
    return proto.WebMessageInfo.encode(message).finish()
  } catch {
    return null
  }
}
