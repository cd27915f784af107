/**
 * Baileys' logger for the bridge: pino writing to stderr (stdout stays free), at `warn` by default
 * so neither secrets nor message content reach the log.
 */
import type { SocketConfig } from "@whiskeysockets/baileys"
import pino from "pino"

export type BaileysLogger = SocketConfig["logger"]

export const makeBaileysLogger = (
  level: string = process.env.WHATSAPP_BRIDGE_LOG_LEVEL ?? "warn",
): BaileysLogger => pino({ level, base: { component: "baileys" } }, pino.destination(2))

/** For simulated sockets and tests: says nothing. */
export const silentBaileysLogger: BaileysLogger = {
  level: "silent",
  child: () => silentBaileysLogger,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}
