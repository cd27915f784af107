// The runtime's public surface is what third-party plugins build against: a change to it must be
// deliberate. This pins the package's entry points and every name they export. That the built-in
// plugins use nothing a third party could not is held by biome (see PackageBoundaries.test.ts).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Testing from "@whatsapp-mcp/testkit"
import type { Effect } from "effect"
import * as Runtime from "../src/index.js"

const surface = (module: Record<string, unknown>) =>
  Object.keys(module)
    .sort()
    .map((name) => {
      const value = module[name]
      const members =
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        Object.getPrototypeOf(value) === null
          ? `: ${Object.keys(value).sort().join(", ")}`
          : ""
      return `${name}${members}`
    })
    .join("\n")

describe("the runtime's public API", () => {
  it("exports exactly the entry points the plugin guide documents", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "../package.json"), "utf8"))
    expect(Object.keys(manifest.exports)).toEqual(["."])
  })

  it("exports the names pinned in public-api.txt", async () => {
    const pinned = `# @whatsapp-mcp/runtime\n${surface(Runtime)}\n\n# @whatsapp-mcp/testkit\n${surface(Testing)}\n`
    await expect(pinned).toMatchFileSnapshot("__snapshots__/public-api.txt")
  })

  it("keeps the shapes plugin authors rely on", () => {
    expectTypeOf(Runtime.Plugin.ApiVersion).toEqualTypeOf<number>()
    expectTypeOf<Runtime.Tool.Annotations>().toEqualTypeOf<{
      readonly readOnlyHint: boolean
      readonly destructiveHint: boolean
      readonly idempotentHint: boolean
      readonly openWorldHint: boolean
    }>()
    expectTypeOf<Runtime.Tool.Tool<{ a: string }, { b: number }, never, never>["handler"]>().toEqualTypeOf<
      (input: { a: string }) => Effect.Effect<{ b: number }, never, never>
    >()
    expectTypeOf<Runtime.Tool.Tool<{ a: string }, { b: number }, never, never>["render"]>().toEqualTypeOf<
      (output: { b: number }) => string
    >()
    expectTypeOf(Testing.mount).parameter(0).toHaveProperty("plugins")
    expectTypeOf(Testing.checkToolsnaps).returns.toEqualTypeOf<Promise<void>>()
  })
})
