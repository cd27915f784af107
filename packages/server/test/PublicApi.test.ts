// What the server package offers: the host (`@whatsapp-mcp/server/host`), which the test kit mounts
// plugins in, and the server's bundle (`@whatsapp-mcp/server/bin`), which the `whatsapp-mcp`
// package's command starts. A change to it must be deliberate: this pins the manifest's entry
// points, and every name the host exports. The server declares no command of its own: the one
// users install is the product package's.
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { manifestOf, pinnedSurface } from "../../testkit/test/support/PublicSurface.js"

const packageDir = join(__dirname, "..")

describe("@whatsapp-mcp/server's public API", () => {
  it("exports exactly the host and the server's bundle, and names no command", () => {
    const manifest = manifestOf(packageDir)
    expect(Object.keys(manifest.exports ?? {})).toEqual(["./host", "./bin"])
    expect(manifest.exports?.["./bin"]).toBe("./dist/bundle/whatsapp-mcp.mjs")
    expect(manifest.bin).toBeUndefined()
  })

  it("exports the names pinned in public-api.txt", async () => {
    await expect(await pinnedSurface(packageDir)).toMatchFileSnapshot("__snapshots__/public-api.txt")
  })
})
