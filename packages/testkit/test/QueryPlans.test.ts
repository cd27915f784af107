// A plan test reads the plans of the call it names, and is told plainly when that call is not there
// or went wrong, instead of passing on an empty list of plans.
import { describe, expect, it } from "@effect/vitest"
import { demoStore, explainPluginCall } from "../src/index.js"
import { testPlugin } from "./support/TestPlugins.js"

describe("explainPluginCall", () => {
  it("gives SQLite's plan for each statement the tool ran", async () => {
    const plans = await explainPluginCall(testPlugin, "count_rows", {}, { storeDir: demoStore() })
    expect(plans.map((p) => p.sql)).toEqual(["SELECT count(*) AS n FROM messages"])
    expect(plans[0]?.plan.join("\n")).toMatch(/messages/)
  })

  it("rejects a call that failed, with the tool, its arguments and the failure", async () => {
    await expect(explainPluginCall(testPlugin, "fail_typed", {}, { storeDir: demoStore() })).rejects.toThrow(
      "fail_typed {} failed: The chat 123@g.us does not exist: use list_chats.",
    )
  })

  it("rejects a tool the plugin does not have, listing the ones it has", async () => {
    await expect(explainPluginCall(testPlugin, "count_row", {}, { storeDir: demoStore() })).rejects.toThrow(
      /no tool count_row; its tools: echo, fail_typed, .*count_rows/,
    )
  })
})
