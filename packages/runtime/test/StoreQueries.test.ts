import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { StoreQueries } from "../src/index.js"

const memory = SqliteClient.layer({ filename: ":memory:" }).pipe(Layer.provide(Reactivity.layer))

describe("StoreQueries.containsPattern", () => {
  const globMatches = (query: string, text: string) =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{
        hit: number
      }>`SELECT ${text} GLOB ${StoreQueries.containsPattern(query)} AS hit`
      return rows[0]?.hit === 1
    })

  it.scoped("ignores case and accents in both directions, in SQLite itself", () =>
    Effect.gen(function* () {
      expect(yield* globMatches("chloe", "Chloé Martin")).toBe(true)
      expect(yield* globMatches("CHLOÉ", "chloe")).toBe(true)
      expect(yield* globMatches("sÃO pAulo", "São Paulo")).toBe(true)
      expect(yield* globMatches("zoe", "Chloé")).toBe(false)
    }).pipe(Effect.provide(memory)),
  )

  it.scoped("treats GLOB wildcards and brackets in the query as plain characters", () =>
    Effect.gen(function* () {
      expect(yield* globMatches("a*b", "a*b")).toBe(true)
      expect(yield* globMatches("a*b", "axxb")).toBe(false)
      expect(yield* globMatches("[x]?", "[x]?")).toBe(true)
      expect(yield* globMatches("[x]?", "x1")).toBe(false)
    }).pipe(Effect.provide(memory)),
  )
})
