/**
 * Opens the store directory: creates it (mode 0700), brings the schema up to date with the
 * Migrator, and holds the one writer connection the bridge uses for the life of its scope.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Migrator } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { StoreFileName } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { Context, Data, Effect, Layer, type Scope } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { guardStoreFiles } from "../StoreFileGuard.js"
import { restoreMessageIndexes } from "./MessageIndexes.js"
import { StoreMigrations } from "./StoreMigrations.js"

/** The store could not be opened or upgraded; `message` says what to do about it. */
export class StoreOpenError extends Data.TaggedError("StoreOpenError")<{
  readonly directory: string
  readonly message: string
  readonly cause?: unknown
}> {}

export interface MessageStoreOptions {
  /** the store directory (holds `messages.db`); created with mode 0700 when missing */
  readonly directory: string
}

/** The opened store: its location and the writer connection. */
export interface OpenedStore {
  readonly directory: string
  readonly file: string
  /** the only writer connection; ingestion and the bridge's own writes go through it */
  readonly db: Database.Database
}

/** The message store, opened and migrated, for the life of the layer's scope. */
export class MessageStore extends Context.Tag("@whatsapp-mcp/bridge/MessageStore")<
  MessageStore,
  OpenedStore
>() {
  static readonly layer = (options: MessageStoreOptions): Layer.Layer<MessageStore, StoreOpenError> =>
    Layer.scoped(MessageStore, openMessageStore(options))
}

const reason = (error: unknown): string => {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined
  return code ? `${code}: ${describeError(error)}` : describeError(error)
}

const prepareDirectory = (directory: string) =>
  Effect.try({
    try: () => {
      fs.mkdirSync(directory, { recursive: true, mode: 0o700 })
      fs.accessSync(directory, fs.constants.R_OK | fs.constants.W_OK)
    },
    catch: (cause) =>
      new StoreOpenError({
        directory,
        cause,
        message: `Cannot use ${directory} as the store directory (${reason(cause)}). Pass a directory you can write to with --store DIR.`,
      }),
  })

/**
 * A new store gets 8 KiB pages before anything is written (the size cannot change afterwards in
 * WAL mode): loading a long history writes fewer pages than with SQLite's default 4 KiB,
 * and the read tools' lookups stay as fast.
 */
const createWithPageSize = (directory: string, file: string) =>
  Effect.try({
    try: () => {
      if (fs.existsSync(file)) return
      // Readable by the user alone from the first byte; SQLite gives its -wal and -shm files the
      // database file's mode.
      fs.closeSync(fs.openSync(file, "wx", 0o600))
      const db = new Database(file)
      try {
        db.pragma("page_size = 8192")
        db.pragma("journal_mode = WAL")
      } finally {
        db.close()
      }
    },
    catch: (cause) =>
      new StoreOpenError({
        directory,
        cause,
        message: `Cannot create ${file} (${reason(cause)}). Pass a directory you can write to with --store DIR.`,
      }),
  })

const migrate = (directory: string, file: string) =>
  Migrator.make({})({ loader: Migrator.fromRecord(StoreMigrations) }).pipe(
    Effect.provide(SqliteClient.layer({ filename: file })),
    Effect.mapError(
      (cause) =>
        new StoreOpenError({
          directory,
          cause,
          message: `Cannot bring the store schema in ${file} up to date (${cause._tag === "SqlError" ? reason(cause.cause) : cause.message}). Is another bridge writing to it, or is the file damaged?`,
        }),
    ),
  )

const connect = (directory: string, file: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const db = new Database(file)
        try {
          db.pragma("journal_mode = WAL")
          db.pragma("synchronous = NORMAL")
          db.pragma("busy_timeout = 5000")
          db.pragma("temp_store = MEMORY")
          db.pragma("cache_size = -65536")
          db.pragma("foreign_keys = OFF")
          return db
        } catch (error) {
          db.close()
          throw error
        }
      },
      catch: (cause) =>
        new StoreOpenError({
          directory,
          cause,
          message: `Cannot open ${file} for writing (${reason(cause)}).`,
        }),
    }),
    (db) =>
      Effect.sync(() => {
        if (!db.open) return
        try {
          db.pragma("optimize")
        } finally {
          db.close()
        }
      }),
  )

/** Opens (creating and migrating as needed) the store in `options.directory` for the current scope. */
export const openMessageStore = (
  options: MessageStoreOptions,
): Effect.Effect<OpenedStore, StoreOpenError, Scope.Scope> =>
  Effect.gen(function* () {
    const directory = path.resolve(options.directory)
    const file = path.join(directory, StoreFileName)
    yield* prepareDirectory(directory)
    yield* guardStoreFiles(directory).pipe(
      Effect.mapError((refused) => new StoreOpenError({ directory, message: refused.message })),
    )
    yield* createWithPageSize(directory, file)
    yield* migrate(directory, file)
    const db = yield* connect(directory, file)
    // a bulk load that never finished left search indexes out: build them before anything reads
    yield* Effect.try({
      try: () => restoreMessageIndexes(db),
      catch: (cause) =>
        new StoreOpenError({
          directory,
          cause,
          message: `Cannot rebuild the search indexes of ${file} (${reason(cause)}). Is the disk full?`,
        }),
    })
    return { directory, file, db }
  })
