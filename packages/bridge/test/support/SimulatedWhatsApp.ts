// Stands in for src/LiveWhatsApp.ts under simulated-whatsapp.mjs: WhatsApp is the replay socket,
// which opens at once and takes a logout unless SIMULATED_WHATSAPP_LOGOUT is `refuse`, in which
// case the logout fails as Baileys' does when the connection drops before it is sent.
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import * as ReplaySocket from "../../src/replay/ReplaySocket.js"
import { SocketFactory } from "../../src/socket/BridgeSocket.js"

const replay = ReplaySocket.layer({
  ownJid: "15550001111:1@s.whatsapp.net",
  uploadDir: join(tmpdir(), "simulated-whatsapp-uploads"),
  exists: async () => true,
})

const refusingLogout = Layer.effect(
  SocketFactory,
  Effect.map(SocketFactory, (factory) =>
    SocketFactory.of({
      make: (auth, version) =>
        Effect.map(factory.make(auth, version), (socket) => ({
          ...socket,
          logout: () => Promise.reject(new Error("Connection Closed")),
        })),
    }),
  ),
).pipe(Layer.provide(replay))

export const layer = process.env.SIMULATED_WHATSAPP_LOGOUT === "refuse" ? refusingLogout : replay
