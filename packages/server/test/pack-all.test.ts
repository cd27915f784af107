// `pnpm pack:all` refuses a command line it cannot act on before it builds or writes anything: the
// usage, a line naming what was wrong, and exit status 2. (What it packs and checks is exercised by
// `pnpm test:outside`, which installs the tarballs as an outside author would.)
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const root = resolve(__dirname, "../../..")
const packAll = (...args: Array<string>) =>
  spawnSync(process.execPath, [join(root, "scripts/pack-all.mjs"), ...args], {
    encoding: "utf8",
    cwd: tmpdir(),
  })

describe("pnpm pack:all on a wrong command line", () => {
  it("asks for --out when it is missing", () => {
    const run = packAll()
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/--out DIR is required/)
    expect(run.stderr).toMatch(/Usage: pnpm pack:all --out DIR/)
  })

  it("names an unknown flag and writes nothing", () => {
    const parent = mkdtempSync(join(tmpdir(), "pack-all-usage-"))
    const dir = join(parent, "out")
    const run = packAll("--out", dir, "--publish")
    rmSync(parent, { recursive: true })
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/Unknown option '--publish'/)
    expect(run.stderr).toMatch(/Usage: pnpm pack:all --out DIR/)
    expect(existsSync(dir)).toBe(false)
  })

  it("prints the usage on --help", () => {
    const run = packAll("--help")
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/one tarball per publishable package/)
  })
})
