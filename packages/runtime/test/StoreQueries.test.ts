import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { StoreQueries, TimeZone } from "../src/index.js"

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

describe("StoreQueries.bulkFormatter", () => {
  it("prints exactly what the zone prints, across daylight-saving changes and odd offsets", () => {
    for (const zone of [
      "Europe/Berlin",
      "America/Sao_Paulo",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "UTC",
    ]) {
      const format = TimeZone.make(zone).format
      const bulk = StoreQueries.bulkFormatter(format)
      // Every half hour and a second through 2024: lands on both sides of every transition of the year.
      for (let t = 1_704_067_200; t < 1_735_689_600; t += 1801) {
        if (bulk(t) !== format(t)) expect.fail(`${zone} at ${t}: ${bulk(t)} !== ${format(t)}`)
      }
      expect(bulk(1_717_259_400)).toBe(format(1_717_259_400))
    }
  })
})
