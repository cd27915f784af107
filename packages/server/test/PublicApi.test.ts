// What the server package offers besides its command: the host (`whatsapp-mcp/host`), which the
// test kit mounts plugins in. A change to it must be deliberate: this pins the manifest's entry
// points and command, and every name the host exports.
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { manifestOf, pinnedSurface } from "../../testkit/test/support/PublicSurface.js"

const packageDir = join(__dirname, "..")

describe("whatsapp-mcp's public API", () => {
  it("exports exactly the host as an entry point, and the whatsapp-mcp command from its bundle", () => {
    const manifest = manifestOf(packageDir)
    expect(Object.keys(manifest.exports ?? {})).toEqual(["./host"])
    expect(manifest.bin).toEqual({ "whatsapp-mcp": "./dist/bundle/whatsapp-mcp.mjs" })
  })

  it("exports the names pinned in public-api.txt", async () => {
    await expect(await pinnedSurface(packageDir)).toMatchFileSnapshot("__snapshots__/public-api.txt")
  })
})
