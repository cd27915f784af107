// The runtime's public surface is what third-party plugins build against: a change to it must be
// deliberate. This pins the package's entry points and every name they export. That the built-in
// plugins use nothing a third party could not is held by biome (see PackageBoundaries.test.ts).
import { join } from "node:path"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import type { Effect } from "effect"
import { manifestOf, pinnedSurface } from "../../testkit/test/support/PublicSurface.js"
import * as Runtime from "../src/index.js"

const packageDir = join(__dirname, "..")

describe("the runtime's public API", () => {
  it("exports exactly the entry points the plugin guide documents", () => {
    expect(Object.keys(manifestOf(packageDir).exports ?? {})).toEqual(["."])
  })

  it("exports the names pinned in public-api.txt", async () => {
    await expect(await pinnedSurface(packageDir)).toMatchFileSnapshot("__snapshots__/public-api.txt")
  })

  it("keeps the shapes plugin authors rely on", () => {
    expectTypeOf(Runtime.Plugin.ApiVersion).toEqualTypeOf<number>()
    expectTypeOf<Runtime.Plugin.Any["effectVersion"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<Runtime.Tool.Annotations>().toEqualTypeOf<{
      readonly readOnlyHint: boolean
      readonly destructiveHint: boolean
      readonly idempotentHint: boolean
      readonly openWorldHint: boolean
    }>()
    // a handler answers with its output, or (a tool that declares images) its output with pictures
    expectTypeOf<Runtime.Tool.Tool<{ a: string }, { b: number }, never, never>["handler"]>().toEqualTypeOf<
      (input: {
        a: string
      }) => Effect.Effect<{ b: number } | Runtime.ToolImage.WithImages<{ b: number }>, never, never>
    >()
    expectTypeOf<(input: { a: string }) => Effect.Effect<{ b: number }>>().toExtend<
      Runtime.Tool.Tool<{ a: string }, { b: number }, never, never>["handler"]
    >()
    expectTypeOf<Runtime.Tool.Tool<{ a: string }, { b: number }, never, never>["images"]>().toEqualTypeOf<
      Runtime.ToolImage.Declaration | undefined
    >()
    expectTypeOf<Runtime.Tool.Tool<{ a: string }, { b: number }, never, never>["render"]>().toEqualTypeOf<
      (output: { b: number }) => string
    >()
  })
})
