/**
 * The part of a Baileys socket the bridge uses, and the factory that makes one. The real factory
 * wraps `makeWASocket`; the replay factory simulates WhatsApp. Everything else in the bridge works
 * against this interface, so tests never open a WebSocket.
 */
import type { AuthenticationState, Contact, WASocket } from "@whiskeysockets/baileys"
import { Context, type Effect } from "effect"

export type BridgeSocketEvents = WASocket["ev"]

export interface BridgeSocket {
  readonly ev: BridgeSocketEvents
  /** The linked account, once WhatsApp has told us who we are. */
  readonly user: () => Contact | undefined
  /** Called on every frame received from WhatsApp (pongs included): the silence watchdog's pulse. */
  readonly onActivity: (listener: () => void) => void
  /** Closes the socket without logging out (recycling or shutting down). */
  readonly end: (reason?: Error) => void
  /** Unlinks this device on the phone, then closes. */
  readonly logout: () => Promise<void>
  readonly requestPairingCode: (phoneNumber: string) => Promise<string>
  readonly sendMessage: WASocket["sendMessage"]
  readonly onWhatsApp: WASocket["onWhatsApp"]
  readonly readMessages: WASocket["readMessages"]
  readonly updateMediaMessage: WASocket["updateMediaMessage"]
  /**
   * Asks the phone for up to `count` messages of a chat before the given one (its time in
   * milliseconds); the answer comes later, as a `messaging-history.set` chunk of type ON_DEMAND.
   */
  readonly fetchMessageHistory: WASocket["fetchMessageHistory"]
}

export interface SocketFactoryShape {
  /**
   * Makes a new socket on the given auth state, announcing `version` when given (else Baileys'
   * built-in one). The real one starts connecting at once.
   */
  readonly make: (
    auth: AuthenticationState,
    version?: readonly [number, number, number],
  ) => Effect.Effect<BridgeSocket>
}

export class SocketFactory extends Context.Tag("@whatsapp-mcp/bridge/SocketFactory")<
  SocketFactory,
  SocketFactoryShape
>() {}
