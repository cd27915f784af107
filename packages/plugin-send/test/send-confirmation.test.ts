// Sends confirmed by the person: an SDK client that declares elicitation answers the confirmation
// form as a person would (accept, decline, cancel, or never), and the stand-in bridge shows what
// actually went out. Clients without elicitation, and `confirm: "none"`, send without asking.
import { copyFileSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import type { ElicitRequest, ElicitResult } from "@modelcontextprotocol/sdk/types.js"
import { type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import type { Duration } from "effect"
import { recordedBridge } from "../../../fixtures/src/RecordedBridgeApi.js"
import plugin from "../src/index.js"
import type { Sent } from "../src/SendSchemas.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
const picture = join(__dirname, "../../../fixtures/media/market.jpg")
const bridgeUrl = "http://127.0.0.1:18081"
const bridge = recordedBridge(bridgeUrl)

const zoe = "12025550101@s.whatsapp.net"
const zoePhoto = "D0D1550D72AAD8847C63546F22C8E8A0"
const family = "120363100000000001@g.us"

let storeDir: string
let tokenFile: string
const work = mkdtempSync(join(tmpdir(), "send-confirmation-"))
const outbox = realpathSync(mkdtempSync(join(work, "outbox-")))
const mounted: Array<{ readonly close: () => Promise<void> }> = []

beforeAll(async () => {
  const store = await storeFromStreams([demo])
  expect(store.problems).toEqual([])
  storeDir = store.storeDir
  tokenFile = join(work, "bridge-token")
  writeFileSync(tokenFile, "recorded-token\n")
  copyFileSync(picture, join(outbox, "market.jpg"))
  writeFileSync(join(outbox, "song.mp3"), "ID3 pretend audio")
})
afterEach(async () => {
  bridge.reset()
  await Promise.all(mounted.splice(0).map((m) => m.close()))
})
afterAll(() => bridge.close())

type Params = ElicitRequest["params"]

/**
 * A person at a client that can ask: answers the forms with `actions` in turn (the last one from
 * then on), and keeps what each form showed and whether the server withdrew it.
 */
const person = (...actions: ReadonlyArray<ElicitResult["action"] | "never">) => {
  const shown: Array<Params> = []
  const withdrawn: Array<boolean> = []
  const answer = (params: Params, signal: AbortSignal): Promise<ElicitResult> => {
    const action = actions[Math.min(shown.length, actions.length - 1)] ?? "never"
    const index = shown.push(params) - 1
    withdrawn[index] = false
    signal.addEventListener("abort", () => {
      withdrawn[index] = true
    })
    // A person who walked away: the form stays open until the server withdraws it.
    return action === "never" ? new Promise<ElicitResult>(() => undefined) : Promise.resolve({ action })
  }
  return { shown, withdrawn, answer }
}

const serve = async (
  options: Readonly<Record<string, unknown>>,
  elicitation?: (params: Params, signal: AbortSignal) => Promise<ElicitResult>,
  confirmationProgressEvery?: Duration.DurationInput,
): Promise<Mounted> => {
  const m = await mountPromise({
    plugins: [[plugin, options]],
    storeDir,
    tokenFile,
    bridgeUrl,
    timezone: "Europe/Paris",
    ...(elicitation === undefined ? {} : { elicitation }),
    ...(confirmationProgressEvery === undefined ? {} : { confirmationProgressEvery }),
  })
  mounted.push(m)
  return m
}

const call = async (m: Mounted, name: string, args: Record<string, unknown>) => {
  const result = await m.client.callTool({ name, arguments: args })
  const text = (result.content as Array<{ readonly text?: string }>).map((c) => c.text ?? "").join("\n")
  return { isError: result.isError === true, text, structured: result.structuredContent as Sent }
}

const messageOf = (params: Params | undefined): string =>
  (params as { message?: string } | undefined)?.message ?? ""

describe("a client that can ask the person", () => {
  it("shows the recipient by name and number and the exact text, and sends once the person accepts", async () => {
    bridge.answer("send-text")
    const accepting = person("accept")
    const m = await serve({}, accepting.answer)
    const sent = await call(m, "send_message", {
      recipient: "+1 202 555 0101",
      message: "On my way!\nSee you",
    })
    expect(sent.isError).toBe(false)
    expect(bridge.received).toHaveLength(1)
    expect(bridge.received[0]?.body).toMatchObject({ recipient: zoe, text: "On my way!\nSee you" })
    expect(accepting.shown).toHaveLength(1)
    expect(accepting.shown[0]).toMatchObject({
      mode: "form",
      requestedSchema: { type: "object", properties: {} },
    })
    expect(messageOf(accepting.shown[0])).toBe(
      'Send this WhatsApp message?\nTo: "Zoé Lefèvre" (+12025550101)\nMessage:\nOn my way!\nSee you',
    )
  })

  it("sends nothing when the person declines, and says so; the send budget is left untouched", async () => {
    bridge.answer("send-text")
    const declinesThenAccepts = person("decline", "accept")
    const m = await serve({ sendsPerMinute: 1 }, declinesThenAccepts.answer)
    const declined = await call(m, "send_message", {
      recipient: zoe,
      message: "Are you free tonight?",
      idempotency_key: "tonight",
    })
    expect(declined.isError).toBe(true)
    expect(declined.text).toMatch(/^Not sent: the user declined this send/)
    expect(bridge.received).toEqual([])
    // The one send a minute allows is still there, and the key was never used.
    const accepted = await call(m, "send_message", {
      recipient: zoe,
      message: "Are you free tonight?",
      idempotency_key: "tonight",
    })
    expect(accepted.isError).toBe(false)
    expect(declinesThenAccepts.shown).toHaveLength(2)
    expect(bridge.received.map((r) => r.body)).toMatchObject([{ idempotency_key: "tonight" }])
  })

  it("sends nothing when the person dismisses the form", async () => {
    bridge.answer("send-text")
    const m = await serve({}, person("cancel").answer)
    const cancelled = await call(m, "send_message", { recipient: zoe, message: "Hello" })
    expect(cancelled.isError).toBe(true)
    expect(cancelled.text).toMatch(/^Not sent: the user dismissed the confirmation/)
    expect(bridge.received).toEqual([])
  })

  it("gives up when nobody answers within the time limit, withdraws the form and sends nothing", async () => {
    bridge.answer("send-text")
    const away = person("never")
    const m = await serve({ confirmTimeoutSeconds: 0.2 }, away.answer)
    const unanswered = await call(m, "send_message", {
      recipient: zoe,
      message: "Hello",
      idempotency_key: "k-1",
    })
    expect(unanswered.isError).toBe(true)
    expect(unanswered.text).toBe(
      "Not sent: Nobody answered the confirmation within 0.2 s, so nothing was done. Ask the user whether to try again.",
    )
    expect(away.shown).toHaveLength(1)
    expect(bridge.received).toEqual([])
    // The SDK's client ignores a withdrawal of the first request a server makes (its id is 0:
    // typescript-sdk#2283), so a second one shows that the server withdraws the form.
    const again = await call(m, "send_message", { recipient: zoe, message: "Hello", idempotency_key: "k-1" })
    expect(again.text).toMatch(/^Not sent: Nobody answered the confirmation within 0\.2 s/)
    await vi.waitFor(() => expect(away.withdrawn[1]).toBe(true))
    expect(bridge.received).toEqual([])
  })

  it("never asks about a send the config refuses anyway", async () => {
    const accepting = person("accept")
    const m = await serve({ allowedRecipients: ["+33 6 12 34 56 78"] }, accepting.answer)
    const refused = await call(m, "send_message", { recipient: zoe, message: "Hello" })
    expect(refused.text).toMatch(/not in the allowed recipients/)
    expect(accepting.shown).toEqual([])
    expect(bridge.received).toEqual([])
  })

  it("names a group by its subject and JID", async () => {
    bridge.answer("send-text-group")
    const accepting = person("accept")
    const m = await serve({}, accepting.answer)
    const sent = await call(m, "send_message", { recipient: family, message: "Dinner at 8?" })
    expect(sent.isError).toBe(false)
    expect(messageOf(accepting.shown[0]).split("\n")[1]).toMatch(
      /^To: the group "[^"]+" \(120363100000000001@g\.us\)$/,
    )
  })

  it("shows the message a reply quotes", async () => {
    bridge.answer("send-text-reply")
    const accepting = person("accept")
    const m = await serve({}, accepting.answer)
    await call(m, "send_message", { recipient: zoe, message: "Lovely!", reply_to_message_id: zoePhoto })
    expect(messageOf(accepting.shown[0])).toMatch(
      /^Send this WhatsApp message\?\nTo: "Zoé Lefèvre" \(\+12025550101\)\nIn reply to the message from "Zoé Lefèvre" at \d{4}-\d{2}-\d{2} \d{2}:\d{2}\+0[12]:00: ".*"\nMessage:\nLovely!$/,
    )
  })

  it("shows a file's name, the type it is sent as and its size, and sends it once accepted", async () => {
    bridge.answer("send-file")
    const accepting = person("accept")
    const m = await serve({ allowedFileRoots: [outbox] }, accepting.answer)
    const sent = await call(m, "send_file", {
      recipient: zoe,
      media_path: join(outbox, "market.jpg"),
      caption: "The market",
    })
    expect(sent.isError).toBe(false)
    expect(bridge.received[0]?.body).toMatchObject({ path: join(outbox, "market.jpg") })
    expect(messageOf(accepting.shown[0])).toMatch(
      /^Send this file on WhatsApp\?\nTo: "Zoé Lefèvre" \(\+12025550101\)\nFile: "market\.jpg", image\/jpeg, sent as an image, \d+\.\d KB\nCaption:\nThe market$/,
    )
  })

  it("shows a voice note's file, and sends nothing when declined", async () => {
    bridge.answer("send-voice")
    const declining = person("decline")
    const m = await serve({ allowedFileRoots: [outbox] }, declining.answer)
    const declined = await call(m, "send_audio_message", {
      recipient: zoe,
      media_path: join(outbox, "song.mp3"),
    })
    expect(declined.isError).toBe(true)
    expect(bridge.received).toEqual([])
    expect(messageOf(declining.shown[0])).toBe(
      'Send this audio file as a WhatsApp voice note?\nTo: "Zoé Lefèvre" (+12025550101)\nAudio: "song.mp3", audio/mpeg, 17 bytes',
    )
  })

  it("shows the reaction and the message it answers; declined, nothing is sent, accepted, it is", async () => {
    bridge.answer("react")
    const declining = person("decline")
    const m = await serve({}, declining.answer)
    const declined = await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "😍" })
    expect(declined.isError).toBe(true)
    expect(bridge.received).toEqual([])
    expect(messageOf(declining.shown[0])).toMatch(
      /^React with 😍 on WhatsApp\?\nChat: "Zoé Lefèvre" \(\+12025550101\)\nTo the message from "Zoé Lefèvre" at .+: ".*"$/,
    )

    const accepting = person("accept")
    const n = await serve({}, accepting.answer)
    const reacted = await call(n, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "😍" })
    expect(reacted.isError).toBe(false)
    expect(bridge.received.map((r) => r.body)).toEqual([{ chat_jid: zoe, message_id: zoePhoto, emoji: "😍" }])
  })

  it('sends without asking when the config says confirm: "none"', async () => {
    bridge.answer("send-text")
    const accepting = person("accept")
    const m = await serve({ confirm: "none" }, accepting.answer)
    const sent = await call(m, "send_message", { recipient: zoe, message: "On my way!" })
    expect(sent.isError).toBe(false)
    expect(accepting.shown).toEqual([])
    expect(bridge.received).toHaveLength(1)
  })
})

/**
 * A person who reads each form for a while before answering: `answers` holds, form by form, the
 * action and how long they take (the last one from then on). Keeps what each form showed, whether
 * the server withdrew it, and when each answer was given.
 */
const reader = (...answers: ReadonlyArray<readonly [ElicitResult["action"] | "never", number]>) => {
  const shown: Array<Params> = []
  const withdrawn: Array<boolean> = []
  const answered: Array<Promise<void>> = []
  const answer = (params: Params, signal: AbortSignal): Promise<ElicitResult> => {
    const [action, millis] = answers[Math.min(shown.length, answers.length - 1)] ?? ["never", 0]
    const index = shown.push(params) - 1
    withdrawn[index] = false
    signal.addEventListener("abort", () => {
      withdrawn[index] = true
    })
    if (action === "never") return new Promise<ElicitResult>(() => undefined)
    const reply = new Promise<ElicitResult>((resolve) => setTimeout(() => resolve({ action }), millis))
    answered[index] = reply.then(() => undefined)
    return reply
  }
  return { shown, withdrawn, answered, answer }
}

interface Progress {
  readonly progress: number
  readonly total?: number | undefined
  readonly message?: string | undefined
}

// A client that gives up on a request after `clientTimeout` ms, as SDK clients do after 60 s by
// default; the server reports every `every` while the person reads, well inside that.
const clientTimeout = 2_000
const every: Duration.DurationInput = "250 millis"

describe("a person who takes longer to answer than the client waits for a request", () => {
  it("keeps the call alive with progress that says it waits for the confirmation, and sends once they accept", async () => {
    bridge.answer("send-text")
    // Three times as long as the client waits without news.
    const slow = reader(["accept", 3 * clientTimeout])
    const m = await serve({}, slow.answer, every)
    const clientErrors: Array<string> = []
    m.client.onerror = (error) => clientErrors.push(error.message)
    const progress: Array<Progress> = []
    const result = await m.client.callTool(
      { name: "send_message", arguments: { recipient: zoe, message: "On my way!" } },
      undefined,
      {
        timeout: clientTimeout,
        resetTimeoutOnProgress: true,
        onprogress: (p) => progress.push(p),
      },
    )
    expect(result.isError).toBeFalsy()
    expect(bridge.received.map((r) => r.body)).toMatchObject([{ recipient: zoe, text: "On my way!" }])
    expect(slow.shown).toHaveLength(1)
    expect(progress.length).toBeGreaterThan(1)
    for (const p of progress) {
      expect(p.message).toMatch(
        /^Waiting for the user to confirm at the client: (\d+ min \d+ s|\d+ min|\d+ s) left before the request is withdrawn and nothing is done\.$/,
      )
      // Seconds waited, of the confirmation's two minutes.
      expect(p.total).toBe(120)
    }
    const waited = progress.map((p) => p.progress)
    expect(waited).toEqual([...waited].sort((a, b) => a - b))
    expect(new Set(waited).size).toBe(waited.length)
    // The wait is over: a report after it would reach the client for a call it no longer knows.
    await new Promise((resolve) => setTimeout(resolve, 4 * 250))
    expect(clientErrors).toEqual([])
  })

  it("reports nothing without a progress token: the client gives up, the form is withdrawn, nothing is sent or spent", async () => {
    bridge.answer("send-text")
    // The first form is accepted only after the client gave up; the second is never answered; the
    // third is accepted at once.
    const late = reader(["accept", 2 * clientTimeout], ["never", 0], ["accept", 0])
    const m = await serve({ sendsPerMinute: 1 }, late.answer, every)
    const clientErrors: Array<string> = []
    m.client.onerror = (error) => clientErrors.push(error.message)
    const args = { recipient: zoe, message: "Are you free tonight?", idempotency_key: "tonight" }

    const timedOut = m.client.callTool({ name: "send_message", arguments: args }, undefined, {
      timeout: clientTimeout,
      resetTimeoutOnProgress: true,
    })
    await expect(timedOut).rejects.toThrow(/Request timed out/)
    await late.answered[0]

    // Cancelled by the client while the form is open: the form is withdrawn. (The SDK's client
    // ignores a withdrawal of the first request a server makes, typescript-sdk#2283, so the
    // withdrawal shows on this second one.)
    const controller = new AbortController()
    const cancelled = m.client.callTool({ name: "send_message", arguments: args }, undefined, {
      signal: controller.signal,
    })
    await vi.waitFor(() => expect(late.shown).toHaveLength(2))
    controller.abort("the user stopped the call")
    await expect(cancelled).rejects.toThrow(/the user stopped the call/)
    await vi.waitFor(() => expect(late.withdrawn[1]).toBe(true))

    // The server still serves; the one send a minute allows and the key were never used.
    const sent = await m.client.callTool({ name: "send_message", arguments: args })
    expect(sent.isError).toBeFalsy()
    expect(late.shown).toHaveLength(3)
    expect(bridge.received.map((r) => r.body)).toMatchObject([{ idempotency_key: "tonight" }])
    // A progress notification the client did not ask for would have reached it as an unknown token.
    expect(clientErrors.filter((message) => /progress/i.test(message))).toEqual([])
  })
})

describe("a client that cannot ask the person", () => {
  it("sends as before, without a confirmation", async () => {
    bridge.answer("send-text", "react")
    const m = await serve({})
    const sent = await call(m, "send_message", { recipient: zoe, message: "On my way!" })
    const reacted = await call(m, "send_reaction", { chat_jid: zoe, message_id: zoePhoto, emoji: "👍" })
    expect([sent.isError, reacted.isError]).toEqual([false, false])
    expect(bridge.received.map((r) => r.path)).toEqual(["/v1/messages/text", "/v1/reactions"])
  })
})

describe("the confirm option", () => {
  it("refuses a value other than elicit or none, naming the key and the choices", async () => {
    await expect(serve({ confirm: "ask" })).rejects.toThrow(/confirm[\s\S]*"elicit"[\s\S]*"none"/)
  })
})
