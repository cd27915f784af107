/**
 * The one line a read tool's result carries when the store may be stale (the bridge is down, logged
 * out, outdated, or its link is about to expire), so a model does not present old messages as
 * current. Built from the bridge's health and the newest stored message; never fails.
 */
import { SqlClient } from "@effect/sql"
import type { EndpointResponse } from "@whatsapp-mcp/bridge/api"
import { Clock, Duration, Effect, Option } from "effect"
import { BridgeClient } from "../bridge/BridgeClient.js"

type Health = EndpointResponse<"health">

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
      return Option.some(h.pairing === "paired" ? h.connection : "not linked yet")
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

/**
 * The notice for the store the given client reads. Without a bridge client (a plugin test that
 * provides none) there is nothing to say.
 */
export const current: Effect.Effect<Option.Option<string>, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const client = yield* Effect.serviceOption(BridgeClient)
    if (Option.isNone(client)) return Option.none()
    const health = yield* client.value.probeHealth.pipe(Effect.timeout(healthTimeout), Effect.option)
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ newest: number | null }>`SELECT max(timestamp) AS newest FROM messages`.pipe(
      Effect.orElseSucceed(() => []),
    )
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    return noticeLine(health, rows[0]?.newest ?? null, now)
  },
).pipe(Effect.catchAllCause(() => Effect.succeed(Option.none<string>())))
