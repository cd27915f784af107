// What both sides of the bridge build against: a change to it must be deliberate. This pins the
// package's entry points (the root and one per module, as src/index.ts documents them) and every
// name each exports.
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { manifestOf, pinnedSurface, surface } from "../../testkit/test/support/PublicSurface.js"
import * as Core from "../src/index.js"

const packageDir = join(__dirname, "..")

describe("@whatsapp-mcp/core's public API", () => {
  it("exports exactly the documented entry points: the root, /api, /http-api, /store, /jid, /limits, /sendable-file, /media-type, /token and /commands", () => {
    expect(Object.keys(manifestOf(packageDir).exports ?? {})).toEqual([
      ".",
      "./api",
      "./http-api",
      "./store",
      "./jid",
      "./limits",
      "./sendable-file",
      "./media-type",
      "./token",
      "./commands",
    ])
  })

  it("exports the names pinned in public-api.txt", async () => {
    await expect(await pinnedSurface(packageDir)).toMatchFileSnapshot("__snapshots__/public-api.txt")
  })

  // /http-api is left out of the root: it needs @effect/platform, which the root does not; /token
  // and /commands too, since they read files and only the programs need them.
  it("offers at the root, as namespaces, exactly what each module's own entry point offers", async () => {
    const entries = {
      BridgeApi: "./api",
      StoreSchema: "./store",
      Jid: "./jid",
      Limits: "./limits",
      SendableFile: "./sendable-file",
      MediaType: "./media-type",
    } as const
    const roots: Record<string, unknown> = { ...Core }
    expect(Object.keys(roots).sort()).toEqual(Object.keys(entries).sort())
    const exports = manifestOf(packageDir).exports ?? {}
    for (const [namespace, subpath] of Object.entries(entries)) {
      const conditions = exports[subpath]
      const source = typeof conditions === "object" ? conditions["@whatsapp-mcp/source"] : undefined
      expect(source, subpath).toBeDefined()
      const module = (await import(join(packageDir, source ?? ""))) as Record<string, unknown>
      expect(surface(roots[namespace] as Record<string, unknown>)).toBe(surface(module))
    }
  })
})
