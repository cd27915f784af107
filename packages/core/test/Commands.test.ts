// The commands a message names are the ones the user has: `pnpm bridge` in a checkout of the
// repository, `whatsapp-bridge` once installed (npm, npx, the Claude Desktop bundle).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as Commands from "../src/Commands.js"

const root = mkdtempSync(join(tmpdir(), "wa-commands-"))
const file = (...parts: Array<string>) => {
  const path = join(root, ...parts)
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, "")
  return path
}
file("checkout/pnpm-workspace.yaml")

describe("the commands a message names", () => {
  it("are the repository's for a program in a checkout", () => {
    expect(Commands.forFile(file("checkout/packages/bridge/dist/bundle/bridge.mjs"))).toEqual(
      Commands.repository,
    )
    expect(Commands.repository.bridge).toBe("pnpm bridge")
  })

  it("are the installed ones for a program in node_modules, even inside a checkout", () => {
    for (const installed of [
      "prefix/lib/node_modules/whatsapp-mcp/node_modules/@whatsapp-mcp/bridge/dist/bundle/bridge.mjs",
      ".npm/_npx/1a2b/node_modules/@whatsapp-mcp/server/dist/bundle/whatsapp-mcp.cjs",
      // a plugin author's project that happens to be a pnpm workspace
      "checkout/node_modules/@whatsapp-mcp/server/dist/host/StoreLive.js",
    ])
      expect(Commands.forFile(file(installed))).toEqual(Commands.installed)
    expect(Commands.installed.bridge).toBe("whatsapp-bridge")
  })

  it("are the installed ones anywhere else, as in an unpacked Claude Desktop bundle", () => {
    expect(Commands.forFile(file("Claude Extensions/whatsapp-mcp/server/whatsapp-mcp.mjs"))).toEqual(
      Commands.installed,
    )
  })

  it("are the repository's for this process, which runs from this checkout", () => {
    expect(Commands.current).toEqual(Commands.repository)
  })
})
