// The contacts tools look people up through indexes (SQLite's own EXPLAIN QUERY PLAN); a name search
// reads only the contacts table, never messages.
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { explainPluginCall, storeFromStreams } from "@whatsapp-mcp/testkit"
import { caseStreams } from "../../../fixtures/src/RecordedStreamFiles.js"
import plugin from "../src/index.js"

let storeDir: string
beforeAll(async () => {
  storeDir = (await storeFromStreams(caseStreams)).storeDir
})

const explain = (name: string, args: Record<string, unknown>) =>
  explainPluginCall(plugin, name, args, { storeDir })

describe("query plans", () => {
  it.each(["+1 202 555 0102", "100000000103326@lid", "12025550102@s.whatsapp.net"])(
    "get_contact %s finds the person by index, without reading the contacts table whole",
    async (identifier) => {
      const plans = await explain("get_contact", { identifier })
      for (const { sql, plan } of plans) {
        expect(
          plan.filter((line) => /^SCAN (c|contacts|jid_aliases)( |$)(?!.*USING)/.test(line)),
          sql,
        ).toEqual([])
      }
    },
  )

  it("search_contacts reads one table in one statement, and no messages", async () => {
    const plans = await explain("search_contacts", { query: "zoe 555" })
    expect(plans).toHaveLength(1)
    expect(plans[0]?.sql).not.toMatch(/messages/)
  })
})
