// The test kit's bridge stand-in: answers and errors as the bridge's contract defines them, seen
// through a plugin's tool and the shared BridgeClient.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it } from "@effect/vitest"
import { BridgeClient, Plugin, Tool, ToolError } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { mockBridge, mountPromise } from "../src/index.js"
import { makeStoreDir } from "./support/Stores.js"

const textSomeone = Tool.make({
  name: "text_someone",
  title: "Text",
  description: "Sends a text through the bridge.",
  input: Schema.Struct({ to: Schema.String, text: Schema.String }),
  output: Schema.Struct({ message_id: Schema.String }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  render: ({ message_id }) => message_id,
  handler: ({ to, text }) =>
    Effect.flatMap(BridgeClient.BridgeClient, (bridge) => bridge.sendText({ recipient: to, text })).pipe(
      Effect.map(({ message_id }) => ({ message_id })),
      Effect.mapError((error) => new ToolError({ message: error.message })),
    ),
})
const plugin = Plugin.make({ name: "texter", version: "1.0.0", description: "d", tools: [textSomeone] })

const bridge = mockBridge()
afterEach(() => bridge.reset())
afterAll(() => bridge.close())

const call = async (tokenFile = bridge.tokenFile, standIn = bridge) => {
  const mounted = await mountPromise({
    plugins: [plugin],
    storeDir: makeStoreDir(0),
    bridgeUrl: standIn.bridgeUrl,
    tokenFile,
  })
  try {
    return await mounted.client.callTool({
      name: "text_someone",
      arguments: { to: "+1 202 555 0101", text: "hi" },
    })
  } finally {
    await mounted.close()
  }
}
const text = (result: unknown) => JSON.stringify((result as { content: unknown }).content)

describe("mockBridge", () => {
  it("answers an endpoint with a contract response and records the request with its token", async () => {
    bridge.answer("sendText", {
      message_id: "3EB0AB",
      chat_jid: "12025550101@s.whatsapp.net",
      timestamp: 1_717_259_400,
      status: "sent",
      kind: "text",
      duplicate: false,
    })
    const result = await call()
    expect(result.structuredContent).toEqual({ message_id: "3EB0AB" })
    expect(bridge.received).toEqual([
      {
        endpoint: "sendText",
        path: "/v1/messages/text",
        authorization: `Bearer ${bridge.token}`,
        body: { recipient: "+1 202 555 0101", text: "hi" },
      },
    ])
  })

  it("answers with the contract's errors, which the client turns into messages a model can act on", async () => {
    bridge.fail("sendText", "not_on_whatsapp", "+1 202 555 0101 is not on WhatsApp.")
    const result = await call()
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/not on WhatsApp/)
  })

  it("refuses a wrong token as the bridge does", async () => {
    bridge.answer("sendText", {
      message_id: "x",
      chat_jid: "x@s.whatsapp.net",
      timestamp: 0,
      status: "sent",
      kind: "text",
      duplicate: false,
    })
    const wrong = join(mkdtempSync(join(tmpdir(), "wa-wrong-token-")), "bridge-token")
    writeFileSync(wrong, "not-the-token")
    const result = await call(wrong)
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/refused the token/)
  })

  it("plays a bridge that is not running", async () => {
    bridge.down()
    const result = await call()
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/not running.*pnpm bridge/)
  })

  it("keeps answering beside another stand-in in the same file, after that one is reset and closed", async () => {
    const sent = (message_id: string) =>
      ({
        message_id,
        chat_jid: "12025550101@s.whatsapp.net",
        timestamp: 1_717_259_400,
        status: "sent",
        kind: "text",
        duplicate: false,
      }) as const
    bridge.answer("sendText", sent("FROM-FIRST"))
    const second = mockBridge({ url: "http://127.0.0.1:18091" })
    try {
      second.answer("sendText", sent("FROM-SECOND"))
      expect((await call(second.tokenFile, second)).structuredContent).toEqual({ message_id: "FROM-SECOND" })
      expect((await call()).structuredContent).toEqual({ message_id: "FROM-FIRST" })
      second.reset()
      expect((await call()).structuredContent).toEqual({ message_id: "FROM-FIRST" })
    } finally {
      second.close()
    }
    expect((await call()).structuredContent).toEqual({ message_id: "FROM-FIRST" })
    expect(bridge.received.map((request) => request.endpoint)).toEqual(["sendText", "sendText", "sendText"])
  })
})
