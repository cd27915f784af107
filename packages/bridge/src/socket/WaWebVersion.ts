/**
 * Which WhatsApp Web version the bridge announces when it connects. WhatsApp retires old versions
 * and then refuses every connection as "Client outdated" (405), so the bridge looks up the current
 * one (with a timeout), keeps the last good answer in the store, and falls back to the stored one,
 * then to the version built into Baileys, when the lookup fails.
 */
import { DEFAULT_CONNECTION_CONFIG, fetchLatestWaWebVersion } from "@whiskeysockets/baileys"
import { Context, Data, Duration, Effect, Layer, Option, Ref } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { MessageStore } from "../store/MessageStore.js"

export type WaVersion = readonly [number, number, number]

/** Where the version in use came from: WhatsApp's own site, the store's last good one, or Baileys. */
export type WaVersionSource = "whatsapp" | "stored" | "baileys"

export interface VersionInUse {
  readonly version: WaVersion
  readonly source: WaVersionSource
}

export const BaileysVersion: WaVersion = [...DEFAULT_CONNECTION_CONFIG.version]

export const formatWaVersion = (version: WaVersion): string => version.join(".")

/**
 * Reads a version written as `2.3000.1043857760` (the form the store keeps). Anything else (a
 * truncated row, a hand-edited value, a revision that is not a whole number) is no version.
 */
export const parseWaVersion = (text: string): Option.Option<WaVersion> => {
  const match = /^(\d{1,4})\.(\d{1,6})\.(\d{1,12})$/.exec(text.trim())
  if (match === null) return Option.none()
  const [major, minor, revision] = [Number(match[1]), Number(match[2]), Number(match[3])]
  return major > 0 && revision > 0 ? Option.some([major, minor, revision]) : Option.none()
}

/** The current version could not be learned; `message` says why (no network, garbage, timeout). */
export class VersionLookupError extends Data.TaggedError("VersionLookupError")<{
  readonly message: string
}> {}

/** Asks WhatsApp which Web client version is current. */
export class WaVersionLookup extends Context.Tag("@whatsapp-mcp/bridge/WaVersionLookup")<
  WaVersionLookup,
  { readonly latest: Effect.Effect<WaVersion, VersionLookupError> }
>() {}

/** The store's memory of the last version WhatsApp accepted or named, as written. */
export class StoredWaVersion extends Context.Tag("@whatsapp-mcp/bridge/StoredWaVersion")<
  StoredWaVersion,
  {
    readonly get: Effect.Effect<Option.Option<string>>
    readonly put: (version: string) => Effect.Effect<void>
  }
>() {}

export interface WaWebVersionShape {
  /** The version for the next socket: the one chosen at start, looked up on first use. */
  readonly forSocket: Effect.Effect<VersionInUse>
  /** Looks the version up again (after a 405) and uses the answer for the next socket. */
  readonly refresh: Effect.Effect<VersionInUse>
  /** The version in use, once one was chosen. */
  readonly inUse: Effect.Effect<Option.Option<VersionInUse>>
}

export class WaWebVersion extends Context.Tag("@whatsapp-mcp/bridge/WaWebVersion")<
  WaWebVersion,
  WaWebVersionShape
>() {}

/** The store key of the last good version; the `account` table is key/value, so no migration. */
export const StoredVersionKey = "wa_web_version"

export interface WaWebVersionOptions {
  /** How long the lookup may take before the stored version is used instead. */
  readonly lookupTimeout?: Duration.DurationInput
}

export const make = (options: WaWebVersionOptions = {}) =>
  Effect.gen(function* () {
    const lookup = yield* WaVersionLookup
    const stored = yield* StoredWaVersion
    const timeout = options.lookupTimeout ?? Duration.seconds(10)
    const chosen = yield* Ref.make<Option.Option<VersionInUse>>(Option.none())

    const fallback = Effect.gen(function* () {
      const text = yield* stored.get
      if (Option.isNone(text)) return { version: BaileysVersion, source: "baileys" } as const
      const version = parseWaVersion(text.value)
      if (Option.isSome(version)) return { version: version.value, source: "stored" } as const
      yield* Effect.logWarning(
        `The stored WhatsApp Web version ${JSON.stringify(text.value.slice(0, 40))} is malformed; using Baileys' built-in ${formatWaVersion(BaileysVersion)}.`,
      )
      return { version: BaileysVersion, source: "baileys" } as const
    })

    const choose = Effect.gen(function* () {
      const looked = yield* lookup.latest.pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () =>
            new VersionLookupError({
              message: `no answer within ${Duration.format(Duration.decode(timeout))}`,
            }),
        }),
        Effect.either,
      )
      const next: VersionInUse =
        looked._tag === "Right"
          ? { version: looked.right, source: "whatsapp" }
          : yield* Effect.logWarning(
              `Could not look up the current WhatsApp Web version (${looked.left.message}); using the last known one.`,
            ).pipe(Effect.zipRight(fallback))
      if (next.source === "whatsapp") yield* stored.put(formatWaVersion(next.version))
      yield* Ref.set(chosen, Option.some(next))
      return next
    })

    return WaWebVersion.of({
      forSocket: Ref.get(chosen).pipe(
        Effect.flatMap(Option.match({ onNone: () => choose, onSome: Effect.succeed })),
      ),
      refresh: choose,
      inUse: Ref.get(chosen),
    })
  })

export const layer = (
  options: WaWebVersionOptions = {},
): Layer.Layer<WaWebVersion, never, WaVersionLookup | StoredWaVersion> =>
  Layer.effect(WaWebVersion, make(options))

/** WhatsApp's answer through Baileys: its service worker names the current client revision. */
export const liveLookup: Layer.Layer<WaVersionLookup> = Layer.succeed(WaVersionLookup, {
  latest: Effect.tryPromise({
    try: (signal) => fetchLatestWaWebVersion({ signal }),
    catch: (error) => new VersionLookupError({ message: describeError(error) }),
  }).pipe(
    Effect.flatMap((answer) => {
      // Baileys reports failures (garbage, HTTP errors, no network) as its own version, not latest.
      if (!answer.isLatest) {
        const why = (answer.error as { message?: unknown } | undefined)?.message
        return Effect.fail(
          new VersionLookupError({ message: typeof why === "string" ? why : "no version found" }),
        )
      }
      return Option.match(parseWaVersion(answer.version.join(".")), {
        onNone: () =>
          Effect.fail(
            new VersionLookupError({ message: `unusable version ${JSON.stringify(answer.version)}` }),
          ),
        onSome: Effect.succeed,
      })
    }),
  ),
})

/** The store's `account` row, read and written through the bridge's one writer connection. */
export const storedInStore: Layer.Layer<StoredWaVersion, never, MessageStore> = Layer.effect(
  StoredWaVersion,
  Effect.gen(function* () {
    const { db } = yield* MessageStore
    const read = db.prepare<[string], { value: unknown }>("SELECT value FROM account WHERE key = ?")
    const write = db.prepare<[string, string]>(
      "INSERT INTO account (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    return StoredWaVersion.of({
      get: Effect.sync(() => {
        const value = read.get(StoredVersionKey)?.value
        return typeof value === "string" ? Option.some(value) : Option.none()
      }).pipe(Effect.catchAllDefect(() => Effect.succeed(Option.none<string>()))),
      put: (version) =>
        Effect.sync(() => {
          write.run(StoredVersionKey, version)
        }).pipe(
          Effect.catchAllDefect((error) =>
            Effect.logWarning(
              `Could not keep the WhatsApp Web version in the store: ${describeError(error)}`,
            ),
          ),
        ),
    })
  }),
)

/** The live version source: WhatsApp, remembered in the store. */
export const live: Layer.Layer<WaWebVersion, never, MessageStore> = layer().pipe(
  Layer.provide(Layer.merge(liveLookup, storedInStore)),
)
