// The scaffolder as an outside author runs it (the built bin, in a directory outside the
// workspace): the files it writes, the plugin it writes passing its own typecheck, build and tests
// against this workspace's packages, and every bad request refused with nothing written.
import { spawnSync } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { delimiter, join, relative } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"

const root = join(__dirname, "../../..")
const packageDir = join(__dirname, "..")
const bin = join(packageDir, "dist/bin.js")
const work = mkdtempSync(join(tmpdir(), "wa-create-plugin-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const scaffold = (args: ReadonlyArray<string>, cwd: string = work) => {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8" })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

const listFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>

interface Manifest {
  readonly name: string
  readonly type: string
  readonly exports: unknown
  readonly scripts: Record<string, string>
  readonly peerDependencies: Record<string, string>
  readonly devDependencies: Record<string, string>
  readonly overrides?: Record<string, string>
}

/** The version of a package the runtime is built and tested with: the one installed for it. */
const testedVersion = (name: string): string =>
  (
    createRequire(join(root, "packages/runtime/package.json"))(`${name}/package.json`) as {
      version: string
    }
  ).version

describe("create-whatsapp-mcp-plugin DIR", () => {
  const dir = join(work, "whatsapp-mcp-plugin-stats")
  const created = scaffold([dir])

  it("writes a standalone plugin: one tool, its SQL, its contract test and toolsnap, configs and a README", () => {
    expect(created.stderr).toBe("")
    expect(created.status).toBe(0)
    expect(listFiles(dir)).toEqual([
      ".gitignore",
      "README.md",
      "package.json",
      "src/MessageCountsQueries.ts",
      "src/index.ts",
      "src/tools/message-counts.ts",
      "test/__toolsnaps__/message_counts.snap.json",
      "test/message-counts.test.ts",
      "tsconfig.build.json",
      "tsconfig.json",
      "vitest.config.ts",
      "whatsapp-mcp.config.json",
    ])
    expect(created.stdout).toContain("npm install")
    expect(created.stdout).toContain("npm test")
    // the plugin is named after its directory, everywhere the template names it
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain('name: "whatsapp-mcp-plugin-stats"')
    expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(/^# whatsapp-mcp-plugin-stats\n/)
    for (const file of listFiles(dir))
      expect(readFileSync(join(dir, file), "utf8")).not.toContain("{{plugin-name}}")
    // nothing outside the directory is needed to typecheck it
    expect(readJson(join(dir, "tsconfig.json")).extends).toBeUndefined()
    expect(readJson(join(dir, "tsconfig.build.json")).extends).toBe("./tsconfig.json")
    expect(readJson(join(dir, "whatsapp-mcp.config.json"))).toEqual({ plugins: { "./": true } })
  })

  it("pins effect to the versions the runtime is tested with, and asks the server for the runtime's peer ranges", () => {
    const manifest = readJson(join(dir, "package.json")) as unknown as Manifest
    const workspace = readJson(join(root, "package.json")) as unknown as Manifest
    const runtime = readJson(join(root, "packages/runtime/package.json")) as unknown as Manifest & {
      version: string
    }
    expect(manifest.name).toBe("whatsapp-mcp-plugin-stats")
    expect(manifest.type).toBe("module")
    expect(manifest.exports).toEqual({ ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } })
    expect(Object.keys(manifest.scripts).sort()).toEqual(["build", "test", "typecheck"])
    expect(manifest.scripts.test).toBe("vitest run")
    expect(manifest.devDependencies).toEqual({
      "@effect/sql": testedVersion("@effect/sql"),
      "@types/node": workspace.devDependencies["@types/node"],
      "@whatsapp-mcp/runtime": runtime.version,
      "@whatsapp-mcp/testkit": runtime.version,
      effect: testedVersion("effect"),
      typescript: workspace.devDependencies.typescript,
      vitest: workspace.devDependencies.vitest,
    })
    expect(manifest.peerDependencies).toEqual({
      ...runtime.peerDependencies,
      "@whatsapp-mcp/runtime": `^${runtime.version}`,
    })
    expect(manifest.overrides).toBeUndefined()
  })

  it("writes a plugin that typechecks, builds and passes its own tests against this workspace's packages", async () => {
    // What `npm install` would put there, from this workspace instead of the registry: the
    // packages, and the commands the scripts name (pnpm's own command files find their package
    // relative to where they lie, so they do not work through a link from elsewhere).
    symlinkSync(join(packageDir, "node_modules"), join(dir, "node_modules"))
    const commands = join(work, "bin")
    mkdirSync(commands, { recursive: true })
    for (const [command, file] of [
      ["tsc", "typescript/bin/tsc"],
      ["vitest", "vitest/vitest.mjs"],
    ] as const) {
      const target = realpathSync(join(packageDir, "node_modules", file))
      writeFileSync(join(commands, command), `#!/bin/sh\nexec "${process.execPath}" "${target}" "$@"\n`, {
        mode: 0o755,
      })
    }
    const { scripts } = readJson(join(dir, "package.json")) as unknown as Manifest
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${commands}${delimiter}${process.env.PATH ?? ""}`,
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    }
    // The toolsnap the template ships must match as written. `UPDATE_TOOLSNAPS=1 pnpm test`, the
    // repository's way to accept a changed tool definition, rewrites it in the template instead.
    const updating = process.env.UPDATE_TOOLSNAPS === "1"
    delete env.UPDATE_TOOLSNAPS
    const npmRun = (script: string) => {
      const run = spawnSync(scripts[script] as string, {
        cwd: dir,
        env,
        shell: true,
        encoding: "utf8",
        timeout: 180_000,
      })
      return { status: run.status, output: run.stdout + run.stderr }
    }
    const typecheck = npmRun("typecheck")
    expect(typecheck.output).toBe("")
    expect(typecheck.status).toBe(0)

    const snap = "test/__toolsnaps__/message_counts.snap.json"
    if (updating) {
      env.UPDATE_TOOLSNAPS = "1"
      expect(npmRun("test").status).toBe(0)
      copyFileSync(join(dir, snap), join(packageDir, "template", snap))
      delete env.UPDATE_TOOLSNAPS
    }
    const test = npmRun("test")
    expect(test.output, test.output).toMatch(/Tests\s+5 passed/)
    expect(test.status).toBe(0)

    const build = npmRun("build")
    expect(build.output).toBe("")
    expect(build.status).toBe(0)
    expect(existsSync(join(dir, "dist/index.d.ts"))).toBe(true)
    const built = (await import(pathToFileURL(join(dir, "dist/index.js")).href)) as {
      default: { name: string; tools: ReadonlyArray<{ name: string }> }
    }
    expect(built.default.name).toBe("whatsapp-mcp-plugin-stats")
    expect(built.default.tools.map((tool) => tool.name)).toEqual(["message_counts"])
    // tsc three times and a nested vitest run: slow on a busy machine.
  }, 360_000)
})

describe("create-whatsapp-mcp-plugin DIR --from TARBALL_DIR", () => {
  const version = (readJson(join(packageDir, "package.json")) as { version: string }).version
  const tarballs = join(work, "tarballs")
  const files = {
    "@whatsapp-mcp/core": `whatsapp-mcp-core-${version}.tgz`,
    "@whatsapp-mcp/runtime": `whatsapp-mcp-runtime-${version}.tgz`,
    "@whatsapp-mcp/testkit": `whatsapp-mcp-testkit-${version}.tgz`,
    "@whatsapp-mcp/server": `whatsapp-mcp-server-${version}.tgz`,
  }

  it("installs every whatsapp-mcp package from the tarballs, the test kit's own dependencies included", () => {
    mkdirSync(tarballs, { recursive: true })
    for (const file of Object.values(files)) writeFileSync(join(tarballs, file), "")
    const dir = join(work, "from-tarballs")
    const run = scaffold([dir, "--from", tarballs])
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    const manifest = readJson(join(dir, "package.json")) as unknown as Manifest
    const spec = (name: keyof typeof files) => `file:${join(tarballs, files[name])}`
    expect(manifest.devDependencies["@whatsapp-mcp/runtime"]).toBe(spec("@whatsapp-mcp/runtime"))
    expect(manifest.devDependencies["@whatsapp-mcp/testkit"]).toBe(spec("@whatsapp-mcp/testkit"))
    expect(manifest.overrides).toEqual({
      "@whatsapp-mcp/core": spec("@whatsapp-mcp/core"),
      "@whatsapp-mcp/runtime": spec("@whatsapp-mcp/runtime"),
      "@whatsapp-mcp/testkit": spec("@whatsapp-mcp/testkit"),
      "@whatsapp-mcp/server": spec("@whatsapp-mcp/server"),
    })
    // the registry's versions everywhere else
    expect(manifest.devDependencies.effect).toMatch(/^\d+\.\d+\.\d+$/)
  })
})

describe("bad requests: a clear message, exit status 2, nothing written", () => {
  const refused = (args: ReadonlyArray<string>, message: RegExp) => {
    const run = scaffold(args)
    expect(run.status).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toContain("Usage: create-whatsapp-mcp-plugin DIR [--from TARBALL_DIR]")
  }

  it("no directory", () => {
    refused([], /Name the directory to create the plugin in, e\.g\. `create-whatsapp-mcp-plugin my-plugin`/)
  })

  it("two directories", () => {
    refused(["one", "two"], /One directory only; found 2: one two/)
    expect(existsSync(join(work, "one"))).toBe(false)
  })

  it("an unknown flag", () => {
    refused(["flagged", "--force"], /Unknown option '--force'/)
    expect(existsSync(join(work, "flagged"))).toBe(false)
  })

  it("--from without a directory", () => {
    refused(["no-from", "--from"], /--from/)
    expect(existsSync(join(work, "no-from"))).toBe(false)
  })

  it("a directory whose name cannot be a package's name", () => {
    refused(["My Plugin"], /"My Plugin" cannot be one: .*Name the directory in lower-case letters/)
    refused(["_private"], /"_private" cannot be one: name cannot start with an underscore/)
    expect(existsSync(join(work, "My Plugin"))).toBe(false)
  })

  it("a directory that is not empty, left as it was", () => {
    const occupied = join(work, "occupied")
    mkdirSync(occupied)
    writeFileSync(join(occupied, "package.json"), "mine\n")
    refused([occupied], /occupied already exists and is not empty: nothing was written/)
    expect(readdirSync(occupied)).toEqual(["package.json"])
    expect(readFileSync(join(occupied, "package.json"), "utf8")).toBe("mine\n")
  })

  it("a file where the directory should be", () => {
    const file = join(work, "a-file")
    writeFileSync(file, "mine\n")
    refused([file], /a-file exists and is not a directory: nothing was written/)
    expect(readFileSync(file, "utf8")).toBe("mine\n")
  })

  it("--from a directory without the tarballs, naming each missing one and how to make them", () => {
    const empty = mkdtempSync(join(work, "no-tarballs-"))
    writeFileSync(join(empty, "whatsapp-mcp-runtime-0.0.1.tgz"), "")
    const version = (readJson(join(packageDir, "package.json")) as { version: string }).version
    refused(
      ["lacking", "--from", empty],
      new RegExp(`whatsapp-mcp-runtime-${version.replaceAll(".", "\\.")}\\.tgz`),
    )
    const run = scaffold(["lacking", "--from", empty])
    for (const name of ["core", "runtime", "testkit", "server"])
      expect(run.stderr).toContain(join(empty, `whatsapp-mcp-${name}-${version}.tgz`))
    expect(run.stderr).toContain(`pnpm pack:all --out ${empty}`)
    expect(existsSync(join(work, "lacking"))).toBe(false)
  })

  it("--help shows the usage and writes nothing", () => {
    const run = scaffold(["--help"])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain("Usage: create-whatsapp-mcp-plugin DIR [--from TARBALL_DIR]")
    expect(readdirSync(work).filter((entry) => entry === "--help")).toEqual([])
  })
})
