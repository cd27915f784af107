/**
 * The one line a read tool's result carries when the store may be stale (the bridge is down, logged
 * out, outdated, or its link is about to expire), so a model does not present old messages as
 * current. Built from the bridge's health and the newest stored message; never fails.
 */
import { SqlClient } from "@effect/sql"
import type { Health as BridgeHealth } from "@whatsapp-mcp/core/api"
import { BridgeClient, TimeZone } from "@whatsapp-mcp/runtime"
import { Clock, Duration, Effect, Option } from "effect"

type Health = BridgeHealth

/** "3 days", "5 hours", "12 minutes", "under a minute": how a person says how old something is. */
export const describeAge = (seconds: number): string => {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`
  if (seconds < 60) return "under a minute"
  if (seconds < 3_600) return plural(Math.floor(seconds / 60), "minute")
  if (seconds < 86_400) return plural(Math.floor(seconds / 3_600), "hour")
  return plural(Math.floor(seconds / 86_400), "day")
}

/** Why the store may be stale, in a few words; none when WhatsApp is connected and healthy. */
const whyStale = (health: Option.Option<Health>): Option.Option<string> => {
  if (Option.isNone(health)) return Option.some("the bridge is not running or not answering")
  const h = health.value
  switch (h.connection) {
    case "open":
      return Option.none()
    case "logged_out":
      return Option.some("logged out: the phone unlinked this device")
    case "outdated":
      return Option.some("WhatsApp refuses this version of the bridge: it needs an update")
    case "replaced":
      return Option.some("another client took over the session")
    case "failed":
      return Option.some("the connection failed")
    case "stopped":
      return Option.some("the bridge is stopping")
    default:
      if (h.pairing !== "paired") return Option.some("not linked yet")
      // The bridge names an unreachable network in its detail; "reconnecting" alone would hide it.
      return Option.some(
        h.detail?.startsWith("Cannot reach WhatsApp") ? "cannot reach WhatsApp (no network?)" : h.connection,
      )
  }
}

export const noticeLine = (
  health: Option.Option<Health>,
  newest: number | null,
  nowSeconds: number,
): Option.Option<string> => {
  const age =
    newest === null
      ? "no messages stored yet"
      : `newest stored message ${describeAge(Math.max(0, nowSeconds - newest))} old`
  const why = whyStale(health)
  if (Option.isSome(why)) {
    return Option.some(`WhatsApp is not connected (${why.value}): ${age}; newer messages may be missing.`)
  }
  const warning = Option.flatMap(health, (h) => Option.fromNullable(h.link_warning))
  return Option.map(warning, (w) => `WhatsApp may stop syncing soon (${w}): ${age}.`)
}

/** How long the bridge may take to say how it is before it counts as not answering. */
const healthTimeout = Duration.seconds(2)

/** What the notice is built from: the bridge's health (none: not answering) and the store's newest message. */
export interface Snapshot {
  readonly health: Option.Option<Health>
  readonly newest: number | null
  readonly nowSeconds: number
}

/** Asks the bridge how it is and the store how new it is; none without a bridge client. */
const snapshot: Effect.Effect<Option.Option<Snapshot>> = Effect.gen(function* () {
  const client = yield* Effect.serviceOption(BridgeClient.BridgeClient)
  if (Option.isNone(client)) return Option.none()
  const health = yield* client.value.probeHealth.pipe(Effect.timeout(healthTimeout), Effect.option)
  // A store that cannot be opened still leaves the bridge's side worth reporting.
  const sql = yield* Effect.serviceOption(SqlClient.SqlClient)
  const rows = Option.isNone(sql)
    ? []
    : yield* sql.value<{ newest: number | null }>`SELECT max(timestamp) AS newest FROM messages`.pipe(
        Effect.orElseSucceed(() => []),
      )
  const nowSeconds = Math.floor((yield* Clock.currentTimeMillis) / 1000)
  return Option.some({ health, newest: rows[0]?.newest ?? null, nowSeconds })
}).pipe(Effect.catchAllCause(() => Effect.succeed(Option.none<Snapshot>())))

/**
 * The notice for the store the given client reads. Without a bridge client (a plugin test that
 * provides none) there is nothing to say.
 */
export const current: Effect.Effect<Option.Option<string>> = snapshot.pipe(
  Effect.map(Option.flatMap((s) => noticeLine(s.health, s.newest, s.nowSeconds))),
)

/** The status resource's address: fixed, so a client can read it without listing first. */
export const statusUri = "whatsapp://status"

export const statusListing = {
  uri: statusUri,
  name: "status",
  title: "WhatsApp connection status",
  description:
    "Whether the bridge is connected to WhatsApp, the WhatsApp Web version it uses, any warning that the link may expire, and how old the newest stored message is. Read it when results may be out of date.",
  mimeType: "application/json",
} as const

/**
 * The status resource's content, as JSON a client or model can read: the same facts the notice
 * line summarises, with the line itself (null when all is well).
 */
export const statusJson = (found: Option.Option<Snapshot>, format: (seconds: number) => string): string => {
  const body = Option.match(found, {
    onNone: () => ({
      bridge: "not configured" as const,
      connection: null,
      detail: null,
      wa_web_version: null,
      link_warning: null,
      newest_message_time: null,
      newest_message_age_seconds: null,
      notice: null,
    }),
    onSome: (s) => {
      const h = Option.getOrNull(s.health)
      return {
        bridge: h === null ? ("not answering" as const) : ("answering" as const),
        connection: h?.connection ?? null,
        detail: h?.detail ?? null,
        wa_web_version: h?.wa_web_version?.version ?? null,
        link_warning: h?.link_warning ?? null,
        newest_message_time: s.newest === null ? null : format(s.newest),
        newest_message_age_seconds: s.newest === null ? null : Math.max(0, s.nowSeconds - s.newest),
        notice: Option.getOrNull(noticeLine(s.health, s.newest, s.nowSeconds)),
      }
    },
  })
  return `${JSON.stringify(body, null, 2)}\n`
}

/** Reads the status resource; never fails. */
export const readStatus: Effect.Effect<string> = Effect.gen(function* () {
  const zone = yield* Effect.serviceOption(TimeZone.TimeZone)
  const format = Option.match(zone, {
    onNone: () => (seconds: number) => new Date(seconds * 1000).toISOString(),
    onSome: (z) => (seconds: number) => z.format(seconds),
  })
  return statusJson(yield* snapshot, format)
})
