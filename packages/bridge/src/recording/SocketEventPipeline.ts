/**
 * Produces the events a live socket emits for a received (or echoed) message without a socket:
 * Baileys' own cleanMessage, upsert, push-name contact update and processMessage (reactions, edits,
 * revokes, group stubs), consolidated by Baileys' own event buffer. Fixture builders and the replay
 * socket use it so that what they emit has exactly the live shape and order.
 */
import {
  type BaileysEventEmitter,
  cleanMessage,
  jidNormalizedUser,
  type MessageUpsertType,
  makeEventBuffer,
  type WAMessage,
} from "@whiskeysockets/baileys"
import processMessage from "@whiskeysockets/baileys/lib/Utils/process-message.js"
import type { BaileysEvent } from "./BaileysEvent.js"

/** The linked account: its phone JID and LID (with device) and push name. */
export interface LinkedAccount {
  readonly id: string
  readonly lid: string
  readonly name: string
}

type ProcessContext = Parameters<typeof processMessage>[1]

const silentLogger = {
  level: "silent",
  child: () => silentLogger,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}

export class SocketEventPipeline {
  constructor(readonly account: LinkedAccount) {}

  /**
   * Runs `work` inside one event buffer, as the socket does while it handles a stanza or a batch,
   * and returns the consolidated events it released, in the order Baileys releases them.
   */
  async buffered(work: (ev: BaileysEventEmitter) => void | Promise<void>): Promise<Array<BaileysEvent>> {
    const ev = makeEventBuffer(silentLogger)
    const released: Array<BaileysEvent> = []
    ev.process((events) => {
      for (const [event, data] of Object.entries(events)) {
        released.push({ event, data } as BaileysEvent)
      }
    })
    try {
      ev.buffer()
      await work(ev)
      ev.flush()
    } finally {
      ev.destroy()
    }
    return released
  }

  /**
   * The events for messages arriving on the socket (`notify`, or `append` for offline delivery and
   * the echo of the account's own sends): the upsert, the sender's push name, and whatever
   * processMessage derives (reactions, edits, revokes, group changes).
   */
  receive(
    messages: ReadonlyArray<WAMessage>,
    type: MessageUpsertType,
    options: { readonly clean?: boolean } = {},
  ) {
    return this.buffered(async (ev) => {
      for (const message of messages) {
        if (options.clean !== false) cleanMessage(message, this.account.id, this.account.lid)
        ev.emit("messages.upsert", { messages: [message], type })
        if (message.pushName && !message.key.fromMe) {
          const jid = jidNormalizedUser(message.key.participant || message.key.remoteJid || "")
          const verifiedName = message.verifiedBizName
          ev.emit("contacts.update", [
            { id: jid, notify: message.pushName, ...(verifiedName ? { verifiedName } : {}) },
          ])
        }
        await processMessage(message, this.context(ev))
      }
    })
  }

  private context(ev: BaileysEventEmitter): ProcessContext {
    return {
      shouldProcessHistoryMsg: false,
      ev,
      logger: silentLogger,
      options: {},
      getMessage: async () => undefined,
      // processMessage reads only `me` from the credentials, and needs the key store and signal
      // repository only for history sync and key shares, which never pass through here.
      creds: {
        me: { id: this.account.id, lid: this.account.lid, name: this.account.name },
      } as ProcessContext["creds"],
      keyStore: {} as ProcessContext["keyStore"],
      signalRepository: {} as ProcessContext["signalRepository"],
    }
  }
}
