/**
 * Applies Baileys events to the store: one transaction per batch, one savepoint per event, so an
 * unusable event is skipped whole and reported, and a failing store (disk full, I/O error) leaves
 * nothing of the batch behind. The same code runs for live sockets and recorded streams.
 */

import { chatKindOf, isLid, isPhoneJid, phoneOf } from "@whatsapp-mcp/core/jid"
import { AccountKeys, type ChatKind, HistorySyncTypes, type ParticipantRole } from "@whatsapp-mcp/core/store"
import type { WAMessage, WAMessageKey } from "@whiskeysockets/baileys"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import Database from "better-sqlite3"
import { type BaileysEvent, type BaileysEventData, carriesMessages } from "../recording/BaileysEvent.js"
import { wireBytesOf } from "../recording/WireMessages.js"
import { type MessageRow, StoreWriter } from "../store/StoreWriter.js"
import { Identities } from "./Identities.js"
import { normaliseJid } from "./Jids.js"
import { contentOfKind, editedText, type MessageContent, readMessage } from "./MessageContent.js"
import {
  protoEnum,
  protoInteger,
  protoText,
  unixSeconds,
  unixSecondsFromMillis,
  unixSecondsLoose,
} from "./ProtoValues.js"

/** Something in a batch that could not be stored, and why. */
export interface SkippedItem {
  /** position of the event in its batch */
  readonly eventIndex: number
  readonly event: string
  readonly reason: string
}

/** What one batch did. */
export interface BatchOutcome {
  readonly events: number
  /** messages carried by the batch's `messages.upsert` and `messaging-history.set` events */
  readonly messages: number
  readonly skipped: ReadonlyArray<SkippedItem>
}

const StubType = proto.WebMessageInfo.StubType
const Status = proto.WebMessageInfo.Status
const SyncType = proto.HistorySync.HistorySyncType

/** Raised for input that cannot be stored; the item is skipped and reported. */
class UnusableInput extends Error {}

/**
 * SQLite failures that say the store cannot take writes right now (rather than that one input is
 * bad): the whole batch is abandoned so that none of it is half-stored.
 */
export const isStoreFailure = (error: unknown): boolean =>
  error instanceof Database.SqliteError &&
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|NOMEM|READONLY|CORRUPT|CANTOPEN|INTERRUPT|PROTOCOL|NOTADB|PERM)/.test(
    error.code,
  )

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Per-event aggregation: chats touched by messages and push names seen, written once per event. */
/** Key fields of Baileys 6.7 that 7 replaced with `…Alt`; recordings from those versions still carry them. */
interface LegacyPnKey {
  readonly senderPn?: unknown
  readonly participantPn?: unknown
}

// What Baileys records on a CIPHERTEXT stub when the stanza held no encrypted payload for this
// device, as WhatsApp sends view-once media to the phone alone: not a decryption still to come.
const absentFromNode = "Message absent from node"

interface EventState {
  readonly chatTimes: Map<string, { kind: ChatKind; time: number }>
  readonly pushNames: Map<string, { pushName?: string; verifiedName?: string }>
  readonly skipped: Array<SkippedItem>
  readonly eventIndex: number
  readonly event: string
}

const statusOfReceipt = (receipt: proto.IUserReceipt): number | undefined => {
  if (unixSeconds(receipt.playedTimestamp) !== undefined) return Status.PLAYED
  if (unixSeconds(receipt.readTimestamp) !== undefined) return Status.READ
  if (unixSeconds(receipt.receiptTimestamp) !== undefined) return Status.DELIVERY_ACK
  return undefined
}

const roleOf = (participant: {
  admin?: string | null
  isAdmin?: boolean
  isSuperAdmin?: boolean
}): ParticipantRole =>
  participant.admin === "superadmin" || participant.isSuperAdmin === true
    ? "superadmin"
    : participant.admin === "admin" || participant.isAdmin === true
      ? "admin"
      : "member"

const syncTypeName = (value: unknown): string => {
  const n = protoEnum(value, SyncType)
  return n === undefined ? "UNKNOWN" : (HistorySyncTypes[n] ?? `TYPE_${n}`)
}

const has = (object: object, key: string): boolean => Object.hasOwn(object, key)

/** A participant or contact entry: an object in Baileys 7, a bare JID in older payloads. */
type ParticipantEntry =
  | string
  | {
      readonly id?: string | null
      readonly lid?: string | null
      readonly phoneNumber?: string | null
      readonly admin?: string | null
      readonly isAdmin?: boolean
      readonly isSuperAdmin?: boolean
      readonly name?: string | null
      readonly notify?: string | null
      readonly verifiedName?: string | null
    }

export class EventApplier {
  readonly writer: StoreWriter
  readonly identities: Identities
  private readonly directChats = new Set<string>()
  private readonly runBatch: (events: ReadonlyArray<BaileysEvent>) => BatchOutcome

  constructor(readonly db: Database.Database) {
    this.writer = new StoreWriter(db)
    this.identities = new Identities(db)
    const transaction = db.transaction((events: ReadonlyArray<BaileysEvent>) =>
      this.writer.withDeferredIndexing(() => this.applyAll(events)),
    )
    this.runBatch = (events) => transaction.immediate(events)
  }

  /**
   * Applies a batch in one transaction. Throws (with nothing of the batch stored) only when the
   * store itself fails; unusable events or messages are skipped and listed in the outcome.
   */
  apply(events: ReadonlyArray<BaileysEvent>): BatchOutcome {
    try {
      return this.runBatch(events)
    } catch (error) {
      this.forgetUncommitted()
      throw error
    }
  }

  /**
   * Applies a batch inside the transaction the caller holds open, with no savepoint of its own. An
   * open savepoint makes SQLite keep, for as long as it lasts, a copy of every page the batch
   * changes (in memory, with `temp_store = MEMORY`): tens of MB per batch once the random-keyed
   * indexes of a long history are spread over many pages. When this throws a store failure, the
   * batch may be partly written: the caller must roll the whole transaction back.
   */
  applyInOpenTransaction(events: ReadonlyArray<BaileysEvent>): BatchOutcome {
    return this.writer.withDeferredIndexing(() => this.applyAll(events))
  }

  /** The transaction this applier's batches joined was rolled back: drop what it remembered of them. */
  forgetUncommitted(): void {
    this.identities.reload()
    this.directChats.clear()
  }

  private applyAll(events: ReadonlyArray<BaileysEvent>): BatchOutcome {
    const skipped: Array<SkippedItem> = []
    let messages = 0
    events.forEach((event, eventIndex) => {
      const name = typeof event?.event === "string" ? event.event : "(unnamed)"
      const state: EventState = {
        chatTimes: new Map(),
        pushNames: new Map(),
        skipped,
        eventIndex,
        event: name,
      }
      try {
        const apply = () => {
          const count = this.applyEvent(event, state)
          this.flush(state)
          return count
        }
        // Message-carrying events guard each message on its own (a single upsert is atomic), and
        // skip the savepoint: an open savepoint makes every triggered statement about 2× dearer.
        messages += carriesMessages(event.event) ? apply() : this.writer.withinSavepoint(apply)
      } catch (error) {
        if (isStoreFailure(error)) throw error
        skipped.push({ eventIndex, event: name, reason: describe(error) })
      }
    })
    for (const jid of this.directChats) this.writer.refreshDirectChatName(jid)
    this.directChats.clear()
    return { events: events.length, messages, skipped }
  }

  private flush(state: EventState): void {
    for (const [jid, { kind, time }] of state.chatTimes) {
      this.writer.touchChat(jid, kind, time)
      if (kind === "direct") this.directChats.add(jid)
    }
    for (const [jid, names] of state.pushNames) {
      this.writer.upsertContact(jid, { ...names, ...this.contactKeys(jid) })
      this.directChats.add(jid)
    }
  }

  /** Applies one event; returns how many messages it carried. */
  private applyEvent(event: BaileysEvent, state: EventState): number {
    switch (event.event) {
      case "messaging-history.set":
        return this.applyHistory(event.data, state)
      case "messages.upsert":
        return this.applyMessages(event.data.messages, state)
      case "messages.update":
        for (const update of event.data) this.applyMessageUpdate(update)
        return 0
      case "messages.delete":
        this.applyMessageDelete(event.data)
        return 0
      case "messages.reaction":
        for (const { key, reaction } of event.data) {
          const target = this.messageTarget(key)
          if (target) this.applyReaction(target.chatJid, target.id, reaction, undefined)
        }
        return 0
      case "message-receipt.update":
        for (const { key, receipt } of event.data) {
          const target = this.messageTarget(key)
          const status = statusOfReceipt(receipt)
          // in groups WhatsApp reports the aggregate in messages.update; one reader is not "read"
          if (target && status !== undefined && chatKindOf(target.chatJid) !== "group") {
            this.writer.raiseStatus(target.chatJid, target.id, status)
          }
        }
        return 0
      case "chats.upsert":
        for (const chat of event.data) this.applyChat(chat, "absolute")
        return 0
      case "chats.update": {
        // A live chats.update can carry the chat's newest message itself ({message: WebMessageInfo});
        // the same message may also arrive as an upsert, and the store's upsert keeps it once.
        let carried = 0
        for (const chat of event.data) {
          this.applyChat(chat, "update")
          const messages = (chat.messages ?? []).flatMap((each) =>
            each.message ? [each.message as WAMessage] : [],
          )
          if (messages.length > 0) carried += this.applyMessages(messages, state)
        }
        return carried
      }
      case "chats.delete":
        for (const id of event.data) {
          const jid = this.identities.canonical(id)
          if (jid !== undefined) this.writer.deleteChat(jid)
        }
        return 0
      case "contacts.upsert":
      case "contacts.update":
        for (const contact of event.data) this.applyContact(contact)
        return 0
      case "groups.upsert":
      case "groups.update":
        for (const group of event.data) this.applyGroup(group)
        return 0
      case "group-participants.update":
        this.applyParticipantsUpdate(event.data)
        return 0
      case "lid-mapping.update":
        this.learn(event.data.lid, event.data.pn)
        return 0
      case "creds.update":
        this.applyCreds(event.data)
        return 0
      case "messaging-history.status":
        this.writer.putHistoryStatus(
          syncTypeName(event.data.syncType),
          event.data.status,
          event.data.explicit === true,
        )
        return 0
      default:
        // connection state, presence, calls, labels…: nothing the store keeps
        return 0
    }
  }

  // ---- identities -------------------------------------------------------------------------

  /** Records a LID↔phone pair if the two JIDs are one; re-keys the store when it is new. */
  private learn(a: string | null | undefined, b: string | null | undefined): void {
    const pair = Identities.pair(a, b)
    if (pair === undefined) return
    if (this.identities.learn(pair.lid, pair.pn)) {
      this.writer.unifyIdentity(pair.lid, pair.pn)
      this.directChats.add(pair.pn)
    }
  }

  /**
   * Every LID↔phone pair a key carries: Baileys 7 sets `remoteJidAlt`/`participantAlt`, the 6.7
   * line set `senderPn` (direct chats) and `participantPn` (groups) beside the LID instead.
   */
  private learnFromKey(key: WAMessageKey & LegacyPnKey): void {
    this.learn(key.remoteJid, key.remoteJidAlt)
    this.learn(key.participant, key.participantAlt)
    if (typeof key.senderPn === "string") this.learn(key.remoteJid, key.senderPn)
    if (typeof key.participantPn === "string") this.learn(key.participant, key.participantPn)
  }

  /** The lid/phone columns of a contact stored under `jid`. */
  private contactKeys(jid: string): { lid?: string; phone?: string } {
    if (isLid(jid)) return { lid: jid }
    const phone = phoneOf(jid)
    const lid = this.identities.lidOf(jid)
    return { ...(phone === undefined ? {} : { phone }), ...(lid === undefined ? {} : { lid }) }
  }

  private applyCreds(data: BaileysEventData<"creds.update">): void {
    const me = data.me
    if (!me) return
    const jid = normaliseJid(me.id)
    const lid = normaliseJid(me.lid)
    this.learn(jid, lid)
    const selfJid = jid !== undefined && isPhoneJid(jid) ? jid : undefined
    const selfLid = lid !== undefined && isLid(lid) ? lid : undefined
    this.identities.setSelf(selfJid, selfLid)
    if (selfJid !== undefined) this.writer.putAccount(AccountKeys.selfJid, selfJid)
    if (selfLid !== undefined) this.writer.putAccount(AccountKeys.selfLid, selfLid)
    const name = protoText(me.name)
    if (name !== undefined) this.writer.putAccount(AccountKeys.selfName, name)
    const self = this.identities.selfJid()
    if (self !== undefined) this.writer.claimOwnMessages(self)
  }

  // ---- messages ---------------------------------------------------------------------------

  private applyHistory(data: BaileysEventData<"messaging-history.set">, state: EventState): number {
    for (const mapping of data.lidPnMappings ?? []) this.learn(mapping.lid, mapping.pn)
    for (const contact of data.contacts ?? []) this.guard(state, () => this.applyContact(contact))
    for (const chat of data.chats ?? []) this.guard(state, () => this.applyChat(chat, "absolute"))
    const count = this.applyMessages(data.messages ?? [], state)
    this.writer.putHistoryChunk({
      syncType: syncTypeName(data.syncType),
      chunkOrder: protoInteger(data.chunkOrder) ?? -1,
      progress: protoInteger(data.progress) ?? null,
      isLatest: data.isLatest === true,
      messages: data.messages?.length ?? 0,
      chats: data.chats?.length ?? 0,
      contacts: data.contacts?.length ?? 0,
    })
    return count
  }

  /** Runs one item's writes; a bad item is reported and skipped, a failing store aborts. */
  private guard(state: EventState, apply: () => void): void {
    try {
      apply()
    } catch (error) {
      if (isStoreFailure(error)) throw error
      state.skipped.push({ eventIndex: state.eventIndex, event: state.event, reason: describe(error) })
    }
  }

  private applyMessages(messages: ReadonlyArray<WAMessage>, state: EventState): number {
    // the guard, inlined: this loop runs once per message of a whole history
    for (const message of messages) {
      try {
        this.applyMessage(message, state)
      } catch (error) {
        if (isStoreFailure(error)) throw error
        state.skipped.push({ eventIndex: state.eventIndex, event: state.event, reason: describe(error) })
      }
    }
    return messages.length
  }

  /** The chat and id a key points at, learning any LID↔phone pair it carries. */
  private messageTarget(key: WAMessageKey | null | undefined): { chatJid: string; id: string } | undefined {
    if (!key) return undefined
    const id = protoText(key.id)
    this.learnFromKey(key)
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
          this.writer.deleteMessage(chatJid, meaning.targetId, "revoked", {
            fromMe,
            senderJid,
            at: timestamp === 0 ? null : timestamp,
          })
          return
        case "Edit":
          if (meaning.text !== null) {
            this.writer.editMessage(chatJid, meaning.targetId, meaning.text, meaning.timestamp ?? timestamp, {
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
    this.writer.upsertMessage(row)

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
    this.learnFromKey(key)
    const fromMe = key.fromMe === true
    const reactorChat = this.identities.canonical(key.remoteJid) ?? chatJid
    const sender = this.authorOf(key, reactorChat) ?? null
    const time = unixSecondsFromMillis(reaction.senderTimestampMs) ?? fallbackTime ?? 0
    this.putReaction(chatJid, messageId, sender, fromMe, reaction.text ?? "", time)
  }

  private applyMessageUpdate({ key, update }: BaileysEventData<"messages.update">[number]): void {
    const target = this.messageTarget(key)
    if (target === undefined) throw new UnusableInput("an update without key.id or key.remoteJid")
    const { chatJid, id } = target
    const fromMe = key.fromMe === true
    const stubType = protoEnum(update.messageStubType, StubType)
    if (has(update, "message") && (update.message === null || stubType === StubType.REVOKE)) {
      if (stubType === StubType.REVOKE || update.message === null) {
        this.writer.deleteMessage(chatJid, id, "revoked", {
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
          this.writer.editMessage(chatJid, id, text, at, {
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

  private applyMessageDelete(data: BaileysEventData<"messages.delete">): void {
    if ("keys" in data) {
      for (const key of data.keys) {
        const target = this.messageTarget(key)
        if (target === undefined) continue
        this.writer.deleteMessage(target.chatJid, target.id, "for_me", {
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

  // ---- chats, contacts, groups ------------------------------------------------------------

  private applyChat(chat: BaileysEventData<"chats.update">[number], mode: "absolute" | "update"): void {
    this.learn(chat.id, chat.pnJid)
    this.learn(chat.id, chat.lidJid)
    const jid = this.identities.canonical(chat.id)
    if (jid === undefined) throw new UnusableInput("a chat without a valid id")
    if (jid === "status@broadcast") return
    const kind = chatKindOf(jid)
    const writer = this.writer
    writer.ensureChat(jid, kind)
    if (kind === "direct") this.directChats.add(jid)

    const name = protoText(chat.name) ?? protoText(chat.displayName)
    if (name !== undefined) {
      if (kind === "direct") writer.upsertContact(jid, { ...this.contactKeys(jid), addressBookName: name })
      else writer.setChatName(jid, name, kind === "group" ? "subject" : "chat")
    }
    if (has(chat, "description")) writer.setChatField(jid, "description", protoText(chat.description) ?? null)
    if (typeof chat.archived === "boolean") writer.setChatField(jid, "archived", chat.archived ? 1 : 0)
    if (typeof chat.readOnly === "boolean") writer.setChatField(jid, "read_only", chat.readOnly ? 1 : 0)
    if (has(chat, "pinned")) {
      const pinned = unixSecondsLoose(chat.pinned)
      writer.setChatField(jid, "pinned_at", pinned !== undefined && pinned > 0 ? pinned : null)
    }
    if (has(chat, "muteEndTime")) {
      const until = unixSecondsLoose(chat.muteEndTime)
      writer.setChatField(
        jid,
        "muted_until",
        until === undefined || until === 0 ? null : until < 0 ? -1 : until,
      )
    }
    if (has(chat, "ephemeralExpiration")) {
      const seconds = protoInteger(chat.ephemeralExpiration)
      writer.setChatField(jid, "ephemeral_seconds", seconds !== undefined && seconds > 0 ? seconds : null)
    }
    const createdAt = unixSeconds(chat.createdAt)
    if (createdAt !== undefined) writer.setChatField(jid, "created_at", createdAt)
    const activity = unixSeconds(chat.conversationTimestamp)
    if (activity !== undefined) writer.touchChat(jid, kind, activity)

    if (chat.markedAsUnread === true) writer.markUnread(jid)
    const unread = protoInteger(chat.unreadCount)
    if (unread === undefined || chat.unreadCount === null) return
    if (mode === "absolute") {
      if (unread >= 0) writer.setUnread(jid, unread, activity ?? null)
      else writer.markUnread(jid)
    } else if (unread > 0) {
      // a new message's increment: counted once per arrival time, so a replay adds nothing
      if (activity !== undefined) writer.addUnread(jid, unread, activity)
    } else if (unread === 0) writer.markRead(jid)
    else writer.markUnread(jid)
  }

  private applyContact(contact: BaileysEventData<"contacts.update">[number] | ParticipantEntry): void {
    const entry = typeof contact === "string" ? { id: contact } : contact
    this.learn(entry.id, entry.lid)
    this.learn(entry.id, entry.phoneNumber)
    this.learn(entry.lid, entry.phoneNumber)
    const jid = this.identities.canonical(entry.id)
    if (jid === undefined) throw new UnusableInput("a contact without a valid id")
    if (!isPhoneJid(jid) && !isLid(jid)) return
    const lid = [normaliseJid(entry.id), normaliseJid(entry.lid)].find(
      (candidate) => candidate && isLid(candidate),
    )
    const phoneJid = [jid, normaliseJid(entry.phoneNumber)].find(
      (candidate) => candidate && isPhoneJid(candidate),
    )
    const phone = phoneJid === undefined ? undefined : phoneOf(phoneJid)
    const fields = {
      lid,
      phone,
      addressBookName: protoText(entry.name),
      verifiedName: protoText(entry.verifiedName),
      pushName: protoText(entry.notify),
      username: "username" in entry ? protoText(entry.username) : undefined,
    }
    this.writer.upsertContact(jid, fields)
    // an address-book name set to "" (or null) is a contact removed from the address book
    if (has(entry, "name") && (entry.name === "" || entry.name === null))
      this.writer.clearAddressBookName(jid)
    this.directChats.add(jid)
  }

  /** A group participant's canonical JID, learning the pair the entry carries. */
  private participantJid(entry: ParticipantEntry): string | undefined {
    if (typeof entry === "string") return this.identities.canonical(entry)
    this.learn(entry.id, entry.phoneNumber)
    this.learn(entry.id, entry.lid)
    if (protoText(entry.name) ?? protoText(entry.notify) ?? protoText(entry.verifiedName))
      this.applyContact(entry)
    return this.identities.canonical(entry.id)
  }

  private applyGroup(group: BaileysEventData<"groups.update">[number]): void {
    this.learn(group.owner, group.ownerPn)
    this.learn(group.subjectOwner, group.subjectOwnerPn)
    this.learn(group.descOwner, group.descOwnerPn)
    this.learn(group.author, group.authorPn)
    const jid = this.identities.canonical(group.id)
    if (jid === undefined) throw new UnusableInput("a group without a valid id")
    const writer = this.writer
    writer.ensureChat(jid, chatKindOf(jid))
    const subject = protoText(group.subject)
    if (subject !== undefined) writer.setChatName(jid, subject, "subject")
    if (has(group, "desc")) writer.setChatField(jid, "description", protoText(group.desc) ?? null)
    const created = unixSeconds(group.creation)
    if (created !== undefined) writer.setChatField(jid, "created_at", created)
    if (has(group, "ephemeralDuration")) {
      const seconds = protoInteger(group.ephemeralDuration)
      writer.setChatField(jid, "ephemeral_seconds", seconds !== undefined && seconds > 0 ? seconds : null)
    }
    if (Array.isArray(group.participants)) {
      writer.clearParticipants(jid)
      for (const participant of group.participants as ReadonlyArray<ParticipantEntry>) {
        const member = this.participantJid(participant)
        if (member !== undefined) {
          writer.putParticipant(jid, member, typeof participant === "string" ? "member" : roleOf(participant))
        }
      }
    }
  }

  private applyParticipantsUpdate(data: BaileysEventData<"group-participants.update">): void {
    this.learn(data.author, data.authorPn)
    const group = this.identities.canonical(data.id)
    if (group === undefined) throw new UnusableInput("a participants update without a valid group id")
    this.writer.ensureChat(group, chatKindOf(group))
    for (const participant of data.participants as ReadonlyArray<ParticipantEntry>) {
      const member = this.participantJid(participant)
      if (member === undefined) continue
      switch (data.action) {
        case "add":
          this.writer.putParticipant(
            group,
            member,
            typeof participant === "string" ? "member" : roleOf(participant),
          )
          break
        case "remove":
          this.writer.removeParticipant(group, member)
          break
        case "promote":
          this.writer.putParticipant(group, member, "admin")
          break
        case "demote":
          this.writer.putParticipant(group, member, "member")
          break
        case "modify":
          break
      }
    }
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
