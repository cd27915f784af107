/**
 * The HTTP API's actions carried out on the current WhatsApp socket: sends (text, file, voice
 * note) with recipient resolution and idempotency keys, reactions, read marks, media downloads,
 * requests for older history, and health. The live bridge and the replay bridge share this; only the socket differs.
 */

import {
  BridgeError,
  type FetchHistoryRequest,
  type FetchHistoryResult,
  type SendResult,
} from "@whatsapp-mcp/core/api"
import { DefaultHistoryWaitSeconds, MaxHistoryRequestCount } from "@whatsapp-mcp/core/limits"
import { proto, type WAMessage } from "@whiskeysockets/baileys"
import { Clock, Duration, Effect, Layer, Option, Queue, Ref, type Scope } from "effect"
import { OnDemandHistory } from "../history/OnDemandHistory.js"
import { describeError } from "../logging/ErrorDescription.js"
import { previewForMessage } from "../media/ImagePreview.js"
import { MediaCdn } from "../media/MediaCdn.js"
import { downloadMedia, findMedia } from "../media/MediaDownloader.js"
import { openOutgoingFile } from "../media/OutgoingFile.js"
import { prepareVoiceNote } from "../media/VoiceNote.js"
import { IdempotencyLedger } from "../send/IdempotencyLedger.js"
import { resolveRecipient } from "../send/Recipient.js"
import type { BridgeSocket } from "../socket/BridgeSocket.js"
import { disconnectCode } from "../socket/DisconnectPolicy.js"
import { formatWaVersion } from "../socket/WaWebVersion.js"
import { WhatsAppConnection } from "../socket/WhatsAppConnection.js"
import { StoreAccess } from "../store/StoreAccess.js"
import { BridgeActions } from "./BridgeActions.js"

export interface SocketActionsOptions {
  readonly mode: "live" | "replay"
  readonly storeDir: string
  /** Directories files may be sent from (`--allowed-file-roots`); none: no file is sent. */
  readonly fileRoots?: ReadonlyArray<string>
  /** Files never sent under any name besides the store's own (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
  /** Sends accepted per minute, to keep the account clear of WhatsApp's spam limits. Default 30. */
  readonly sendsPerMinute?: number
  /** Largest media file downloaded, in bytes; default `DefaultMaxMediaBytes`. */
  readonly maxMediaBytes?: number
  /**
   * How long a request for a chat's older history that the phone has not answered blocks another
   * one for the same chat. Default 2 minutes.
   */
  readonly historyPendingFor?: Duration.DurationInput
}

const Status = proto.WebMessageInfo.Status

const deliveryStatus = (status: proto.WebMessageInfo.Status | null | undefined): SendResult["status"] => {
  switch (status) {
    case Status.SERVER_ACK:
      return "sent"
    case Status.DELIVERY_ACK:
      return "delivered"
    case Status.READ:
    case Status.PLAYED:
      return "read"
    default:
      return "pending"
  }
}

const sendFailed = (error: unknown) =>
  new BridgeError({
    code: "send_failed",
    message: `WhatsApp did not accept the message (${describeError(error)}). Check the recipient, then try again.`,
  })

const messageNotFound = (chat: string, id: string, field = "message_id") =>
  new BridgeError({
    code: "message_not_found",
    field,
    message: `No message ${id} in chat ${chat} in the store: check both ids (list_messages shows them).`,
  })

export const make = (options: SocketActionsOptions) =>
  Effect.gen(function* () {
    const connection = yield* WhatsAppConnection
    const store = yield* StoreAccess
    const ledger = yield* IdempotencyLedger
    const cdn = yield* MediaCdn
    const history = yield* OnDemandHistory
    const pendingFor = Duration.toMillis(options.historyPendingFor ?? Duration.minutes(2))
    // Chats with a request for older history the phone has not answered yet: when it was made, and
    // every name WhatsApp may give the chat in its answer (phone JID, LID).
    const pendingHistory = yield* Ref.make<
      ReadonlyMap<string, { readonly since: number; readonly names: ReadonlySet<string> }>
    >(new Map())
    const forgetAnswered = (answered: ReadonlySet<string>) =>
      Ref.update(
        pendingHistory,
        (pending) =>
          new Map(
            [...pending].filter(([, request]) => ![...request.names].some((name) => answered.has(name))),
          ),
      )
    // An answer that comes after its request stopped waiting still ends the request.
    const lateAnswers = yield* history.arrivals
    yield* Queue.take(lateAnswers).pipe(Effect.flatMap(forgetAnswered), Effect.forever, Effect.forkScoped)
    const sendTimes = yield* Ref.make<ReadonlyArray<number>>([])
    const perMinute = options.sendsPerMinute ?? 30
    const filePolicy = {
      roots: options.fileRoots ?? [],
      storeDir: options.storeDir,
      ...(options.protectedFiles === undefined ? {} : { protectedFiles: options.protectedFiles }),
    }

    const admitSend = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const admitted = yield* Ref.modify(sendTimes, (times) => {
        const recent = times.filter((t) => now - t < 60_000)
        return recent.length >= perMinute ? [false, recent] : [true, [...recent, now]]
      })
      if (!admitted) {
        return yield* new BridgeError({
          code: "rate_limited",
          message: `More than ${perMinute} messages in a minute: wait a minute before sending more (this protects the account from WhatsApp's spam limits).`,
        })
      }
    })

    const toResult = (sent: WAMessage | undefined, chatJid: string, kind: string) =>
      Effect.gen(function* () {
        if (sent?.key?.id == null) return yield* sendFailed(new Error("no message came back"))
        const now = yield* Clock.currentTimeMillis
        const timestamp =
          sent.messageTimestamp == null ? Math.floor(now / 1000) : Number(sent.messageTimestamp)
        return {
          message_id: sent.key.id,
          chat_jid: chatJid,
          timestamp,
          status: deliveryStatus(sent.status),
          kind,
          duplicate: false,
        } satisfies SendResult
      })

    const quotedMessage = (chatJid: string, replyTo: string | undefined) =>
      replyTo === undefined
        ? Effect.succeed(undefined)
        : store.findMessage(chatJid, replyTo).pipe(
            Effect.flatMap(
              Option.match({
                onNone: () => Effect.fail(messageNotFound(chatJid, replyTo, "reply_to_message_id")),
                onSome: (message) => Effect.succeed(message as WAMessage),
              }),
            ),
          )

    const send = (
      socket: BridgeSocket,
      jid: string,
      content: Parameters<BridgeSocket["sendMessage"]>[1],
      quoted: WAMessage | undefined,
    ) =>
      Effect.tryPromise({
        try: () => socket.sendMessage(jid, content, quoted === undefined ? {} : { quoted }),
        catch: (error) => error,
      }).pipe(
        Effect.catchAll((error) => {
          const code = disconnectCode(error)
          // The socket looked open but is dead: get a fresh one rather than keep reporting "open".
          const dead = code === 408 || code === 428
          return (dead ? connection.recycle(`a send failed with ${code}`) : Effect.void).pipe(
            Effect.zipRight(
              Effect.fail(
                dead
                  ? new BridgeError({
                      code: "whatsapp_not_connected",
                      message:
                        "The connection to WhatsApp dropped while sending; the bridge is reconnecting. Try again in a few seconds.",
                    })
                  : sendFailed(error),
              ),
            ),
          )
        }),
      )

    const storedMessage = (chatJid: string, messageId: string) =>
      store.findMessage(chatJid, messageId).pipe(
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.fail(messageNotFound(chatJid, messageId)),
            onSome: (message) =>
              message.key == null
                ? Effect.fail(messageNotFound(chatJid, messageId))
                : Effect.succeed({ ...message, key: message.key }),
          }),
        ),
      )

    const historyPending = (chat: string, since: number, now: number) =>
      new BridgeError({
        code: "history_request_pending",
        field: "chat_jid",
        message: `Older messages of ${chat} were already asked for ${Math.max(1, Math.round((now - since) / 1000))} s ago and the phone has not answered yet: what it sends is stored as it arrives (read it with list_messages). Ask again in ${Math.max(1, Math.ceil((since + pendingFor - now) / 1000))} s if nothing came.`,
      })

    const fetchHistory = (
      request: FetchHistoryRequest,
    ): Effect.Effect<FetchHistoryResult, BridgeError, Scope.Scope> =>
      Effect.gen(function* () {
        const chat = request.chat_jid
        const count = request.count ?? MaxHistoryRequestCount
        const wait = Duration.seconds(request.wait_seconds ?? DefaultHistoryWaitSeconds)
        const oldest = yield* store.oldestMessage(chat)
        if (Option.isNone(oldest)) {
          return yield* new BridgeError({
            code: "no_messages_stored",
            field: "chat_jid",
            message: `No message of ${chat} is stored, so there is nothing to ask for older messages before: WhatsApp answers only for a chat with at least one message on this device. Check the chat with list_chats.`,
          })
        }
        const { key, timestamp } = oldest.value
        const socket = yield* connection.current
        const alternate = yield* store.alternateJid(chat)
        const names = new Set([chat, ...Option.toArray(alternate), ...(key.remoteJid ? [key.remoteJid] : [])])
        const now = yield* Clock.currentTimeMillis
        const earlier = yield* Ref.modify(pendingHistory, (pending) => {
          const previous = pending.get(chat)
          if (previous !== undefined && now - previous.since < pendingFor) return [previous, pending] as const
          return [undefined, new Map([...pending, [chat, { since: now, names }]])] as const
        })
        if (earlier !== undefined) return yield* historyPending(chat, earlier.since, now)
        const release = Ref.update(pendingHistory, (pending) => {
          const left = new Map(pending)
          left.delete(chat)
          return left
        })
        // Listening before asking: a quick answer cannot slip by unseen.
        const answers = yield* history.arrivals
        yield* Effect.tryPromise({
          try: () => socket.fetchMessageHistory(count, key, timestamp * 1000),
          catch: (error) =>
            new BridgeError({
              code: "send_failed",
              message: `WhatsApp did not take the request for older messages (${describeError(error)}). Check the bridge's connection, then try again.`,
            }),
        }).pipe(Effect.tapError(() => release))
        const answered = yield* Queue.take(answers).pipe(
          Effect.repeat({ until: (chats) => [...names].some((name) => chats.has(name)) }),
          Effect.as(true),
          Effect.timeoutTo({ duration: wait, onSuccess: (ok) => ok, onTimeout: () => false }),
        )
        if (answered) yield* release
        const before = yield* store.storedBefore(chat, timestamp)
        return {
          chat_jid: chat,
          before_message_id: key.id ?? "",
          before: timestamp,
          requested: count,
          answered,
          arrived: before.count,
          oldest: before.oldest,
        }
      })

    return BridgeActions.of({
      health: () =>
        Effect.gen(function* () {
          const status = yield* connection.status
          const counts = yield* store.counts
          return {
            status: "ok" as const,
            mode: options.mode,
            connection: status.connection,
            detail: status.detail,
            pairing: status.pairing,
            own_jid: status.ownJid,
            last_disconnect: status.lastDisconnect,
            reconnects: status.reconnects,
            store: counts,
            history_sync: status.historySync,
            link_warning: status.linkWarning,
            wa_web_version:
              status.waWebVersion === null
                ? null
                : {
                    version: formatWaVersion(status.waWebVersion.version),
                    source: status.waWebVersion.source,
                  },
          }
        }),

      sendText: (request) =>
        ledger.once(
          request.idempotency_key,
          { endpoint: "sendText", ...request },
          Effect.gen(function* () {
            const socket = yield* connection.current
            const jid = yield* resolveRecipient(request.recipient, socket, store)
            const quoted = yield* quotedMessage(jid, request.reply_to_message_id)
            yield* admitSend
            // linkPreview null: no fetch of the linked page, which would leak the link from this machine.
            const sent = yield* send(socket, jid, { text: request.text, linkPreview: null }, quoted)
            return yield* toResult(sent, jid, "text")
          }),
        ),

      sendFile: (request) =>
        ledger.once(
          request.idempotency_key,
          { endpoint: "sendFile", ...request },
          Effect.gen(function* () {
            const file = yield* openOutgoingFile(request.path, filePolicy)
            const socket = yield* connection.current
            const jid = yield* resolveRecipient(request.recipient, socket, store)
            const quoted = yield* quotedMessage(jid, request.reply_to_message_id)
            const caption =
              request.caption === undefined || request.caption === "" ? {} : { caption: request.caption }
            // The bytes come from the descriptor that was checked, never from the path again.
            const media = { stream: file.stream() }
            const { mimetype } = file.type
            // Audio messages carry no caption: a captioned audio file goes as a document instead.
            const kind = file.type.kind === "audio" && "caption" in caption ? "document" : file.type.kind
            const content: Parameters<BridgeSocket["sendMessage"]>[1] =
              kind === "image"
                ? { image: media, mimetype, ...caption }
                : kind === "video"
                  ? { video: media, mimetype, ...caption }
                  : kind === "audio"
                    ? { audio: media, mimetype }
                    : kind === "sticker"
                      ? { sticker: media, mimetype }
                      : { document: media, mimetype, fileName: file.name, ...caption }
            yield* admitSend
            const sent = yield* send(socket, jid, content, quoted)
            return yield* toResult(sent, jid, kind)
          }).pipe(Effect.scoped),
        ),

      sendVoice: (request) =>
        ledger.once(
          request.idempotency_key,
          { endpoint: "sendVoice", ...request },
          Effect.scoped(
            Effect.gen(function* () {
              const file = yield* openOutgoingFile(request.path, filePolicy)
              if (
                file.type.kind !== "audio" &&
                file.type.kind !== "video" &&
                file.type.mimetype !== "video/webm"
              ) {
                return yield* new BridgeError({
                  code: "unsupported_media",
                  field: "path",
                  message: `${request.path} is ${file.type.mimetype}, not audio: a voice note needs an audio file (mp3, m4a, wav, ogg, opus, flac).`,
                })
              }
              const socket = yield* connection.current
              const jid = yield* resolveRecipient(request.recipient, socket, store)
              const voice = yield* prepareVoiceNote(file.stream)
              yield* admitSend
              // Baileys reads `waveform` from the content (Utils/messages.js) though its type omits it;
              // given here, Baileys does not try to decode the audio itself.
              const content = {
                audio: { url: voice.path },
                mimetype: "audio/ogg; codecs=opus",
                ptt: true,
                seconds: voice.seconds,
                waveform: voice.waveform,
              } as Parameters<BridgeSocket["sendMessage"]>[1]
              const sent = yield* send(socket, jid, content, undefined)
              return yield* toResult(sent, jid, "voice")
            }),
          ),
        ),

      react: (request) =>
        Effect.gen(function* () {
          const message = yield* storedMessage(request.chat_jid, request.message_id)
          const key = message.key
          const socket = yield* connection.current
          yield* send(
            socket,
            key.remoteJid ?? request.chat_jid,
            { react: { text: request.emoji, key } },
            undefined,
          )
          return {
            chat_jid: key.remoteJid ?? request.chat_jid,
            message_id: request.message_id,
            emoji: request.emoji,
            removed: request.emoji === "",
          }
        }),

      markRead: (request) =>
        Effect.gen(function* () {
          const keys =
            request.message_ids === undefined
              ? yield* store.unreadIncoming(request.chat_jid)
              : yield* Effect.forEach(request.message_ids, (id) =>
                  storedMessage(request.chat_jid, id).pipe(Effect.map((m) => m.key)),
                )
          // Read receipts are for other people's messages.
          const incoming = keys.filter((key) => key.fromMe !== true)
          if (incoming.length > 0) {
            const socket = yield* connection.current
            yield* Effect.tryPromise({
              try: () => socket.readMessages(incoming as Array<proto.IMessageKey>),
              catch: sendFailed,
            })
          }
          return { chat_jid: request.chat_jid, marked: incoming.length }
        }),

      download: (request) =>
        Effect.gen(function* () {
          const message = yield* storedMessage(request.chat_jid, request.message_id)
          const downloaded = yield* downloadMedia(request.chat_jid, message, {
            storeDir: options.storeDir,
            ...(options.maxMediaBytes === undefined ? {} : { maxBytes: options.maxMediaBytes }),
            refresh: (stale) =>
              Effect.gen(function* () {
                const socket = yield* connection.current
                return yield* Effect.tryPromise({
                  try: () => socket.updateMediaMessage(stale as WAMessage),
                  catch: () =>
                    new BridgeError({
                      code: "media_unavailable",
                      message:
                        "The media has expired on WhatsApp's servers and the sender's phone did not re-upload it: it must be online; try again later.",
                    }),
                })
              }),
          }).pipe(Effect.provideService(MediaCdn, cdn))
          const media = findMedia(message.message)
          if (request.preview !== true || media === undefined) return downloaded
          return { ...downloaded, ...(yield* previewForMessage(media, downloaded.path)) }
        }),

      fetchHistory: (request) => Effect.scoped(fetchHistory(request)),
    })
  })

export const layer = (
  options: SocketActionsOptions,
): Layer.Layer<
  BridgeActions,
  never,
  WhatsAppConnection | StoreAccess | IdempotencyLedger | MediaCdn | OnDemandHistory
> => Layer.scoped(BridgeActions, make(options))
