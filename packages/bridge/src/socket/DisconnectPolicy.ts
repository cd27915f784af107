/**
 * What to do when WhatsApp closes the socket, by disconnect code (Baileys' `DisconnectReason`), how
 * long to wait before a reconnect, and how long a silent socket is kept. Pure values (schedules
 * among them), so every outcome is tested directly.
 */

import * as Commands from "@whatsapp-mcp/core/commands"
import { Duration, Schedule } from "effect"

export type DisconnectAction =
  /** 515 restartRequired (after pairing, or the server asks): a new socket at once. */
  | { readonly _tag: "RestartNow" }
  /** Transient (408, 428, 500, 503, unknown, silent socket): reconnect after a backoff. */
  | { readonly _tag: "Reconnect" }
  /** Nothing a reconnect can fix without the user: stop and report. */
  | { readonly _tag: "Stop"; readonly state: "replaced" | "failed"; readonly detail: string }
  /** 401: the phone unlinked this device. The session is useless: wipe it and ask to pair again. */
  | { readonly _tag: "LoggedOut" }
  /** 405 "Client outdated": WhatsApp retired the Web version announced; look the current one up. */
  | { readonly _tag: "Outdated" }

export const disconnectAction = (code: number | null): DisconnectAction => {
  switch (code) {
    case 515:
      return { _tag: "RestartNow" }
    case 401:
      return { _tag: "LoggedOut" }
    case 405:
      return { _tag: "Outdated" }
    case 440:
      return {
        _tag: "Stop",
        state: "replaced",
        detail:
          "Another client took over this WhatsApp session (code 440): is a second bridge running on this store? " +
          "Stop the other one, then restart this bridge.",
      }
    case 403:
      return {
        _tag: "Stop",
        state: "failed",
        detail:
          "WhatsApp refused this connection (code 403: the account may be banned or restricted). " +
          "Check WhatsApp on the phone, then restart the bridge.",
      }
    case 411:
      return {
        _tag: "Stop",
        state: "failed",
        detail: `WhatsApp reports a multi-device mismatch (code 411). Update WhatsApp on the phone, run \`${Commands.current.bridge} logout\`, then pair again.`,
      }
    default:
      return { _tag: "Reconnect" }
  }
}

export interface BackoffOptions {
  readonly baseMillis: number
  readonly maxMillis: number
}

export const DefaultBackoff: BackoffOptions = { baseMillis: 1_000, maxMillis: 60_000 }

/**
 * The waits between reconnects: the n-th (from 0) waits base·2ⁿ capped at max, times a random
 * factor in [0.5, 1). The jitter keeps many bridges (or a flapping network) from reconnecting in
 * lock-step. Its output is the wait itself, so the caller can say how long it will be.
 */
export const reconnectBackoff = (
  options: BackoffOptions = DefaultBackoff,
): Schedule.Schedule<Duration.Duration> =>
  Schedule.exponential(Duration.millis(options.baseMillis)).pipe(
    // a union waits for the earlier of its two schedules: the cap
    Schedule.union(Schedule.spaced(Duration.millis(options.maxMillis))),
    Schedule.jitteredWith({ min: 0.5, max: 1 }),
    Schedule.delays,
  )

/**
 * The silence watchdog's rhythm: one look every `interval` at whether the socket was active since
 * the last look (`true`), is not open yet (`true`: silence only counts while open), or was silent
 * (`false`). It ends once the silent looks in a row add up to `silence`.
 */
export const silenceWatchdog = (
  interval: Duration.DurationInput,
  silence: Duration.DurationInput,
): Schedule.Schedule<unknown, boolean> => {
  const looks = Math.max(1, Math.ceil(Duration.toMillis(silence) / Duration.toMillis(interval)))
  return Schedule.spaced(interval).pipe(
    Schedule.intersect(Schedule.recurs(looks)),
    Schedule.intersect(Schedule.identity<boolean>()),
    Schedule.resetWhen(([, active]) => active),
  )
}

/** Reads the status code Baileys puts on a close error (a Boom's `output.statusCode`). */
export const disconnectCode = (error: unknown): number | null => {
  if (typeof error !== "object" || error === null) return null
  const output = (error as { output?: { statusCode?: unknown } }).output
  return typeof output?.statusCode === "number" ? output.statusCode : null
}

/**
 * Whether a close means this machine cannot reach WhatsApp at all (no network, no DNS, a firewall):
 * Baileys turns a WebSocket error into a 408 whose reason carries the system error. A 408 without
 * one (a QR code left unscanned, a keep-alive missed) is not that.
 */
export const isUnreachable = (code: number | null, reason: string): boolean =>
  (code === 408 || code === 500 || code === null) &&
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ENETUNREACH|ENETDOWN|EHOSTUNREACH|ETIMEDOUT)\b|handshake has timed out/i.test(
    reason,
  )

/** Why the bridge is about to reconnect, in the words its terminal and health report use. */
export const describeDisconnect = (code: number | null, reason: string): string =>
  isUnreachable(code, reason)
    ? `Cannot reach WhatsApp (${code ?? "no code"}: ${reason}): check this machine's network connection`
    : `Disconnected from WhatsApp (${code ?? "no code"}: ${reason})`
