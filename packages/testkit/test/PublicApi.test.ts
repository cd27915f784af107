// The test kit's public surface is what every plugin's contract tests are written with: a change to
// it must be deliberate. This pins its entry points and every name they export.
import { join } from "node:path"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Testing from "../src/index.js"
import { manifestOf, pinnedSurface } from "./support/PublicSurface.js"

const packageDir = join(__dirname, "..")

describe("the test kit's public API", () => {
  it("exports exactly one entry point, the package itself", () => {
    expect(Object.keys(manifestOf(packageDir).exports ?? {})).toEqual(["."])
  })

  it("exports the names pinned in public-api.txt", async () => {
    await expect(await pinnedSurface(packageDir)).toMatchFileSnapshot("__snapshots__/public-api.txt")
  })

  it("keeps the shapes plugin tests rely on", () => {
    expectTypeOf(Testing.mount).parameter(0).toHaveProperty("plugins")
    expectTypeOf(Testing.checkToolsnaps).returns.toEqualTypeOf<Promise<void>>()
  })
})
