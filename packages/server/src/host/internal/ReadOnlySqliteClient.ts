/**
 * The `SqlClient` the tools read the store through: one read-only better-sqlite3 connection, its
 * statements prepared once, rows read as arrays and given their column names here.
 *
 * better-sqlite3 builds each row object by looking every column name up again in V8's string table,
 * so a page of messages with their names, quote and reactions spent far longer materialising rows
 * than SQLite spent reading them. Arrays zipped with names cached per statement cost less, and
 * every tool call is a few of those pages (`bench/read-tools.mjs`).
 */
import type { Reactivity } from "@effect/experimental"
import { SqlClient, type SqlConnection, SqlError, Statement } from "@effect/sql"
import Database from "better-sqlite3"
import { Context, Effect, Scope, Stream } from "effect"

/** Statements kept prepared: the tools' SQL texts are a few dozen shapes; a plugin may add more. */
const preparedLimit = 200

interface Prepared {
  readonly statement: Database.Statement
  /** The result's column names, for a statement that returns rows. */
  readonly columns: ReadonlyArray<string> | undefined
}

const objectsOf = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
): Array<Record<string, unknown>> => {
  const objects = new Array<Record<string, unknown>>(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r] as ReadonlyArray<unknown>
    const object: Record<string, unknown> = {}
    for (let c = 0; c < columns.length; c++) object[columns[c] as string] = values[c]
    objects[r] = object
  }
  return objects
}

const entryOf = (statement: Database.Statement): Prepared =>
  statement.reader
    ? { statement: statement.raw(true), columns: statement.columns().map((column) => column.name) }
    : { statement, columns: undefined }

/** SQLite's own reason goes into the message: it is what a user reads ("database is locked"…). */
const failure = (cause: unknown, what: string) =>
  new SqlError.SqlError({
    cause,
    message: `SQLite could not ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
  })

/**
 * Opens `filename` read-only (throws, as a defect, when SQLite cannot open it) and closes it with
 * the scope. Transactions take the connection for themselves, as on any SQLite client.
 */
export const make = (
  filename: string,
): Effect.Effect<SqlClient.SqlClient, never, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.sync(() => new Database(filename, { readonly: true })),
      (db) => Effect.sync(() => db.close()),
    )
    const prepared = new Map<string, Prepared>()
    const prepare = (sql: string): Prepared => {
      const known = prepared.get(sql)
      if (known !== undefined) return known
      const entry = entryOf(db.prepare(sql))
      if (prepared.size >= preparedLimit) {
        // the oldest prepared: Map keeps insertion order
        const oldest = prepared.keys().next()
        if (oldest.done !== true) prepared.delete(oldest.value)
      }
      prepared.set(sql, entry)
      return entry
    }
    /**
     * Runs a statement: a reader's rows go to `read` (as arrays, with their column names), any
     * other statement's result (changes, last row id) to `ran`.
     */
    const execute = <A>(
      entry: () => Prepared,
      params: ReadonlyArray<unknown>,
      read: (columns: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>) => A,
      ran: (result: Database.RunResult) => A,
    ): Effect.Effect<A, SqlError.SqlError> =>
      Effect.withFiberRuntime((fiber) => {
        let ready: Prepared
        try {
          ready = entry()
        } catch (cause) {
          return Effect.fail(failure(cause, "prepare the statement"))
        }
        try {
          const { statement, columns } = ready
          statement.safeIntegers(Context.get(fiber.currentContext, SqlClient.SafeIntegers))
          return Effect.succeed(
            columns === undefined
              ? ran(statement.run(...params))
              : read(columns, statement.all(...params) as ReadonlyArray<ReadonlyArray<unknown>>),
          )
        } catch (cause) {
          return Effect.fail(failure(cause, "run the statement"))
        }
      })
    const noRows = (): ReadonlyArray<Record<string, unknown>> => []
    const objects = (
      entry: () => Prepared,
      params: ReadonlyArray<unknown>,
      transformRows: (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined,
    ) => {
      const effect = execute(entry, params, objectsOf, noRows)
      return transformRows === undefined ? effect : Effect.map(effect, transformRows)
    }

    const connection: SqlConnection.Connection = {
      execute: (sql, params, transformRows) => objects(() => prepare(sql), params, transformRows),
      executeRaw: (sql, params) =>
        execute<unknown>(
          () => prepare(sql),
          params,
          objectsOf,
          (result) => result,
        ),
      executeValues: (sql, params) =>
        execute(
          () => prepare(sql),
          params,
          (_, rows) => rows,
          () => [],
        ),
      executeUnprepared: (sql, params, transformRows) =>
        objects(() => entryOf(db.prepare(sql)), params, transformRows),
      executeStream: (sql, params, transformRows) =>
        Stream.fromIterableEffect(objects(() => prepare(sql), params, transformRows)),
    }

    const semaphore = yield* Effect.makeSemaphore(1)
    return yield* SqlClient.make({
      acquirer: semaphore.withPermits(1)(Effect.succeed(connection)),
      transactionAcquirer: Effect.uninterruptibleMask((restore) =>
        Effect.as(
          Effect.zipRight(
            restore(semaphore.take(1)),
            Effect.tap(Effect.scope, (scope) => Scope.addFinalizer(scope, semaphore.release(1))),
          ),
          connection,
        ),
      ),
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]],
    })
  })
