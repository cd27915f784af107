// A contract test reads a tool's answer as the model does: its text, its structured content, and
// whether it failed, without unpacking the SDK's result itself.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { callTool, demoStore, type Mounted, mountPromise } from "../src/index.js"
import { testPlugin } from "./support/TestPlugins.js"

let mounted: Mounted & { readonly close: () => Promise<void> }
beforeAll(async () => {
  mounted = await mountPromise({ plugins: [testPlugin], storeDir: demoStore() })
})
afterAll(() => mounted?.close())

describe("callTool", () => {
  it("gives the answer's text, every text part and the structured content", async () => {
    const answer = await callTool<{ echoed: string }>(mounted.client, "echo", { text: "hi", times: 2 })
    expect(answer.isError).toBe(false)
    expect(answer.structured).toEqual({ echoed: "hi hi" })
    expect(answer.text).toContain("echo: hi hi")
    expect(answer.texts[0]).toBe(answer.text)
  })

  it("says when the tool failed, with the message the model reads", async () => {
    const answer = await callTool(mounted.client, "fail_typed")
    expect(answer.isError).toBe(true)
    expect(answer.text).toContain("The chat 123@g.us does not exist: use list_chats.")
  })
})
