// A peer range is a promise to plugin authors: the effect (and @effect/sql) they install beside the
// runtime works with it.
// The promise holds only for versions the tests run with, so every peer range must admit the
// installed version and no other line (minor version) of it.
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ModuleVersion } from "effect"
import semver from "semver"

const root = resolve(__dirname, "../../..")

interface Manifest {
  readonly name: string
  readonly peerDependencies?: Readonly<Record<string, string>>
}

/** The packages outside authors install beside their own effect, and the example they copy. */
const packages = ["packages/runtime", "packages/core", "packages/testkit", "examples/plugin-digest"]

const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Manifest

/** The version of `name` that code in `dir` loads: the first one Node finds on its search path. */
const installedFor = (dir: string, name: string): string => {
  const searched = createRequire(join(root, dir, "package.json")).resolve.paths(name) ?? []
  const found = searched
    .map((modules) => join(modules, name, "package.json"))
    .find((file) => existsSync(file))
  if (found === undefined) throw new Error(`${name} is not installed for ${dir}`)
  return (JSON.parse(readFileSync(found, "utf8")) as { version: string }).version
}

const peers = packages.flatMap((dir) =>
  Object.entries(manifestOf(dir).peerDependencies ?? {})
    .filter(([name]) => name === "effect" || name.startsWith("@effect/"))
    .map(([name, range]) => [dir, name, range] as const),
)

describe("peer dependency ranges", () => {
  it("cover effect and @effect/sql wherever a package shares them with a plugin", () => {
    const named = new Set(peers.map(([dir, name]) => `${dir} ${name}`))
    for (const dir of ["packages/runtime", "packages/testkit", "examples/plugin-digest"]) {
      expect(named).toContain(`${dir} effect`)
      expect(named).toContain(`${dir} @effect/sql`)
    }
    expect(named).toContain("packages/core effect")
  })

  it.each(peers)("%s: %s %s admits the installed version, and no other minor version", (dir, name, range) => {
    const installed = installedFor(dir, name)
    expect(semver.satisfies(installed, range), `${installed} in ${range}`).toBe(true)
    const line = `~${semver.major(installed)}.${semver.minor(installed)}.0`
    expect(semver.subset(range, line), `${range} within ${line}`).toBe(true)
  })

  it("admit the effect the server runs, and the range its start-up message tells plugin authors to install", () => {
    const runtimeRange = manifestOf("packages/runtime").peerDependencies?.effect ?? ""
    const server = ModuleVersion.getCurrentVersion()
    expect(semver.satisfies(server, runtimeRange)).toBe(true)
    expect(semver.subset(`~${server}`, runtimeRange)).toBe(true)
  })
})
