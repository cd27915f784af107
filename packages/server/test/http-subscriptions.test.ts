// Resource subscriptions over Streamable HTTP: each session has its own subscriptions over the one
// watcher of the process, hears its notifications on its own stream, and loses them when it ends.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { demoStore } from "@whatsapp-mcp/testkit"
import { Effect, Either, Redacted } from "effect"
import * as HttpServe from "../src/host/HttpServe.js"
import { Application, Config } from "../src/host/index.js"
import { builtins, builtinToolNames, info } from "../src/index.js"
import { freePort } from "./support/FreePort.js"
import { deliver, Heard } from "./support/Notifications.js"

const token = "t0k3n-for-the-subscription-tests-0123456789"
const lucia = "whatsapp://chat/12025550103%40s.whatsapp.net"
const zoe = "whatsapp://chat/12025550101%40s.whatsapp.net"
let app: Application.Application
let serving: HttpServe.HttpServing
let store: string

beforeAll(async () => {
  store = demoStore()
  const config = Either.getOrThrow(
    Config.load({ storeFlag: store, env: {}, cwd: mkdtempSync(join(tmpdir(), "wa-http-subs-")) }),
  )
  app = await Effect.runPromise(
    Application.make({
      config: { ...config, bridgeUrl: `http://127.0.0.1:${await freePort()}`, timezone: "UTC" },
      builtins,
      builtinToolNames,
      info,
      log: () => {},
    }),
  )
  serving = await HttpServe.serve({
    app,
    host: "127.0.0.1",
    port: 0,
    token: Redacted.make(token),
    allowRemote: false,
    log: () => {},
  })
})

afterAll(async () => {
  await serving?.close()
  await app?.close()
})

const connect = async () => {
  const client = new Client({ name: "http-subscriber", version: "1.0.0" })
  const transport = new StreamableHTTPClientTransport(serving.url, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  })
  await client.connect(transport)
  return { client, transport, heard: new Heard(client) }
}

describe("subscriptions over HTTP", () => {
  it("tells each session of the chats it follows, and forgets a session's subscriptions when it ends", async () => {
    const first = await connect()
    const second = await connect()
    expect(first.client.getServerCapabilities()?.resources).toEqual({ subscribe: true, listChanged: true })
    await first.client.subscribeResource({ uri: lucia })
    await second.client.subscribeResource({ uri: zoe })
    await second.client.subscribeResource({ uri: lucia })
    expect(app.watcher.subscriptions()).toBe(3)

    await deliver(store, [{ chat: "12025550101@s.whatsapp.net", text: "On se voit dimanche ?" }])
    await second.heard.until(`updated ${zoe}`)
    await deliver(store, [{ chat: "12025550103@s.whatsapp.net", text: "Running late" }])
    await first.heard.until(`updated ${lucia}`)
    await second.heard.until(`updated ${lucia}`)
    // The first session never followed Zoé: it heard only of Lucía.
    expect(first.heard.events.filter((e) => e.startsWith("updated"))).toEqual([`updated ${lucia}`])

    await second.transport.terminateSession()
    await second.client.close()
    await vi.waitFor(() => expect(app.watcher.subscriptions()).toBe(1), { timeout: 10_000 })
    await first.transport.terminateSession()
    await first.client.close()
    await vi.waitFor(() => expect(app.watcher.running()).toBe(false), { timeout: 10_000 })
    expect(app.watcher.subscriptions()).toBe(0)
  })
})
