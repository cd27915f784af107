// Faults between the two processes: the bridge killed and started again while the MCP side keeps
// running (the breaker opens, then closes and sends work again), and an MCP client that cancels a
// call or hangs up in the middle of one (the server keeps answering).
import type { ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, assert, describe, expect, it } from "@effect/vitest"
import chats from "@whatsapp-mcp/plugin-chats"
import messages from "@whatsapp-mcp/plugin-messages"
import send from "@whatsapp-mcp/plugin-send"
import { BridgeClient } from "@whatsapp-mcp/runtime"
import { BridgeClientLive } from "@whatsapp-mcp/server/host"
import { mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import Database from "better-sqlite3"
import { Effect, TestClock } from "effect"
import { freePort } from "./support/FreePort.js"
import { Heard, textOf } from "./support/Notifications.js"
import { startReplayBridge } from "./support/ReplayBridge.js"

const bridgeBin = resolve(__dirname, "../../bridge/src/bin/bridge.ts")
const demo = resolve(__dirname, "../../../fixtures/demo/demo.jsonl")
const live = resolve(__dirname, "../../../fixtures/demo/live.jsonl")
const children: Array<ChildProcess> = []
afterAll(() => {
  for (const child of children) child.kill("SIGKILL")
})

/** The replay bridge as a process; resolves once it listens. */
const startBridge = (store: string, port: number, ...extra: ReadonlyArray<string>) =>
  startReplayBridge(
    ["--import", "tsx", bridgeBin, "--replay", demo, "--store", store, "--port", String(port), ...extra],
    children,
  )

const killed = (child: ChildProcess) =>
  new Promise<void>((done) => {
    child.once("exit", () => done())
    child.kill("SIGKILL")
  })

describe("bridge restarted while the MCP side runs", () => {
  it.effect(
    "fails sends fast while the bridge is down, then closes the breaker and sends again once it is back",
    () =>
      Effect.gen(function* () {
        const store = join(mkdtempSync(join(tmpdir(), "wa-restart-")), "store")
        const port = yield* Effect.promise(freePort)
        const first = yield* Effect.promise(() => startBridge(store, port))
        const db = new Database(join(store, "messages.db"), { readonly: true })
        const { jid } = db
          .prepare("SELECT jid FROM chats WHERE kind = 'direct' AND jid LIKE '%@s.whatsapp.net' LIMIT 1")
          .get() as { jid: string }
        db.close()
        const client = yield* BridgeClient.BridgeClient.pipe(
          Effect.provide(
            BridgeClientLive.layerFetch({
              url: `http://127.0.0.1:${port}`,
              tokenFile: join(store, "bridge-token"),
            }),
          ),
        )
        const ok = yield* client.sendText({ recipient: jid, text: "before the restart" })
        assert.strictEqual(ok.status, "sent")

        yield* Effect.promise(() => killed(first))
        for (let i = 0; i < 3; i++) {
          const failed = yield* Effect.flip(client.sendText({ recipient: jid, text: "while down" }))
          assert.strictEqual(failed._tag, "BridgeUnavailable")
        }
        assert.strictEqual((yield* client.circuit)._tag, "Open")
        const fast = yield* Effect.flip(client.sendText({ recipient: jid, text: "while down" }))
        assert.isTrue(fast._tag === "BridgeUnavailable" && fast.circuitOpen)
        assert.include(fast.message, "pnpm bridge")

        // Started again on the same store and port (its stale lock from the kill is taken over).
        yield* Effect.promise(() => startBridge(store, port))
        yield* TestClock.adjust("10 seconds")
        const again = yield* client.sendText({ recipient: jid, text: "after the restart" })
        assert.strictEqual(again.status, "sent")
        assert.strictEqual((yield* client.circuit)._tag, "Closed")
      }),
    60_000,
  )
})

describe("a subscription while the bridge restarts", () => {
  it("still tells the client of a message the restarted bridge stores", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "wa-restart-subs-")), "store")
    const port = await freePort()
    const first = await startBridge(store, port)
    const mounted = await mountPromise({ plugins: [chats], storeDir: store })
    try {
      const heard = new Heard(mounted.client)
      const lucia = "whatsapp://chat/12025550103%40s.whatsapp.net"
      await mounted.client.subscribeResource({ uri: lucia })
      await killed(first)
      // Started again on the same store; a few seconds later Lucía writes (the demo's live message).
      await startBridge(store, port, "--then", live, "--after", "1")
      const transcript = async () => textOf(await mounted.client.readResource({ uri: lucia }))
      // Each notification says the chat changed; the one for Lucía's new message is the one awaited.
      for (let from = 0; !(await transcript()).includes("¿Sigue en pie lo de las 8?"); ) {
        await heard.until(`updated ${lucia}`, from)
        from = heard.events.length
      }
      expect(heard.events).toContain(`updated ${lucia}`)
    } finally {
      await mounted.close()
    }
  }, 90_000)
})

describe("what the MCP server logs while it sends", () => {
  it("never writes the token or the text sent to its log", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "wa-mcp-log-")), "store")
    const port = await freePort()
    await startBridge(store, port)
    const tokenFile = join(store, "bridge-token")
    const token = readFileSync(tokenFile, "utf8").trim()
    const mounted = await mountPromise({
      plugins: [chats, messages, send],
      storeDir: store,
      tokenFile,
      bridgeUrl: `http://127.0.0.1:${port}`,
    })
    try {
      const secret = "meet me at the usual place, code 5519"
      const chat = await mounted.client.callTool({
        name: "list_chats",
        arguments: { kind: "direct", limit: 1 },
      })
      const jid = (chat.structuredContent as { chats: Array<{ jid: string }> }).chats[0]?.jid
      expect(jid).toBeDefined()
      const sent = await mounted.client.callTool({
        name: "send_message",
        arguments: { recipient: jid, message: secret },
      })
      expect(sent.isError, JSON.stringify(sent.content)).not.toBe(true)
      const read = await mounted.client.callTool({
        name: "list_messages",
        arguments: { query: "usual place" },
      })
      expect(read.isError).not.toBe(true)
      const log = mounted.logs.join("\n")
      expect(log).not.toContain(token)
      expect(log).not.toContain(secret)
      expect(log).not.toContain("5519")
    } finally {
      await mounted.close()
    }
  }, 60_000)
})

describe("an MCP client that gives up on a call", () => {
  it("cancelled calls and a client that hangs up mid-call leave a server that still answers", async () => {
    const fixture = await storeFromStreams([demo])
    const mounted = await mountPromise({ plugins: [chats, messages], storeDir: fixture.storeDir })
    try {
      let cancelled = 0
      for (let i = 0; i < 20; i++) {
        const controller = new AbortController()
        const call = mounted.client.callTool(
          { name: "list_messages", arguments: { query: "dinner", limit: 50 } },
          undefined,
          { signal: controller.signal },
        )
        controller.abort("the user pressed stop")
        await call.then(
          () => undefined,
          () => {
            cancelled++
          },
        )
      }
      expect(cancelled).toBe(20)
      const after = await mounted.client.callTool({ name: "list_chats", arguments: { limit: 3 } })
      expect(after.isError).not.toBe(true)

      // A second client on the same application hangs up while its call runs.
      const other = await mountPromise({ plugins: [chats, messages], storeDir: fixture.storeDir })
      const pending = other.client.callTool({ name: "list_messages", arguments: { limit: 200 } }).then(
        () => "answered",
        () => "abandoned",
      )
      await other.close()
      expect(["answered", "abandoned"]).toContain(await pending)
      const still = await mounted.client.callTool({ name: "list_messages", arguments: { limit: 1 } })
      expect(still.isError).not.toBe(true)
    } finally {
      await mounted.close()
    }
  })
})
