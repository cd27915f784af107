// Toolsnaps fail the suite when a tool's published definition changes, is new, or is gone.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { checkToolsnaps, mountPromise } from "../src/index.js"
import { greeterPlugin, testPlugin } from "./support/TestPlugins.js"

const withUpdate = async <A>(f: () => Promise<A>): Promise<A> => {
  process.env.UPDATE_TOOLSNAPS = "1"
  try {
    return await f()
  } finally {
    delete process.env.UPDATE_TOOLSNAPS
  }
}

const open: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})

describe("checkToolsnaps", () => {
  it("passes when every snapshot matches, and fails on a change, a new tool or a removed one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wa-toolsnaps-"))
    const one = await mountPromise({ plugins: [testPlugin] })
    open.push(one)
    await expect(checkToolsnaps(one.client, dir)).rejects.toThrow(/echo: no snapshot at/)
    await withUpdate(() => checkToolsnaps(one.client, dir))
    await expect(checkToolsnaps(one.client, dir)).resolves.toBeUndefined()

    const file = join(dir, "echo.snap.json")
    writeFileSync(file, readFileSync(file, "utf8").replace("Repeats the text.", "Repeats it."))
    await expect(checkToolsnaps(one.client, dir)).rejects.toThrow(/echo: the published definition differs/)
    await withUpdate(() => checkToolsnaps(one.client, dir))

    const both = await mountPromise({ plugins: [testPlugin, greeterPlugin] })
    open.push(both)
    await expect(checkToolsnaps(both.client, dir)).rejects.toThrow(/greet: no snapshot/)
    await withUpdate(() => checkToolsnaps(both.client, dir))
    await expect(checkToolsnaps(one.client, dir)).rejects.toThrow(
      /greet\.snap\.json: snapshot of a tool that no longer exists/,
    )
  })
})
