// Every statement the chats tools run reaches messages and group members through an index (SQLite's
// own EXPLAIN QUERY PLAN); only the chats table itself, a few thousand rows, may be read whole when
// filtering by name.
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { explainPluginCall, storeFromStreams } from "@whatsapp-mcp/testkit"
import { caseStreams } from "../../../fixtures/src/RecordedStreamFiles.js"
import plugin from "../src/index.js"

/** Plan lines reading messages, group members or aliases row by row (any alias the SQL gives them). */
const fullScan = /^SCAN (messages|m|x|group_participants|p|jid_aliases)( |$)(?!.*USING)/

let storeDir: string
beforeAll(async () => {
  storeDir = (await storeFromStreams(caseStreams)).storeDir
})

const explain = (name: string, args: Record<string, unknown>) =>
  explainPluginCall(plugin, name, args, { storeDir })

const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["list_chats", {}],
  ["list_chats", { kind: "group" }],
  ["list_chats", { kind: "direct", sort_by: "name" }],
  ["list_chats", { query: "lefevre 555" }],
  ["get_chat", { chat_jid: "100000000110417@lid" }],
  ["get_direct_chat_by_contact", { sender_phone_number: "+12025550109" }],
  ["get_contact_chats", { jid: "100000000102313@lid" }],
  ["get_last_interaction", { jid: "+12025550105" }],
]

describe("query plans", () => {
  it.each(cases)("%s %j reads messages and members through indexes only", async (name, args) => {
    const plans = await explain(name, args)
    expect(plans.length).toBeGreaterThan(0)
    for (const { sql, plan } of plans) {
      expect(
        plan.filter((line) => fullScan.test(line)),
        sql,
      ).toEqual([])
    }
  })

  it("lists chats by activity straight from the index, without sorting them", async () => {
    const [list] = await explain("list_chats", { include_last_message: false })
    expect(list?.plan.join("\n")).toMatch(/SCAN c USING INDEX chats_last_message_time/)
    expect(list?.plan.join("\n")).not.toMatch(/TEMP B-TREE/)
  })

  it("fetches the last messages of a whole page in one statement", async () => {
    const one = await explain("list_chats", { limit: 1 })
    const many = await explain("list_chats", { limit: 100 })
    expect(many.length).toBe(one.length)
    expect(many.length).toBe(2)
  })
})
