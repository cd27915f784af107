/**
 * Stand-ins for what the connection supervisor needs around it in tests: a socket that simulates
 * nothing but its event buffer, a session that is already linked, and an operator console that
 * keeps the notices it was told.
 */
import { initAuthCreds, makeEventBuffer } from "@whiskeysockets/baileys"
import { Effect, Layer } from "effect"
import { OperatorConsole } from "../../src/pairing/OperatorConsole.js"
import { SessionStore } from "../../src/session/SessionStore.js"
import { silentBaileysLogger } from "../../src/socket/BaileysLogger.js"
import type { BridgeSocket } from "../../src/socket/BridgeSocket.js"

/** A socket whose events the test emits itself; every action it would send to WhatsApp fails. */
export const fakeSocket = (): BridgeSocket => {
  const unavailable = () => Promise.reject(new Error("not simulated"))
  return {
    ev: makeEventBuffer(silentBaileysLogger),
    user: () => ({ id: "15550001111:3@s.whatsapp.net" }),
    onActivity: () => {},
    end: () => {},
    logout: async () => {},
    requestPairingCode: unavailable,
    sendMessage: unavailable,
    onWhatsApp: unavailable,
    readMessages: unavailable,
    updateMediaMessage: unavailable,
    fetchMessageHistory: unavailable,
  }
}

/** A session that is linked already, so the supervisor connects without pairing. */
export const linkedSession = (): Layer.Layer<SessionStore> => {
  const creds = initAuthCreds()
  return Layer.succeed(
    SessionStore,
    SessionStore.of({
      authState: Effect.succeed({ creds, keys: { get: async () => ({}), set: async () => {} } }),
      saveCreds: Effect.void,
      isRegistered: Effect.succeed(true),
      wipe: Effect.void,
    }),
  )
}

/** An operator console that shows nothing and keeps each notice in `notices`. */
export const noticeConsole = (notices: Array<string> = []): Layer.Layer<OperatorConsole> =>
  Layer.succeed(OperatorConsole, {
    showQr: () => Effect.void,
    showPairingCode: () => Effect.void,
    paired: () => Effect.void,
    historyProgress: () => Effect.void,
    notice: (message) => Effect.sync(() => void notices.push(message)),
  })
