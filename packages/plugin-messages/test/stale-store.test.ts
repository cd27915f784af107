// A read tool answers from the store even when WhatsApp is not connected, and then says so in one
// line, with the age of the newest stored message, so a model does not present old messages as
// current. The same facts are a resource a client lists and reads (whatsapp://status). Through a
// real MCP client, against a stand-in bridge reporting each state.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import {
  type MockBridge,
  type Mounted,
  mockBridge,
  mountPromise,
  storeFromStreams,
} from "@whatsapp-mcp/testkit"
import { caseStreams } from "../../../fixtures/src/RecordedStreamFiles.js"
import plugin from "../src/index.js"

let storeDir: string
let bridge: MockBridge

beforeAll(async () => {
  const store = await storeFromStreams(caseStreams)
  expect(store.problems).toEqual([])
  storeDir = store.storeDir
  bridge = mockBridge({ url: "http://127.0.0.1:18094" })
})
afterAll(() => bridge?.close())
beforeEach(() => bridge.reset())

const health = {
  status: "ok" as const,
  mode: "live" as const,
  connection: "open" as const,
  detail: null,
  pairing: "paired" as const,
  own_jid: "15550000000:1@s.whatsapp.net",
  last_disconnect: null,
  reconnects: 0,
  store: { chats: 1, contacts: 1, messages: 1 },
  history_sync: { active: false, chunks: 0, messages: 0, progress: null },
  link_warning: null,
  wa_web_version: { version: "2.3000.1023456789", source: "whatsapp" as const },
}
const loggedOut = {
  ...health,
  connection: "logged_out" as const,
  pairing: "unpaired" as const,
  own_jid: null,
  detail: "This device was unlinked from WhatsApp (code 401); the session was wiped.",
}
const linkWarning = "nothing from WhatsApp for 9 days: open WhatsApp on the phone"

/** Runs `use` on a fresh server (its notice is cached per server) reading the store through the bridge. */
const onFreshServer = async <A>(use: (client: Mounted["client"]) => Promise<A>): Promise<A> => {
  const mounted = await mountPromise({
    plugins: [plugin],
    storeDir,
    bridgeUrl: bridge.bridgeUrl,
    tokenFile: bridge.tokenFile,
  })
  try {
    return await use(mounted.client)
  } finally {
    await mounted.close()
  }
}

/** Calls list_messages on a fresh server and returns its texts. */
const listMessages = () =>
  onFreshServer(async (client) => {
    const result = await client.callTool({ name: "list_messages", arguments: { limit: 3 } })
    const texts = (result.content as ReadonlyArray<{ readonly text: string }>).map((c) => c.text)
    return { isError: result.isError === true, texts, structured: result.structuredContent }
  })

describe("a read tool's result when the store may be behind WhatsApp", () => {
  it("says nothing extra while WhatsApp is connected", async () => {
    bridge.answer("health", health)
    const { isError, texts } = await listMessages()
    expect(isError).toBe(false)
    expect(texts).toHaveLength(1)
    expect(texts[0]).not.toMatch(/not connected/)
  })

  it("says WhatsApp is logged out and how old the newest stored message is", async () => {
    bridge.answer("health", loggedOut)
    const { isError, texts, structured } = await listMessages()
    expect(isError).toBe(false)
    expect((structured as { messages: Array<unknown> }).messages.length).toBeGreaterThan(0)
    expect(texts).toHaveLength(2)
    expect(texts[1]).toMatch(
      /^WhatsApp is not connected \(logged out: the phone unlinked this device\): newest stored message \d+ (days?|hours?|minutes?) old; newer messages may be missing\.$/,
    )
  })

  it("says the bridge needs an update when WhatsApp refuses its version", async () => {
    bridge.answer("health", { ...health, connection: "outdated", detail: "code 405" })
    const { texts } = await listMessages()
    expect(texts[1]).toMatch(/^WhatsApp is not connected \(WhatsApp refuses this version of the bridge/)
  })

  it("still answers from the store when the bridge is not running, and says so", async () => {
    bridge.down()
    const { isError, texts } = await listMessages()
    expect(isError).toBe(false)
    expect(texts[0]).toMatch(/#\w+/)
    expect(texts[1]).toMatch(/^WhatsApp is not connected \(the bridge is not running or not answering\)/)
  })

  it("passes on a warning that the link is about to expire while still connected", async () => {
    bridge.answer("health", { ...health, link_warning: linkWarning })
    const { texts } = await listMessages()
    expect(texts[1]).toMatch(
      /^WhatsApp may stop syncing soon \(nothing from WhatsApp for 9 days: open WhatsApp on the phone\): newest stored message/,
    )
  })
})

interface Status {
  readonly bridge: string
  readonly connection: string | null
  readonly wa_web_version: string | null
  readonly link_warning: string | null
  readonly newest_message_time: string | null
  readonly newest_message_age_seconds: number | null
  readonly notice: string | null
}

/** Lists the resources of a fresh server and reads whatsapp://status. */
const readStatus = () =>
  onFreshServer(async (client) => {
    const { resources } = await client.listResources()
    const read = await client.readResource({ uri: "whatsapp://status" })
    const content = read.contents[0] as { uri: string; mimeType?: string; text: string }
    return { resources, content, status: JSON.parse(content.text) as Status }
  })

describe("the whatsapp://status resource", () => {
  it("is listed, and says WhatsApp is connected, with the version in use and the newest message's age", async () => {
    bridge.answer("health", health)
    const { resources, content, status } = await readStatus()
    expect(resources).toContainEqual(
      expect.objectContaining({ uri: "whatsapp://status", name: "status", mimeType: "application/json" }),
    )
    expect(content.mimeType).toBe("application/json")
    expect(status).toMatchObject({
      bridge: "answering",
      connection: "open",
      wa_web_version: "2.3000.1023456789",
      link_warning: null,
      notice: null,
    })
    expect(status.newest_message_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/)
    expect(status.newest_message_age_seconds).toBeGreaterThan(0)
  })

  it("says the device was logged out, with the same line a read tool's result carries", async () => {
    bridge.answer("health", loggedOut)
    const { status } = await readStatus()
    expect(status.connection).toBe("logged_out")
    expect(status.notice).toMatch(
      /^WhatsApp is not connected \(logged out: the phone unlinked this device\): newest stored message \d+ (days?|hours?|minutes?) old; newer messages may be missing\.$/,
    )
  })

  it("says the bridge is not answering when it is down, and still gives the store's newest message", async () => {
    bridge.down()
    const { status } = await readStatus()
    expect(status.bridge).toBe("not answering")
    expect(status.connection).toBeNull()
    expect(status.newest_message_time).not.toBeNull()
    expect(status.notice).toMatch(/^WhatsApp is not connected \(the bridge is not running or not answering\)/)
  })

  it("passes on the link warning while connected", async () => {
    bridge.answer("health", { ...health, link_warning: linkWarning })
    const { status } = await readStatus()
    expect(status.link_warning).toBe(linkWarning)
    expect(status.notice).toMatch(/^WhatsApp may stop syncing soon \(nothing from WhatsApp for 9 days/)
  })

  it("says WhatsApp cannot be reached when the bridge reports no network, not merely reconnecting", async () => {
    bridge.answer("health", {
      ...health,
      connection: "reconnecting",
      detail:
        "Cannot reach WhatsApp (408: getaddrinfo ENOTFOUND web.whatsapp.com): check this machine's network connection; reconnecting in 8 s.",
    })
    const { status } = await readStatus()
    expect(status.notice).toMatch(/^WhatsApp is not connected \(cannot reach WhatsApp \(no network\?\)\)/)
  })
})
