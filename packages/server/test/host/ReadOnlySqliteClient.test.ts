import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Either, Layer, Stream } from "effect"
import * as ReadOnlySqliteClient from "../../src/host/internal/ReadOnlySqliteClient.js"

/** A database file with a few rows of every SQLite type, and the client over it. */
const fixture = () => {
  const path = join(mkdtempSync(join(tmpdir(), "wa-read-client-")), "messages.db")
  const db = new Database(path)
  db.exec(`
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, weight REAL, data BLOB, big INTEGER);
    INSERT INTO notes VALUES (1, 'first', 1.5, x'00ff', 9007199254740993);
    INSERT INTO notes VALUES (2, NULL, NULL, NULL, NULL);
    INSERT INTO notes VALUES (3, 'café', -2, x'', 0);`)
  db.close()
  return Layer.scoped(SqlClient.SqlClient, ReadOnlySqliteClient.make(path)).pipe(
    Layer.provide(Reactivity.layer),
  )
}

describe("ReadOnlySqliteClient", () => {
  it.scoped("returns rows as objects keyed by column name, with every SQLite type intact", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{
        id: number
        body: string | null
        weight: number | null
        data: Uint8Array | null
      }>`SELECT id, body, weight, data FROM notes ORDER BY id`
      expect(rows).toHaveLength(3)
      expect(rows[0]).toEqual({ id: 1, body: "first", weight: 1.5, data: Buffer.from([0, 255]) })
      expect(rows[1]).toEqual({ id: 2, body: null, weight: null, data: null })
      expect(rows[2]?.body).toBe("café")
      expect(Object.keys(rows[0] ?? {})).toEqual(["id", "body", "weight", "data"])
    }).pipe(Effect.provide(fixture())),
  )

  it.scoped("binds parameters, names expressions by their alias, and answers an empty result", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const found = yield* sql<{ n: number; label: string }>`
        SELECT count(*) AS n, ${"x"} || body AS label FROM notes WHERE body = ${"first"}`
      expect(found).toEqual([{ n: 1, label: "xfirst" }])
      expect(yield* sql`SELECT id FROM notes WHERE id = ${42}`).toEqual([])
      expect(yield* sql`SELECT id FROM notes WHERE id = ${3}`.values).toEqual([[3]])
    }).pipe(Effect.provide(fixture())),
  )

  it.scoped("reads integers beyond 2^53 exactly when asked for safe integers", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const exact = yield* sql<{ big: bigint }>`SELECT big FROM notes WHERE id = 1`.pipe(
        Effect.provideService(SqlClient.SafeIntegers, true),
      )
      expect(exact[0]?.big).toBe(9007199254740993n)
      // and the same prepared statement reads plain numbers again afterwards
      const plain = yield* sql<{ big: number }>`SELECT big FROM notes WHERE id = 1`
      expect(typeof plain[0]?.big).toBe("number")
    }).pipe(Effect.provide(fixture())),
  )

  it.scoped("keeps answering correctly past its prepared-statement limit", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      // 260 different statement texts: the oldest prepared ones are dropped and prepared again
      for (let round = 0; round < 2; round++) {
        for (let k = 0; k < 260; k++) {
          const rows = yield* sql.unsafe<{ v: number }>(`SELECT ${k} AS v, id FROM notes WHERE id = ?`, [1])
          expect(rows).toEqual([{ v: k, id: 1 }])
        }
      }
    }).pipe(Effect.provide(fixture())),
  )

  it.scoped("refuses to write, with SQLite's reason, and stays usable", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const write = yield* Effect.either(sql`DELETE FROM notes`)
      expect(Either.isLeft(write)).toBe(true)
      if (Either.isLeft(write)) expect(write.left.message).toMatch(/could not run the statement: .*readonly/)
      expect(yield* sql`SELECT id FROM notes`).toHaveLength(3)
    }).pipe(Effect.provide(fixture())),
  )

  it.scoped("reports a statement SQLite cannot prepare as a failure, not a crash", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const wrong = yield* Effect.either(sql`SELECT nope FROM notes`)
      expect(Either.isLeft(wrong)).toBe(true)
      if (Either.isLeft(wrong))
        expect(wrong.left.message).toMatch(/could not prepare the statement: no such column: nope/)
    }).pipe(Effect.provide(fixture())),
  )

  it.scoped("runs transactions and streams over the same connection", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const inTransaction = yield* sql.withTransaction(
        Effect.all([sql`SELECT id FROM notes WHERE id = 1`, sql`SELECT id FROM notes WHERE id = 2`]),
      )
      expect(inTransaction).toEqual([[{ id: 1 }], [{ id: 2 }]])
      const streamed = yield* Stream.runCollect(sql`SELECT id FROM notes ORDER BY id`.stream)
      expect([...streamed]).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
    }).pipe(Effect.provide(fixture())),
  )
})
