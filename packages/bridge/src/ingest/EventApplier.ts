/**
 * Applies Baileys events to the store: one transaction per batch, one savepoint per event, so an
 * unusable event is skipped whole and reported, and a failing store (disk full, I/O error) leaves
 * nothing of the batch behind. The same code runs for live sockets and recorded streams.
 *
 * This module holds the batch and hands each event to the module for its concern: messages
 * (`MessageApplier`), chats, contacts and groups (`ChatApplier`), identities (`IdentityLearner`).
 */

import { HistorySyncTypes } from "@whatsapp-mcp/core/store"
import type { WAMessage } from "@whiskeysockets/baileys"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import type Database from "better-sqlite3"
import {
  type BaileysEvent,
  type BaileysEventData,
  type BaileysEventName,
  carriesMessages,
} from "../recording/BaileysEvent.js"
import { StoreWriter } from "../store/StoreWriter.js"
import { ChatApplier } from "./ChatApplier.js"
import {
  type BatchOutcome,
  type EventState,
  guard,
  type SkippedItem,
  skipUnlessStoreFailed,
} from "./EventState.js"
import { Identities } from "./Identities.js"
import { IdentityLearner } from "./IdentityLearner.js"
import { MessageApplier } from "./MessageApplier.js"
import { protoEnum, protoInteger } from "./ProtoValues.js"

export type { BatchOutcome, SkippedItem } from "./EventState.js"

const SyncType = proto.HistorySync.HistorySyncType

const syncTypeName = (value: unknown): string => {
  const n = protoEnum(value, SyncType)
  return n === undefined ? "UNKNOWN" : (HistorySyncTypes[n] ?? `TYPE_${n}`)
}

/** What to do with each kind of event; an event without an entry is not kept. */
type EventHandlers = { readonly [K in BaileysEventName]?: (data: BaileysEventData<K>) => void }

const applyWith = <K extends BaileysEventName>(
  handlers: EventHandlers,
  event: { readonly event: K; readonly data: BaileysEventData<K> },
): void => {
  // own entries only: a name such as "toString" is an event the store does not keep, not a method
  if (Object.hasOwn(handlers, event.event)) handlers[event.event]?.(event.data)
}

export class EventApplier {
  readonly writer: StoreWriter
  readonly identities: Identities
  /** Direct chats whose shown name may have changed in this batch: recomputed once at its end. */
  private readonly directChats = new Set<string>()
  private readonly learner: IdentityLearner
  private readonly messages: MessageApplier
  private readonly chats: ChatApplier
  private readonly runBatch: (events: ReadonlyArray<BaileysEvent>) => BatchOutcome

  constructor(readonly db: Database.Database) {
    this.writer = new StoreWriter(db)
    this.identities = new Identities(db)
    this.learner = new IdentityLearner(this.writer.identities, this.identities, this.directChats)
    this.messages = new MessageApplier(this.writer.messages, this.learner)
    this.chats = new ChatApplier(this.writer.chats, this.learner, this.directChats)
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
   * changes (in memory, with `temp_store = MEMORY`), which grows large once the random-keyed
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
      const state: EventState = {
        chatTimes: new Map(),
        pushNames: new Map(),
        skipped,
        eventIndex,
        event: typeof event?.event === "string" ? event.event : "(unnamed)",
      }
      try {
        const apply = () => {
          const count = this.applyEvent(event, state)
          this.flush(state)
          return count
        }
        // Message-carrying events guard each message on its own (a single upsert is atomic), and
        // skip the savepoint: an open savepoint makes every triggered statement dearer.
        messages += carriesMessages(event.event) ? apply() : this.writer.withinSavepoint(apply)
      } catch (error) {
        skipUnlessStoreFailed(state, error)
      }
    })
    for (const jid of this.directChats) this.writer.chats.refreshDirectChatName(jid)
    this.directChats.clear()
    return { events: events.length, messages, skipped }
  }

  private flush(state: EventState): void {
    for (const [jid, { kind, time }] of state.chatTimes) {
      this.writer.chats.touchChat(jid, kind, time)
      if (kind === "direct") this.directChats.add(jid)
    }
    for (const [jid, names] of state.pushNames) {
      this.writer.chats.upsertContact(jid, { ...names, ...this.learner.contactKeys(jid) })
      this.directChats.add(jid)
    }
  }

  /** Applies one event; returns how many messages it carried. */
  private applyEvent(event: BaileysEvent, state: EventState): number {
    switch (event.event) {
      case "messaging-history.set":
        return this.applyHistory(event.data, state)
      case "messages.upsert":
        return this.messages.applyMessages(event.data.messages, state)
      case "chats.update":
        return this.applyChatUpdates(event.data, state)
      default:
        applyWith(this.withoutMessages, event)
        return 0
    }
  }

  /** What the store keeps of each event that carries no message; the others it does not keep. */
  private readonly withoutMessages: EventHandlers = {
    "messages.update": (updates) => this.messages.applyUpdates(updates),
    "messages.delete": (deletion) => this.messages.applyDelete(deletion),
    "messages.reaction": (reactions) => this.messages.applyReactions(reactions),
    "message-receipt.update": (receipts) => this.messages.applyReceipts(receipts),
    "chats.upsert": (chats) => this.chats.applyChats(chats, "absolute"),
    "chats.delete": (ids) => this.chats.deleteChats(ids),
    "contacts.upsert": (contacts) => this.chats.applyContacts(contacts),
    "contacts.update": (contacts) => this.chats.applyContacts(contacts),
    "groups.upsert": (groups) => this.chats.applyGroups(groups),
    "groups.update": (groups) => this.chats.applyGroups(groups),
    "group-participants.update": (update) => this.chats.applyParticipantsUpdate(update),
    "lid-mapping.update": ({ lid, pn }) => this.learner.learn(lid, pn),
    "creds.update": (creds) => this.learner.applyCreds(creds),
    "messaging-history.status": ({ syncType, status, explicit }) =>
      this.writer.putHistoryStatus(syncTypeName(syncType), status, explicit === true),
  }

  /**
   * A live chats.update can carry the chat's newest message itself ({message: WebMessageInfo}); the
   * same message may also arrive as an upsert, and the store's upsert keeps it once.
   */
  private applyChatUpdates(chats: BaileysEventData<"chats.update">, state: EventState): number {
    let carried = 0
    for (const chat of chats) {
      this.chats.applyChat(chat, "update")
      const messages = (chat.messages ?? []).flatMap((each) =>
        each.message ? [each.message as WAMessage] : [],
      )
      if (messages.length > 0) carried += this.messages.applyMessages(messages, state)
    }
    return carried
  }

  /** A history sync chunk: its identities, contacts and chats first, so its messages find them. */
  private applyHistory(data: BaileysEventData<"messaging-history.set">, state: EventState): number {
    for (const mapping of data.lidPnMappings ?? []) this.learner.learn(mapping.lid, mapping.pn)
    for (const contact of data.contacts ?? []) guard(state, () => this.chats.applyContact(contact))
    for (const chat of data.chats ?? []) guard(state, () => this.chats.applyChat(chat, "absolute"))
    const count = this.messages.applyMessages(data.messages ?? [], state)
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
}
