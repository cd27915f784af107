// The demo store the test kit ships: a fresh copy for every test, holding what the bridge's own
// ingestion makes of the demo recording, readable by a mounted plugin.
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { demoStore, mountPromise, storeFromStreams } from "../src/index.js"
import { testPlugin } from "./support/TestPlugins.js"

const demoRecording = join(__dirname, "../../../fixtures/demo/demo.jsonl")

const rowsOf = (storeDir: string) => {
  const db = new Database(join(storeDir, "messages.db"), { readonly: true })
  try {
    return {
      chats: db.prepare("SELECT jid, name FROM chats ORDER BY jid").all(),
      messages: db.prepare("SELECT chat_jid, id, timestamp, text FROM messages ORDER BY chat_jid, id").all(),
    }
  } finally {
    db.close()
  }
}

describe("demoStore", () => {
  it("gives every caller its own copy, so a test that changes its store cannot change the next one's", () => {
    const first = demoStore()
    const second = demoStore()
    expect(first).not.toBe(second)
    const db = new Database(join(first, "messages.db"))
    db.exec("DELETE FROM messages")
    db.close()
    expect(rowsOf(second).messages.length).toBeGreaterThan(300)
    expect(rowsOf(demoStore()).messages).toEqual(rowsOf(second).messages)
  })

  it("holds what the bridge's ingestion makes of the demo recording, as recorded", async () => {
    const ingested = await storeFromStreams([demoRecording])
    expect(ingested.problems).toEqual([])
    const shipped = rowsOf(demoStore())
    expect(shipped).toEqual(rowsOf(ingested.storeDir))
    expect(shipped.chats).toHaveLength(16)
    // not shifted to the present: the recording's own times, so tests can expect fixed values
    const times = shipped.messages.map((m) => (m as { timestamp: number }).timestamp)
    expect(new Date(Math.min(...times) * 1000).toISOString()).toBe("2026-01-14T11:23:00.000Z")
  })

  it("serves a mounted plugin's tools, and reading it leaves nothing beside the database", async () => {
    const storeDir = demoStore()
    const mounted = await mountPromise({ plugins: [testPlugin], storeDir })
    try {
      const result = await mounted.client.callTool({ name: "count_rows", arguments: {} })
      expect(result.isError).toBeFalsy()
      expect(result.structuredContent).toEqual({ rows: rowsOf(storeDir).messages.length })
    } finally {
      await mounted.close()
    }
    expect(readdirSync(storeDir)).toEqual(["messages.db"])
  })
})
