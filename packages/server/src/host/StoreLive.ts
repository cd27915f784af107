/**
 * The store as the MCP side sees it: a read-only SQLite connection to `<store>/messages.db`, opened
 * on first use so that the server starts (and lists its tools) before the bridge has ever run, and
 * picks the store up as soon as the bridge creates it. A store replaced by another file (deleted
 * and made again by a new pairing, or a fresh demo) is opened anew: the old connection would keep
 * reading the deleted file.
 */
import { statSync } from "node:fs"
import { join } from "node:path"
import { Reactivity } from "@effect/experimental"
import type { SqlClient } from "@effect/sql"
import * as Commands from "@whatsapp-mcp/core/commands"
import { StoreMigrationsTable, StoreSchemaVersion } from "@whatsapp-mcp/core/store"
import { Store, StoreUnavailable } from "@whatsapp-mcp/runtime"
import { Duration, Effect, ExecutionStrategy, Exit, Layer, Scope } from "effect"
import * as ReadOnlySqliteClient from "./internal/ReadOnlySqliteClient.js"

/**
 * Pragmas of the read-only connection (`bench/read-tools.mjs` opens its own with the same ones).
 * A 16 MB page cache (better-sqlite3's default, said here so that it is a choice): a smaller one
 * saved little resident memory and made searches slower, re-reading pages the operating system
 * caches. No mmap: mapped pages of the store would count in the server's resident memory as it
 * reads them.
 */
export const readPragmas: ReadonlyArray<string> = ["cache_size = -16000", "mmap_size = 0"]

const startBridge = `Start the bridge first (\`${Commands.current.bridge}\` to link your phone, or \`${Commands.current.demo}\` to try it with sample data): it creates the store.`

export const make = (storeDir: string): Effect.Effect<Store.StoreService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const path = join(storeDir, Store.databaseFile)
    const scope = yield* Effect.scope
    const lock = yield* Effect.makeSemaphore(1)
    let current:
      | { readonly client: SqlClient.SqlClient; readonly file: string; readonly scope: Scope.CloseableScope }
      | undefined

    /** The file's identity: a replaced file has another inode even at the same path. */
    const identity = (): string | undefined => {
      const stats = statSync(path, { throwIfNoEntry: false })
      return stats === undefined ? undefined : `${stats.dev}:${stats.ino}`
    }

    /**
     * Lets go of a connection to a file that is no longer the store. Closed a while later, not at
     * once: a call that took it just before may still be reading through it.
     */
    const retire = (old: NonNullable<typeof current>) =>
      Effect.forkIn(Effect.delay(Scope.close(old.scope, Exit.void), Duration.seconds(30)), scope)

    const open = Effect.gen(function* () {
      if (current !== undefined) {
        if (identity() === current.file) return current.client
        const old = current
        current = undefined
        yield* retire(old)
      }
      const file = identity()
      if (file === undefined) {
        return yield* new StoreUnavailable({ path, reason: `it does not exist yet. ${startBridge}` })
      }
      const connectionScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
      const client = yield* connect(connectionScope).pipe(
        Effect.onError(() => Scope.close(connectionScope, Exit.void)),
      )
      current = { client, file, scope: connectionScope }
      return client
    })

    /** Opens the read-only connection in `connectionScope` and checks it is a store this server reads. */
    const connect = (connectionScope: Scope.Scope) =>
      Effect.gen(function* () {
        const client = yield* ReadOnlySqliteClient.make(path).pipe(
          Effect.provide(Reactivity.layer),
          Scope.extend(connectionScope),
          Effect.catchAllDefect((defect) =>
            Effect.fail(
              new StoreUnavailable({ path, reason: `SQLite could not open it (${String(defect)}).` }),
            ),
          ),
        )
        for (const pragma of readPragmas) {
          yield* client.unsafe(`PRAGMA ${pragma}`).pipe(
            Effect.mapError(
              (error) =>
                new StoreUnavailable({
                  path,
                  reason: `SQLite refused PRAGMA ${pragma} (${error.message}).`,
                }),
            ),
          )
        }
        const tables = yield* client<{
          name: string
        }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'`.pipe(
          Effect.mapError(
            (error) => new StoreUnavailable({ path, reason: `SQLite could not read it (${error.message}).` }),
          ),
        )
        if (tables.length === 0) {
          return yield* new StoreUnavailable({
            path,
            reason: `it is not a whatsapp-mcp store yet (no messages table). ${startBridge}`,
          })
        }
        // a store the running bridge has not upgraded yet lacks what the tools' queries use
        const applied = yield* client<{
          version: number | null
        }>`SELECT MAX(migration_id) AS version FROM ${client(StoreMigrationsTable)}`.pipe(
          Effect.orElseSucceed(() => [{ version: null }]),
        )
        const version = applied[0]?.version ?? 0
        if (version < StoreSchemaVersion) {
          return yield* new StoreUnavailable({
            path,
            reason: `it was written by an older bridge (store schema ${version}, this server reads ${StoreSchemaVersion}). Restart the bridge once (\`${Commands.current.bridge}\`, or your service) to upgrade it; nothing is lost.`,
          })
        }
        return client
      })

    return {
      path,
      client: Effect.suspend(() =>
        current !== undefined && identity() === current.file
          ? Effect.succeed(current.client)
          : lock.withPermits(1)(open),
      ),
    }
  })

export const layer = (storeDir: string): Layer.Layer<Store.Store> => Layer.scoped(Store.Store, make(storeDir))
