import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert } from "@effect/vitest"
import type { Health } from "@whatsapp-mcp/core/api"
import { Context, Effect, Layer } from "effect"
import { type ReplayBridgeOptions, replayBridge } from "../../src/BridgeDaemon.js"
import { BridgeHttpServer } from "../../src/server/BridgeHttpServer.js"

/**
 * A replay bridge started in the test's scope, and `call`: one request to its HTTP API with the
 * token it wrote, answering the status and the parsed JSON body (GET without a body, POST with one).
 */
export const startReplayBridge = (options: ReplayBridgeOptions) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(replayBridge(options))
    const server = Context.get(context, BridgeHttpServer)
    const token = readFileSync(join(options.storeDir, "bridge-token"), "utf8").trim()
    const call = <A>(path: string, body?: unknown) =>
      Effect.promise(async () => {
        const response = await fetch(`${server.url}${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        return { status: response.status, body: (await response.json()) as A }
      })
    return { call, port: server.port }
  })

/** Waits for the replay socket to open (it connects right after start), answering its health. */
export const waitForOpen = (call: <A>(path: string) => Effect.Effect<{ body: A }>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      const health = (yield* call<Health>("/v1/health")).body
      if (health.connection === "open") return health
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
    }
    return assert.fail("the replay bridge never opened")
  })
