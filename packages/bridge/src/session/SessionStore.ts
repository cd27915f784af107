/**
 * Baileys' linked-device session (creds and signal keys) in its own SQLite file,
 * `<store>/session.db`: key writes are transactional, creds are saved on every `creds.update`, and
 * logout wipes everything so the next start pairs afresh.
 */
import { chmodSync, closeSync, openSync } from "node:fs"
import { join } from "node:path"
import { Reactivity } from "@effect/experimental"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { SessionFileName } from "@whatsapp-mcp/core/store"
import type { AuthenticationCreds, AuthenticationState, SignalDataTypeMap } from "@whiskeysockets/baileys"
import { BufferJSON, initAuthCreds, proto } from "@whiskeysockets/baileys"
import { Context, Data, Effect, Layer, Runtime } from "effect"

export class SessionStoreError extends Data.TaggedError("SessionStoreError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface SessionStoreShape {
  /** The auth state to hand to `makeWASocket`; its `keys` write through to SQLite. */
  readonly authState: Effect.Effect<AuthenticationState, SessionStoreError>
  /** Persists the current creds (call on every `creds.update`). */
  readonly saveCreds: Effect.Effect<void, SessionStoreError>
  /** True once a phone has linked this device. */
  readonly isRegistered: Effect.Effect<boolean, SessionStoreError>
  /** Deletes creds and keys: the next socket starts unpaired. */
  readonly wipe: Effect.Effect<void, SessionStoreError>
}

export class SessionStore extends Context.Tag("@whatsapp-mcp/bridge/SessionStore")<
  SessionStore,
  SessionStoreShape
>() {}

const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer)
const decode = (text: string): unknown => JSON.parse(text, BufferJSON.reviver)

/** Opens (creating if needed) `<storeDir>/session.db` for the lifetime of the scope. */
export const make = (storeDir: string) =>
  Effect.gen(function* () {
    const file = join(storeDir, SessionFileName)
    // The session's keys are the account: readable by the user only, from the first byte written
    // (SQLite gives its -wal and -shm files the same mode).
    yield* Effect.sync(() => {
      closeSync(openSync(file, "a", 0o600))
      chmodSync(file, 0o600)
    })
    const sql = yield* SqliteClient.make({ filename: file }).pipe(Effect.provide(Reactivity.layer))
    const fail = (what: string) => (cause: unknown) =>
      new SessionStoreError({
        message: `Cannot ${what} the WhatsApp session in ${storeDir}/${SessionFileName}`,
        cause,
      })
    yield* sql`CREATE TABLE IF NOT EXISTS creds (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL)`.pipe(
      Effect.zipRight(
        sql`CREATE TABLE IF NOT EXISTS signal_keys (
          type TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (type, id)
        ) WITHOUT ROWID`,
      ),
      Effect.mapError(fail("create")),
      Effect.orDie,
    )

    const loadCreds = sql<{ value: string }>`SELECT value FROM creds WHERE id = 1`.pipe(
      Effect.map((rows) =>
        rows[0] === undefined ? initAuthCreds() : (decode(rows[0].value) as AuthenticationCreds),
      ),
      Effect.mapError(fail("read")),
    )
    // Baileys mutates this object in place; saveCreds writes whatever it holds now.
    let creds: AuthenticationCreds = yield* loadCreds.pipe(Effect.orDie)
    const runtime = yield* Effect.runtime<never>()
    const run = Runtime.runPromise(runtime)

    const getKeys = <T extends keyof SignalDataTypeMap>(type: T, ids: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const out: { [id: string]: SignalDataTypeMap[T] } = {}
        if (ids.length === 0) return out
        const rows = yield* sql<{ id: string; value: string }>`
          SELECT id, value FROM signal_keys WHERE type = ${type} AND ${sql.in("id", ids)}`
        for (const row of rows) {
          let value = decode(row.value)
          if (type === "app-state-sync-key" && value !== null) {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object)
          }
          out[row.id] = value as SignalDataTypeMap[T]
        }
        return out
      }).pipe(Effect.mapError(fail("read")))

    const setKeys = (
      data: { [T in keyof SignalDataTypeMap]?: { [id: string]: SignalDataTypeMap[T] | null } },
    ) =>
      sql
        .withTransaction(
          Effect.forEach(
            Object.entries(data),
            ([type, values]) =>
              Effect.forEach(
                Object.entries(values ?? {}),
                ([id, value]) =>
                  value === null || value === undefined
                    ? sql`DELETE FROM signal_keys WHERE type = ${type} AND id = ${id}`
                    : sql`INSERT INTO signal_keys (type, id, value) VALUES (${type}, ${id}, ${encode(value)})
                        ON CONFLICT (type, id) DO UPDATE SET value = excluded.value`,
                { discard: true },
              ),
            { discard: true },
          ),
        )
        .pipe(Effect.mapError(fail("write")))

    const state: AuthenticationState = {
      get creds() {
        return creds
      },
      set creds(next) {
        creds = next
      },
      keys: {
        get: (type, ids) => run(getKeys(type, ids)),
        set: (data) => run(setKeys(data)),
        clear: () => run(sql`DELETE FROM signal_keys`.pipe(Effect.asVoid, Effect.mapError(fail("clear")))),
      },
    }

    return SessionStore.of({
      authState: Effect.succeed(state),
      saveCreds: Effect.suspend(
        () => sql`INSERT INTO creds (id, value) VALUES (1, ${encode(creds)})
          ON CONFLICT (id) DO UPDATE SET value = excluded.value`,
      ).pipe(Effect.asVoid, Effect.mapError(fail("save"))),
      isRegistered: Effect.sync(() => creds.registered === true || creds.me?.id !== undefined),
      wipe: sql
        .withTransaction(sql`DELETE FROM signal_keys`.pipe(Effect.zipRight(sql`DELETE FROM creds`)))
        .pipe(
          Effect.zipRight(
            Effect.sync(() => {
              creds = initAuthCreds()
            }),
          ),
          Effect.asVoid,
          Effect.mapError(fail("wipe")),
        ),
    })
  })

export const layer = (storeDir: string): Layer.Layer<SessionStore> =>
  Layer.scoped(SessionStore, make(storeDir))

/**
 * A session that lives only in memory, for the replay bridge: a simulated socket must never touch
 * (or wipe) a real linked-device session that happens to sit in the same store directory. Given
 * `me`, it starts as already linked to that (simulated) account.
 */
export const inMemory = (me?: { readonly id: string; readonly name?: string }): Layer.Layer<SessionStore> =>
  Layer.sync(SessionStore, () => {
    let creds = initAuthCreds()
    if (me !== undefined) creds.me = me.name === undefined ? { id: me.id } : { id: me.id, name: me.name }
    const keys = new Map<string, unknown>()
    const state: AuthenticationState = {
      get creds() {
        return creds
      },
      set creds(next) {
        creds = next
      },
      keys: {
        get: async (type, ids) => {
          const out: { [id: string]: never } = {}
          for (const id of ids) {
            const value = keys.get(`${type}|${id}`)
            if (value !== undefined) out[id] = value as never
          }
          return out
        },
        set: async (data) => {
          for (const [type, values] of Object.entries(data)) {
            for (const [id, value] of Object.entries(values ?? {})) {
              if (value === null || value === undefined) keys.delete(`${type}|${id}`)
              else keys.set(`${type}|${id}`, value)
            }
          }
        },
      },
    }
    return SessionStore.of({
      authState: Effect.succeed(state),
      saveCreds: Effect.void,
      isRegistered: Effect.sync(() => creds.me?.id !== undefined),
      wipe: Effect.sync(() => {
        creds = initAuthCreds()
        keys.clear()
      }),
    })
  })
