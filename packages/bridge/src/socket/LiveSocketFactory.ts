/**
 * The real socket: Baileys' `makeWASocket` with the defaults a bridge needs (not shown online so the
 * phone keeps notifying, every history chunk accepted, retries and group sends answered from the
 * store). Constructing one opens a WebSocket to WhatsApp at once, so only the daemon uses this.
 */
import { Browsers, makeCacheableSignalKeyStore, makeWASocket } from "@whiskeysockets/baileys"
import { Effect, Layer, Runtime } from "effect"
import { StoreLookup } from "../store/StoreLookup.js"
import { makeBaileysLogger } from "./BaileysLogger.js"
import { type BridgeSocket, SocketFactory } from "./BridgeSocket.js"

export const make = Effect.gen(function* () {
  const lookup = yield* StoreLookup
  const runtime = yield* Effect.runtime<never>()
  const run = Runtime.runPromise(runtime)
  const logger = makeBaileysLogger()
  return SocketFactory.of({
    make: (auth, version) =>
      Effect.sync((): BridgeSocket => {
        const sock = makeWASocket({
          auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
          logger,
          ...(version === undefined ? {} : { version: [version[0], version[1], version[2]] }),
          // Desktop-class clients are offered the full history on first link.
          browser: Browsers.macOS("Desktop"),
          markOnlineOnConnect: false,
          syncFullHistory: true,
          shouldSyncHistoryMessage: () => true,
          generateHighQualityLinkPreview: false,
          getMessage: (key) => run(lookup.getMessage(key)),
          cachedGroupMetadata: (jid) => run(lookup.groupMetadata(jid)),
        })
        return {
          ev: sock.ev,
          user: () => sock.user,
          onActivity: (listener) => {
            sock.ws.on("frame", listener)
          },
          end: (reason) => {
            void sock.end(reason)
          },
          logout: () => sock.logout(),
          requestPairingCode: (phone) => sock.requestPairingCode(phone),
          sendMessage: (jid, content, options) => sock.sendMessage(jid, content, options),
          onWhatsApp: (...numbers) => sock.onWhatsApp(...numbers),
          readMessages: (keys) => sock.readMessages(keys),
          updateMediaMessage: (message) => sock.updateMediaMessage(message),
          fetchMessageHistory: (count, key, timestamp) => sock.fetchMessageHistory(count, key, timestamp),
        }
      }),
  })
})

/** Needs the store's answers for `getMessage` and `cachedGroupMetadata`. */
export const layer: Layer.Layer<SocketFactory, never, StoreLookup> = Layer.effect(SocketFactory, make)
