import { join } from "node:path"
import { Reactivity } from "@effect/experimental"
import { SqlClient, Statement } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { storeFromStreams } from "@whatsapp-mcp/testkit"
import { Effect, Either, Layer } from "effect"
import { StoreQueries } from "../src/index.js"

const memory = SqliteClient.layer({ filename: ":memory:" }).pipe(Layer.provide(Reactivity.layer))

describe("StoreQueries.fullTextQuery", () => {
  const search = (query: string, texts: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP TABLE IF EXISTS t`
      yield* sql`CREATE VIRTUAL TABLE t USING fts5(body, tokenize = "unicode61 remove_diacritics 2")`
      for (const text of texts) yield* sql`INSERT INTO t (body) VALUES (${text})`
      const match = Either.getOrThrow(StoreQueries.fullTextQuery(query))
      const rows = yield* sql<{ body: string }>`SELECT body FROM t WHERE t MATCH ${match} ORDER BY rowid`
      return rows.map((row) => row.body)
    })

  it.scoped("reads FTS5 operators and punctuation as plain words, so no query is a syntax error", () =>
    Effect.gen(function* () {
      const texts = ["dinner AND drinks", "NEAR the station (at 8)", "rendez-vous: 20h", "Déjeuner dimanche"]
      expect(yield* search('dinner AND "drinks', texts)).toEqual(["dinner AND drinks"])
      expect(yield* search("NEAR(", texts)).toEqual(["NEAR the station (at 8)"])
      expect(yield* search("rendez-vous: 20h", texts)).toEqual(["rendez-vous: 20h"])
      expect(yield* search("dejeuner DIM*", texts)).toEqual(["Déjeuner dimanche"])
    }).pipe(Effect.provide(memory)),
  )

  it("says why a query without a word cannot be searched", () => {
    const refused = StoreQueries.fullTextQuery('"* ( ) :')
    expect(Either.isLeft(refused) && refused.left).toContain("has no words to search for")
  })
})

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

describe("StoreQueries: one name per chat and person, whichever JID form is given", () => {
  const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
  let storeDir: string
  beforeAll(async () => {
    storeDir = (await storeFromStreams([demo])).storeDir
  }, 60_000)

  /** Runs `effect` on the demo store (read-only, as the server reads it) with the plans of its statements. */
  const onDemo = <A>(effect: Effect.Effect<A, unknown, SqlClient.SqlClient>) =>
    Effect.gen(function* () {
      const statements: Array<readonly [string, ReadonlyArray<unknown>]> = []
      const value = yield* effect.pipe(
        Statement.withTransformer((statement) =>
          Effect.sync(() => {
            statements.push(statement.compile())
            return statement
          }),
        ),
      )
      const sql = yield* SqlClient.SqlClient
      const plans: Array<string> = []
      for (const [text, params] of statements) {
        const rows = yield* sql.unsafe<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)
        plans.push(...rows.map((row) => row.detail))
      }
      return { value, plans }
    }).pipe(
      Effect.provide(
        SqliteClient.layer({ filename: join(storeDir, "messages.db"), readonly: true }).pipe(
          Layer.provide(Reactivity.layer),
        ),
      ),
    )

  /** Plan lines reading a table row by row (the JSON list itself is meant to be read whole). */
  const fullScans = (plans: ReadonlyArray<string>) =>
    plans.filter((line) => /^SCAN /.test(line) && !/^SCAN (j|json_each)\b/.test(line) && !/USING/.test(line))

  it.scoped("names a person's direct chat after them, given their LID, phone JID or a device JID", () =>
    Effect.gen(function* () {
      const noah = "12025550109@s.whatsapp.net"
      const given = ["100000000110417@lid", noah, "12025550109:4@s.whatsapp.net", "120363100000000001@g.us"]
      const { value, plans } = yield* onDemo(StoreQueries.namedChats(given))
      expect(given.map((jid) => value.get(jid))).toEqual([
        { jid: noah, name: "Noah" },
        { jid: noah, name: "Noah" },
        { jid: noah, name: "Noah" },
        { jid: "120363100000000001@g.us", name: "Famille Lefèvre ❤️" },
      ])
      expect(fullScans(plans)).toEqual([])
    }),
  )

  it.scoped(
    'names the chat with oneself, and oneself, "<your name> (You)"; an unknown number by its digits',
    () =>
      Effect.gen(function* () {
        const chats = yield* onDemo(StoreQueries.chatNames(["100000000101300@lid"]))
        expect(chats.value.get("100000000101300@lid")).toBe("Sam (You)")
        const people = yield* onDemo(
          StoreQueries.personNames([
            "12025550100@s.whatsapp.net",
            "100000000102313@lid",
            "447700900123@s.whatsapp.net",
          ]),
        )
        expect([...people.value.values()]).toEqual(["Sam (You)", "Zoé Lefèvre", "+447700900123"])
        expect(fullScans([...chats.plans, ...people.plans])).toEqual([])
      }),
  )
})
