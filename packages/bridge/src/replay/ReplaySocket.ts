/**
 * A simulated WhatsApp socket for replay mode, tests and the demo: it opens at once, builds sends
 * with Baileys' own `generateWAMessage` (media really encrypted with `encryptedStream`, "uploaded"
 * into a local directory the replay media CDN serves), and echoes them back the way WhatsApp does:
 * `messages.upsert` of type `append`, from me, server-acknowledged. Reactions and read marks come
 * back as the events a linked device receives for them. A request for older history is answered,
 * as a phone answers it, with an ON_DEMAND history chunk: the recording's own on-demand chunks,
 * held back at start, hand out the chat's messages from before the requested one.
 */
import { copyFile, mkdir } from "node:fs/promises"
import { join } from "node:path"
import {
  type AuthenticationState,
  generateWAMessage,
  jidNormalizedUser,
  makeEventBuffer,
  proto,
  type WAMessage,
} from "@whiskeysockets/baileys"
import { Effect, Layer } from "effect"
import type { BaileysEvent, BaileysEventData } from "../recording/BaileysEvent.js"
import { silentBaileysLogger } from "../socket/BaileysLogger.js"
import { type BridgeSocket, SocketFactory } from "../socket/BridgeSocket.js"

export interface ReplaySocketOptions {
  /** The simulated account, e.g. `15550000000:1@s.whatsapp.net`. */
  readonly ownJid: string
  readonly ownName?: string
  /** Where "uploaded" (encrypted) media goes; the replay media CDN serves it back. */
  readonly uploadDir: string
  /** Whether a phone JID has WhatsApp (the replay bridge answers from its store). */
  readonly exists: (jid: string) => Promise<boolean>
  /** Events that arrive while the replay runs (`--then`), once per bridge, not per socket. */
  readonly later?: LaterEvents
  /** The recording's on-demand history chunks, not stored at start: what the "phone" answers with. */
  readonly heldHistory?: ReadonlyArray<BaileysEventData<"messaging-history.set">>
}

/**
 * What a phone would send a while after the bridge connected: emitted by the socket like any
 * event from WhatsApp, so they go through the bridge's own ingestion.
 */
export interface LaterEvents {
  /** From the moment the (first) socket opens. */
  readonly afterMs: number
  /** The events, made when they are delivered (so that their times can be "now"). */
  readonly events: () => ReadonlyArray<BaileysEvent>
  readonly delivered: (count: number) => void
}

/**
 * The phone's answer to a request for `count` messages of a chat from before `beforeSeconds`: the
 * newest of the held-back messages older than that, as one ON_DEMAND chunk. A chat with nothing
 * older held back gets a chunk without messages, as the start of the chat is reached.
 */
export const onDemandAnswer = (
  held: ReadonlyArray<BaileysEventData<"messaging-history.set">>,
  chatJid: string,
  count: number,
  beforeSeconds: number,
): BaileysEventData<"messaging-history.set"> => {
  const byId = new Map<string, WAMessage>()
  for (const chunk of held) {
    for (const message of chunk.messages) {
      const id = message.key?.id
      if (id && message.key.remoteJid === chatJid && Number(message.messageTimestamp) < beforeSeconds)
        byId.set(id, message)
    }
  }
  const messages = [...byId.values()]
    .sort((a, b) => Number(b.messageTimestamp) - Number(a.messageTimestamp))
    .slice(0, Math.max(0, count))
  return {
    // Only the chat's id: its name, unread count and last activity are the store's already.
    chats: [{ id: chatJid }],
    contacts: [],
    messages,
    lidPnMappings: [],
    syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
    progress: 100,
    chunkOrder: 0,
  }
}

/** Media host Baileys downloads from; the replay CDN answers for it. */
export const ReplayMediaHost = "mmg.whatsapp.net"

export const makeReplaySocket = (
  auth: AuthenticationState,
  options: ReplaySocketOptions,
  later: { pending: boolean } = { pending: options.later !== undefined },
): BridgeSocket => {
  const logger = silentBaileysLogger
  const ev = makeEventBuffer(logger)
  const me = { id: options.ownJid, name: options.ownName ?? "Replay" }
  auth.creds.me = me
  let uploads = 0
  let historyRequests = 0
  let opened = false
  let closed = false
  let laterTimer: ReturnType<typeof setTimeout> | undefined

  // As a live socket delivers a batch of events: buffered together, then flushed.
  const deliver = ev.createBufferedFunction(async (events: ReadonlyArray<BaileysEvent>) => {
    for (const event of events) ev.emit(event.event, event.data as never)
  })
  const scheduleLater = () => {
    const scheduled = options.later
    if (scheduled === undefined || !later.pending) return
    laterTimer = setTimeout(() => {
      if (closed || !later.pending) return
      later.pending = false
      const events = scheduled.events()
      void deliver(events).then(() => {
        ev.flush()
        scheduled.delivered(events.length)
      })
    }, scheduled.afterMs)
  }

  const upload = async (encFilePath: string, opts: { fileEncSha256B64: string; mediaType: string }) => {
    await mkdir(options.uploadDir, { recursive: true, mode: 0o700 })
    const name = `${Date.now()}_${++uploads}_${Buffer.from(opts.fileEncSha256B64, "base64").toString("hex").slice(0, 16)}_n.enc`
    // Baileys deletes the encrypted file after the upload: keep a copy where the CDN looks.
    await copyFile(encFilePath, join(options.uploadDir, name))
    const directPath = `/v/t62.7118-24/replay/${name}?ccb=11-4`
    return { mediaUrl: `https://${ReplayMediaHost}${directPath}&mms3=true`, directPath }
  }

  // As in Baileys: an echo and the events derived from it form one buffered batch.
  const echo = ev.createBufferedFunction(async (message: WAMessage) => {
    ev.emit("messages.upsert", { messages: [message], type: "append" })
    const reaction = message.message?.reactionMessage
    if (reaction?.key) {
      ev.emit("messages.reaction", [{ key: reaction.key, reaction: { ...reaction, key: message.key } }])
    }
  })

  const process = ev.process.bind(ev)
  const socket: BridgeSocket = {
    ev: Object.assign(ev, {
      process: (handler: Parameters<typeof ev.process>[0]) => {
        const detach = process(handler)
        if (!opened) {
          opened = true
          // Open once the bridge listens, as a real socket opens after its handshake.
          setImmediate(() => {
            if (closed) return
            ev.emit("connection.update", { connection: "open", isNewLogin: false })
            scheduleLater()
          })
        }
        return detach
      },
    }),
    user: () => me,
    onActivity: () => {},
    end: (reason) => {
      if (closed) return
      closed = true
      clearTimeout(laterTimer)
      ev.emit("connection.update", {
        connection: "close",
        lastDisconnect: {
          error: Object.assign(reason ?? new Error("Connection Terminated"), { output: { statusCode: 428 } }),
          date: new Date(),
        },
      })
    },
    logout: async () => {
      closed = true
      clearTimeout(laterTimer)
      ev.emit("connection.update", {
        connection: "close",
        lastDisconnect: {
          error: Object.assign(new Error("Intentional Logout"), { output: { statusCode: 401 } }),
          date: new Date(),
        },
      })
    },
    requestPairingCode: async () => "REPLAY00",
    sendMessage: async (jid, content, options) => {
      const message = await generateWAMessage(jid, content, {
        userJid: jidNormalizedUser(me.id),
        upload,
        logger,
        ...(options?.quoted === undefined ? {} : { quoted: options.quoted }),
      })
      message.status = proto.WebMessageInfo.Status.SERVER_ACK
      message.pushName = me.name
      // Baileys flushes the buffered echo after 100 ms; replay releases it at once.
      setImmediate(() => void echo(message).then(() => ev.flush()))
      return message
    },
    onWhatsApp: async (...ids) =>
      Promise.all(
        ids.map(async (id) => {
          const jid = id.includes("@") ? jidNormalizedUser(id) : `${id.replace(/\D/g, "")}@s.whatsapp.net`
          return { jid, exists: await options.exists(jid) }
        }),
      ),
    readMessages: async (keys) => {
      const chats = new Set<string>()
      ev.emit(
        "messages.update",
        keys.map((key) => {
          if (key.remoteJid) chats.add(key.remoteJid)
          return { key, update: { status: proto.WebMessageInfo.Status.READ } }
        }),
      )
      ev.emit(
        "chats.update",
        [...chats].map((id) => ({ id, unreadCount: 0 })),
      )
    },
    // Replay media never expires: the stored message is still good.
    updateMediaMessage: async (message) => message,
    fetchMessageHistory: async (count, key, timestampMs) => {
      const chatJid = key.remoteJid
      if (!chatJid) throw new Error("a history request needs the chat of its message")
      const answer = onDemandAnswer(options.heldHistory ?? [], chatJid, count, Number(timestampMs) / 1000)
      // The phone answers after the request went out, never within it.
      setImmediate(() => {
        if (!closed) ev.emit("messaging-history.set", answer)
      })
      return `REPLAYHISTORY${++historyRequests}`
    },
  }
  return socket
}

export const layer = (options: ReplaySocketOptions): Layer.Layer<SocketFactory> =>
  Layer.sync(SocketFactory, () => {
    // Shared by every socket of this bridge: a reconnect does not deliver the events again.
    const later = { pending: options.later !== undefined }
    return { make: (auth) => Effect.sync(() => makeReplaySocket(auth, options, later)) }
  })
