/**
 * When WhatsApp last showed signs of life to this device, kept in the store so that the expiring-link
 * warning counts the phone's silence across bridge restarts: a bridge restarted every few days must
 * still notice a phone that has been offline for a week.
 */
import { Context, Effect, Layer, Option } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { MessageStore } from "../store/MessageStore.js"

export class LastHeard extends Context.Tag("@whatsapp-mcp/bridge/LastHeard")<
  LastHeard,
  {
    /** Epoch milliseconds; none when never recorded or unreadable. */
    readonly get: Effect.Effect<Option.Option<number>>
    readonly put: (epochMillis: number) => Effect.Effect<void>
  }
>() {}

/** The store key; the `account` table is key/value, so no migration. */
export const LastHeardKey = "last_heard_from_whatsapp"

/** A stored value as epoch milliseconds, if it is one (anything else is ignored, never trusted). */
export const parseLastHeard = (value: unknown): Option.Option<number> => {
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) return Option.none()
  return Option.some(Number(value))
}

/** The store's `account` row, read and written through the bridge's one writer connection. */
export const storedInStore: Layer.Layer<LastHeard, never, MessageStore> = Layer.effect(
  LastHeard,
  Effect.gen(function* () {
    const { db } = yield* MessageStore
    const read = db.prepare<[string], { value: unknown }>("SELECT value FROM account WHERE key = ?")
    const write = db.prepare<[string, string]>(
      "INSERT INTO account (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    return LastHeard.of({
      get: Effect.sync(() => parseLastHeard(read.get(LastHeardKey)?.value)).pipe(
        Effect.catchAllDefect(() => Effect.succeed(Option.none<number>())),
      ),
      put: (epochMillis) =>
        Effect.sync(() => {
          write.run(LastHeardKey, String(Math.floor(epochMillis)))
        }).pipe(
          Effect.catchAllDefect((error) =>
            Effect.logWarning(
              `Could not keep the time WhatsApp was last heard from in the store: ${describeError(error)}`,
            ),
          ),
        ),
    })
  }),
)
