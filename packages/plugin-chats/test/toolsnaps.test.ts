// Every tool's published definition is snapshotted: a change shows up in review, and a missing or
// stale snapshot fails the suite.
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { checkToolsnaps, mountPromise } from "@whatsapp-mcp/testkit"
import plugin from "../src/index.js"

describe("toolsnaps", () => {
  it("match the published definition of every tool", async () => {
    const mounted = await mountPromise({ plugins: [plugin] })
    try {
      await expect(checkToolsnaps(mounted.client, join(__dirname, "__toolsnaps__"))).resolves.toBeUndefined()
    } finally {
      await mounted.close()
    }
  })
})
