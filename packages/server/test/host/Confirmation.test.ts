// The runtime's Confirmation service as any plugin meets it: the MCP adapter asks the person at the
// client through form-mode elicitation when the client declared it, answers "unavailable" when it
// did not, and turns an unanswered, failed or malformed answer into a clear tool error.
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import {
  type ClientCapabilities,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js"
import { Confirmation, Params, Plugin, Resource, Tool, ToolContext } from "@whatsapp-mcp/runtime"
import { callTool, mountPromise } from "@whatsapp-mcp/testkit"
import { Duration, Effect, Schema } from "effect"
import { makeStoreDir } from "../../../testkit/test/support/Stores.js"

/** A tool that asks the person and reports what they answered. */
const askTool = Tool.make({
  name: "ask_person",
  title: "Ask the person",
  description: "Asks the person at the client to confirm, and says what they answered.",
  input: Schema.Struct({
    question: Schema.String.annotations({ description: "What to ask." }),
    timeout_ms: Params.optional(Schema.Int, "How long to wait, in milliseconds."),
  }),
  output: Schema.Struct({ available: Schema.Boolean, outcome: Schema.String }),
  annotations: Tool.readOnly,
  render: ({ outcome }) => outcome,
  handler: ({ question, timeout_ms }) =>
    Effect.gen(function* () {
      const confirmation = yield* Confirmation.Confirmation
      const outcome = yield* Confirmation.ask({
        message: question,
        ...(timeout_ms === undefined ? {} : { timeout: `${timeout_ms} millis` as const }),
      })
      return { available: confirmation.available, outcome }
    }),
})

/** A resource whose read would ask, to show that reading a resource never stops for the person. */
const askingResource = Resource.make({
  uriTemplate: "asker://{what}",
  name: "asker",
  title: "Asker",
  description: "Asks while it is read.",
  mimeType: "text/plain",
  read: () => Effect.map(Confirmation.ask({ message: "Read it?" }), (outcome) => ({ text: outcome })),
})

/** A tool that reports its own progress before and after it asks. */
const reportingTool = Tool.make({
  name: "report_then_ask",
  title: "Report, then ask",
  description: "Reports progress, asks the person to confirm, and reports again.",
  input: Schema.Struct({}),
  output: Schema.Struct({ outcome: Schema.String }),
  annotations: Tool.readOnly,
  render: ({ outcome }) => outcome,
  handler: () =>
    Effect.gen(function* () {
      yield* ToolContext.progress(50, 100, "halfway")
      const outcome = yield* Confirmation.ask({ message: "Go on?" })
      yield* ToolContext.progress(100, 100, "done")
      return { outcome }
    }),
})

const asker = Plugin.make({
  name: "asker",
  version: "0.0.0",
  description: "Asks the person.",
  tools: [askTool, reportingTool],
  resources: [askingResource],
})

type Mounted = Awaited<ReturnType<typeof mountPromise>>
const open: Array<{ readonly close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})

const storeDir = makeStoreDir(0)

const every = 150

const mount = async (elicitation?: Parameters<typeof mountPromise>[0]["elicitation"]) => {
  const mounted = await mountPromise({
    storeDir,
    plugins: [asker],
    ...(elicitation === undefined ? {} : { elicitation }),
    confirmationProgressEvery: Duration.millis(every),
  })
  open.push(mounted)
  return mounted
}

/**
 * Replaces the test kit's client with one declaring `capabilities`; `answer` receives every request
 * the server makes as it arrives, unchecked by the SDK's client, as a hand-written client would.
 */
const reconnect = async (
  mounted: Mounted,
  capabilities: ClientCapabilities,
  answer?: (request: { method: string; params?: unknown }) => unknown,
) => {
  await mounted.client.close()
  const [ours, theirs] = InMemoryTransport.createLinkedPair()
  await mounted.application.server.connect(theirs)
  const client = new Client({ name: "other-client", version: "0.0.0" }, { capabilities })
  if (answer !== undefined) {
    client.fallbackRequestHandler = async (request) => answer(request) as never
  }
  await client.connect(ours)
  open.push({ close: () => client.close() })
  return client
}

const answering = (action: ElicitResult["action"]) => {
  const asked: Array<ElicitRequest["params"]> = []
  return {
    asked,
    answer: (params: ElicitRequest["params"]) => {
      asked.push(params)
      return { action }
    },
  }
}

interface Progress {
  readonly progress: number
  readonly total?: number | undefined
  readonly message?: string | undefined
}

describe("Confirmation in a tool handler", () => {
  it("is unavailable, without asking, for a client that did not declare elicitation", async () => {
    const m = await mount()
    const answer = await callTool(m.client, "ask_person", { question: "Send it?" })
    expect(answer.structured).toEqual({ available: false, outcome: "unavailable" })
  })

  it("shows the question as a form with no fields, and reports accept, decline and cancel", async () => {
    for (const [action, outcome] of [
      ["accept", "accepted"],
      ["decline", "declined"],
      ["cancel", "cancelled"],
    ] as const) {
      const person = answering(action)
      const m = await mount(person.answer)
      const answer = await callTool(m.client, "ask_person", { question: "Send it?" })
      expect(answer.structured).toEqual({ available: true, outcome })
      expect(person.asked).toEqual([
        { mode: "form", message: "Send it?", requestedSchema: { type: "object", properties: {} } },
      ])
    }
  })

  it("asks a client that declared elicitation as an empty object, as clients before form mode did", async () => {
    const m = await mount()
    const client = await reconnect(m, { elicitation: {} })
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept" }))
    const answer = await callTool(client, "ask_person", { question: "Send it?" })
    expect(answer.structured).toEqual({ available: true, outcome: "accepted" })
  })

  it("does not ask a client that can only open web pages (URL mode)", async () => {
    const m = await mount()
    const asked: Array<unknown> = []
    const client = await reconnect(m, { elicitation: { url: {} } }, (request) => {
      asked.push(request)
      return { action: "accept" }
    })
    const answer = await callTool(client, "ask_person", { question: "Send it?" })
    expect(answer.structured).toEqual({ available: false, outcome: "unavailable" })
    expect(asked).toEqual([])
  })

  it("ends the call with a clear error when nobody answers in time", async () => {
    const m = await mount(() => new Promise<ElicitResult>(() => undefined))
    const answer = await callTool(m.client, "ask_person", { question: "Send it?", timeout_ms: 150 })
    expect(answer.isError).toBe(true)
    expect(answer.text).toBe(
      "Nobody answered the confirmation within 0.2 s, so nothing was done. Ask the user whether to try again.",
    )
  })

  it("ends the call with a clear error when the client answers with an error", async () => {
    const m = await mount(() => {
      throw new Error("the dialog could not be shown")
    })
    const answer = await callTool(m.client, "ask_person", { question: "Send it?" })
    expect(answer.isError).toBe(true)
    expect(answer.text).toMatch(
      /^The confirmation could not be completed \(the client answered with an error: .*the dialog could not be shown\), so nothing was done\./,
    )
  })

  it("ends the call with a clear error when the answer is not accept, decline or cancel", async () => {
    const m = await mount()
    const client = await reconnect(m, { elicitation: { form: {} } }, () => ({ action: "yes" }))
    const answer = await callTool(client, "ask_person", { question: "Send it?" })
    expect(answer.isError).toBe(true)
    expect(answer.text).toBe(
      "The confirmation could not be completed (the client's answer was not one of accept, decline or cancel), so nothing was done. Tell the user; try again only if they ask.",
    )
  })

  it("tells a client that asked for progress that the call waits for the person, until the time limit withdraws the form", async () => {
    const m = await mount(() => new Promise<ElicitResult>(() => undefined))
    const clientErrors: Array<string> = []
    m.client.onerror = (error) => clientErrors.push(error.message)
    const progress: Array<Progress> = []
    const answer = await m.client.callTool(
      { name: "ask_person", arguments: { question: "Send it?", timeout_ms: 10 * every } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )
    expect(answer.isError).toBe(true)
    expect(progress.length).toBeGreaterThan(0)
    for (const p of progress) {
      expect(p.total).toBe(1.5)
      expect(p.message).toMatch(
        /^Waiting for the user to confirm at the client: \d s left before the request is withdrawn and nothing is done\.$/,
      )
    }
    // Once the form is withdrawn, a report would reach the client for a call it no longer knows.
    await new Promise((resolve) => setTimeout(resolve, 4 * every))
    expect(clientErrors).toEqual([])
  })

  it("counts on from the handler's own progress while it waits, so that every report rises", async () => {
    const m = await mount(
      () =>
        new Promise<ElicitResult>((resolve) => setTimeout(() => resolve({ action: "accept" }), 6 * every)),
    )
    const progress: Array<Progress> = []
    const answer = await m.client.callTool({ name: "report_then_ask", arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p),
    })
    expect(answer.structuredContent).toEqual({ outcome: "accepted" })
    expect(progress[0]).toEqual({ progress: 50, total: 100, message: "halfway" })
    expect(progress.at(-1)).toEqual({ progress: 100, total: 100, message: "done" })
    const waiting = progress.slice(1, -1)
    expect(waiting.length).toBeGreaterThan(0)
    for (const p of waiting) expect(p.message).toMatch(/^Waiting for the user to confirm at the client/)
    const values = progress.map((p) => p.progress)
    expect(values.every((value, i) => i === 0 || value > (values[i - 1] ?? value))).toBe(true)
  })

  it("never asks while a resource is read", async () => {
    const person = answering("accept")
    const m = await mount(person.answer)
    const read = await m.client.readResource({ uri: "asker://anything" })
    expect(read.contents).toMatchObject([{ text: "unavailable" }])
    expect(person.asked).toEqual([])
  })
})
