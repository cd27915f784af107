// Every statement the messages tools run uses an index on the messages table (SQLite's own
// EXPLAIN QUERY PLAN), and a page costs the same number of statements whatever its size.
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { explainPluginCall, recordToolCalls, storeFromStreams } from "@whatsapp-mcp/testkit"
import Database from "better-sqlite3"
import { caseStreams } from "../../../fixtures/src/RecordedStreamFiles.js"
import plugin from "../src/index.js"

/** Plan lines that read a big table row by row: messages, reactions (any alias the SQL gives them). */
const fullScan = /^SCAN (messages|m|x|y|h|q|reactions|r)( |$)(?!.*USING)/

let storeDir: string
beforeAll(async () => {
  storeDir = (await storeFromStreams(caseStreams)).storeDir
})

const explain = (name: string, args: Record<string, unknown>) =>
  explainPluginCall(plugin, name, args, { storeDir })

const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["list_messages", {}],
  ["list_messages", { query: "dimanche" }],
  ["list_messages", { query: "dimanche", chat_jid: "+12025550101", after: "2026-01-01" }],
  ["list_messages", { query: "10*", sender_phone_number: "100000000106365@lid", before: "2026-03-02" }],
  ["list_messages", { query: "plan", media_type: "document" }],
  ["list_messages", { chat_jid: "120363100000000002@g.us", context_before: 3, context_after: 3 }],
  ["list_messages", { sender_phone_number: "+12025550101", include_context: false }],
  ["list_messages", { media_type: "image" }],
  ["list_messages", { after: "2026-03-01", before: "2026-03-02", page: 2, limit: 5 }],
  ["list_messages", { unread_only: true }],
  ["list_messages", { unread_only: true, chat_jid: "120363100000000001@g.us", query: "dimanche" }],
  [
    "list_messages",
    { unread_only: true, sender_phone_number: "+12025550101", media_type: "image", after: "2026-01-01" },
  ],
  // a query that finds nothing reads the latest messages it searched, for their frequent words
  ["list_messages", { query: "zzzzqx" }],
  ["list_messages", { query: "zzzzqx", chat_jid: "+12025550101", after: "2026-01-01" }],
  ["list_messages", { query: "zzzzqx", sender_phone_number: "+12025550105", media_type: "image" }],
  ["get_message_context", { message_id: "3A4839EFFC7EDD35E285" }],
  [
    "get_message_context",
    { message_id: "3A4839EFFC7EDD35E285", chat_jid: "100000000103326@lid", before: 10 },
  ],
]

describe("query plans", () => {
  it.each(cases)("%s %j reads messages through an index only", async (name, args) => {
    const plans = await explain(name, args)
    expect(plans.length).toBeGreaterThan(0)
    for (const { sql, plan } of plans) {
      expect(
        plan.filter((line) => fullScan.test(line)),
        sql,
      ).toEqual([])
    }
  })

  it("finds each chat's unread messages by walking its index down from the newest, one message per step", async () => {
    const plans = await explain("list_messages", { unread_only: true, include_context: false })
    const unread = plans.find((p) => p.sql.includes("WITH RECURSIVE unread"))
    const plan = unread?.plan.join("\n") ?? ""
    expect(plan).toMatch(/SEARCH x USING INDEX messages_chat_time \(chat_jid=\?\)/)
    expect(plan).toMatch(/SEARCH x USING INDEX messages_chat_time \(chat_jid=\? AND timestamp<\?\)/)
    expect(plan).toMatch(/SEARCH p USING INTEGER PRIMARY KEY/)
    expect(plan).toMatch(/SEARCH m USING INTEGER PRIMARY KEY/)
  })

  it("runs as many statements for a page of 50 hits with context as for a page of 1", async () => {
    const one = await explain("list_messages", { query: "dimanche", limit: 1 })
    const fifty = await explain("list_messages", { query: "dimanche", limit: 50 })
    expect(fifty.length).toBe(one.length)
    expect(fifty.length).toBeLessThanOrEqual(7)
  })

  it("reads a query's newest matches straight from the time-keyed full-text index, unsorted", async () => {
    // however common the word, no statement collects all its matches to sort or test them
    for (const args of [
      { query: "dimanche" },
      { query: "dimanche", after: "2026-01-01", before: "2026-03-01" },
    ]) {
      const plans = await explain("list_messages", args)
      const search = plans.find((p) => p.sql.includes("ORDER BY f.rowid DESC"))
      const plan = search?.plan.join("\n") ?? ""
      expect(plan).toMatch(/VIRTUAL TABLE INDEX/)
      expect(plan).toMatch(/messages_search_key/)
      expect(plan).not.toMatch(/TEMP B-TREE/)
      expect(plans.some((p) => p.sql.includes("count(*)"))).toBe(false)
    }
  })

  it("records each call's statements with their values, which replay on SQLite alone to the rows the tool showed", async () => {
    // What `bench/read-tools.mjs` times as a tool's "SQL alone": the same statements, the same values.
    const tool = plugin.tools.find((t) => t.name === "list_messages")
    if (tool === undefined) throw new Error("no tool list_messages")
    const calls = await recordToolCalls(tool, [{ query: "dimanche" }, { query: "?" }], { storeDir })
    const [found, refused] = calls
    expect(found?.result.ok).toBe(true)
    expect(refused?.result).toMatchObject({ ok: false })
    expect(refused?.statements).toEqual([])
    const shown = (found?.result.ok ? (found.result.value as { messages: Array<{ id: string }> }) : undefined)
      ?.messages
    expect(shown?.length).toBeGreaterThan(0)
    const db = new Database(join(storeDir, "messages.db"), { readonly: true })
    try {
      const replayed = (found?.statements ?? []).map(([text, params]) =>
        db.prepare<Array<unknown>, Record<string, unknown>>(text).all(...params),
      )
      // the last statement reads the messages shown: hits and their neighbours
      const read = new Set((replayed.at(-1) ?? []).map((row) => row.id))
      for (const message of shown ?? []) expect(read.has(message.id), message.id).toBe(true)
    } finally {
      db.close()
    }
  })
})
