// Round trips through the bridge's HTTP API in replay mode (health, a text send until its echo is
// stored), and how fast the server's bridge client fails once its breaker has opened on a dead bridge.
// Usage: pnpm build && node --import tsx bench/bridge-api.ts [sends]
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import Database from "better-sqlite3"
import { Context, Effect, Layer } from "effect"
import { replayBridge } from "../packages/bridge/dist/BridgeDaemon.js"
import { BridgeHttpServer } from "../packages/bridge/dist/server/BridgeHttpServer.js"
import { BridgeClient } from "../packages/runtime/dist/bridge/BridgeClient.js"
import { layerFetch } from "../packages/server/dist/host/BridgeClientLive.js"

const sends = Number(process.argv[2] ?? 200)
const root = resolve(import.meta.dirname, "..")
const storeDir = join(mkdtempSync(join(tmpdir(), "wa-bench-bridge-")), "store")

const percentile = (values: Array<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}
const ms = (n: number) => `${n.toFixed(2)} ms`

const program = Effect.gen(function* () {
  const started = performance.now()
  const context = yield* Layer.build(
    replayBridge({
      storeDir,
      files: [join(root, "fixtures/demo/demo.jsonl")],
      port: 0,
      sendsPerMinute: 1_000_000,
    }),
  )
  const startup = performance.now() - started
  const server = Context.get(context, BridgeHttpServer)
  const token = readFileSync(join(storeDir, "bridge-token"), "utf8").trim()
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
  const db = new Database(join(storeDir, "messages.db"), { readonly: true })
  const stored = db.prepare("SELECT 1 FROM messages WHERE id = ?")
  const person = (db.prepare("SELECT jid FROM chats WHERE kind = 'direct' LIMIT 1").get() as { jid: string })
    .jid

  const health: Array<number> = []
  const sendAnswer: Array<number> = []
  const sendStored: Array<number> = []
  yield* Effect.promise(async () => {
    for (let i = 0; i < 100; i++) {
      const t = performance.now()
      await (await fetch(`${server.url}/v1/health`, { headers })).json()
      health.push(performance.now() - t)
    }
    for (let i = 0; i < sends; i++) {
      const t = performance.now()
      const response = await fetch(`${server.url}/v1/messages/text`, {
        method: "POST",
        headers,
        body: JSON.stringify({ recipient: person, text: `bench ${i}`, idempotency_key: `bench-${i}` }),
      })
      const { message_id } = (await response.json()) as { message_id: string }
      sendAnswer.push(performance.now() - t)
      while (stored.get(message_id) === undefined) await new Promise((r) => setTimeout(r, 1))
      sendStored.push(performance.now() - t)
    }
  })
  db.close()

  // A bridge that is not there: the breaker opens after three failures, then calls fail at once.
  const failFast = yield* Effect.gen(function* () {
    const client = yield* BridgeClient
    const request = { recipient: "15550000000", text: "x" }
    for (let i = 0; i < 3; i++) yield* Effect.either(client.sendText(request))
    const times: Array<number> = []
    for (let i = 0; i < 100; i++) {
      const t = performance.now()
      yield* Effect.either(client.sendText(request))
      times.push(performance.now() - t)
    }
    return times
  }).pipe(
    Effect.provide(layerFetch({ url: "http://127.0.0.1:9", tokenFile: join(storeDir, "bridge-token") })),
  )

  console.log(`replay bridge start (demo ingest + serve): ${ms(startup)}`)
  console.log(`health round trip: p50 ${ms(percentile(health, 50))}, p95 ${ms(percentile(health, 95))}`)
  console.log(
    `send_message answer (${sends} sends): p50 ${ms(percentile(sendAnswer, 50))}, p95 ${ms(percentile(sendAnswer, 95))}`,
  )
  console.log(
    `send until the echo is stored: p50 ${ms(percentile(sendStored, 50))}, p95 ${ms(percentile(sendStored, 95))}`,
  )
  console.log(
    `write call with the breaker open: p50 ${ms(percentile(failFast, 50))}, max ${ms(Math.max(...failFast))}`,
  )
  console.log("reproduce: pnpm build && node --import tsx bench/bridge-api.ts")
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
