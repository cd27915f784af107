// Each package installs on its own, so what its shipped code imports must be in its own manifest,
// and the direction of dependencies (core ← bridge, runtime ← plugins, testkit ← server) is held by
// biome's noRestrictedImports per package. Imports are read with TypeScript's own scanner, which
// sees `import`, `import type`, `export … from`, `import("…")` and `require("…")` alike.
import { spawnSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import ts from "typescript"

const root = resolve(__dirname, "../../..")

interface Manifest {
  readonly name: string
  readonly files?: ReadonlyArray<string>
  readonly exports?: Readonly<Record<string, unknown>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
}

const workspacePackages = [
  ...["packages", "examples"].flatMap((parent) =>
    readdirSync(join(root, parent)).map((name) => `${parent}/${name}`),
  ),
  "fixtures",
].filter((dir) => existsSync(join(root, dir, "package.json")))

const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Manifest

const codeFiles = (path: string): Array<string> => {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return /\.[cm]?[jt]s$/.test(path) ? [path] : []
  return readdirSync(path).flatMap((name) =>
    name === "node_modules" || name === "dist" ? [] : codeFiles(join(path, name)),
  )
}

/** What a package ships as code: src/, and whatever else its `files` names (scripts/, bin/), built output aside. */
const shippedFiles = (dir: string) => {
  // dist/ is src/ built (and bundled; the bundle's own externals are checked below); the
  // scaffolder's template/ is another package's code, installed with the manifest the scaffolder
  // writes, which `pnpm test:outside` installs and typechecks from the tarballs.
  const listed = (manifestOf(dir).files ?? []).filter((entry) => !/^(dist|src|template|!)/.test(entry))
  return ["src", ...listed].flatMap((entry) => codeFiles(join(root, dir, entry)))
}

/** Every module specifier a file names, however it names it. */
const specifiersOf = (source: string): Array<string> =>
  ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName)

const packageNameOf = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/")

/** The TypeScript file a relative import inside the workspace's sources means. */
const resolveRelative = (from: string, specifier: string): string | undefined => {
  const target = resolve(dirname(from), specifier)
  const candidates = [
    target,
    target.replace(/\.js$/, ".ts"),
    target.replace(/\.mjs$/, ".mts"),
    `${target}.ts`,
  ]
  return [...candidates, join(target, "index.ts")].find((file) => existsSync(file) && statSync(file).isFile())
}

/** Files reachable from `entries` through relative imports. */
const reachableFrom = (entries: ReadonlyArray<string>): Set<string> => {
  const seen = new Set<string>()
  const pending = [...entries]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue
    seen.add(file)
    for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
      const next = specifier.startsWith(".") ? resolveRelative(file, specifier) : undefined
      if (next !== undefined) pending.push(next)
    }
  }
  return seen
}

/** The source files the manifest's `exports` point at (their `@whatsapp-mcp/source` condition). */
const exportedEntries = (dir: string) =>
  Object.values(manifestOf(dir).exports ?? {}).flatMap((target) => {
    const source = (target as Record<string, unknown>)["@whatsapp-mcp/source"]
    return typeof source === "string" ? [join(root, dir, source)] : []
  })

/**
 * Packages whose command is an esbuild bundle (scripts/bundle.mjs), and its entry points. Code that
 * reaches users only inside the bundle may import what the bundle inlines: a devDependency (the
 * server's built-in plugins). What the bundle leaves out (`external`) must be a real dependency.
 */
const bundles: Readonly<Record<string, ReadonlyArray<string>>> = {
  "packages/server": ["src/main.ts", "src/bin/whatsapp-mcp.ts"],
  "packages/bridge": ["src/bin/bridge.ts", "src/recording/RecordingDecodeWorker.ts"],
}

const bundleScript = (dir: string) => readFileSync(join(root, dir, "scripts", "bundle.mjs"), "utf8")

describe("every workspace package imports only what its manifest declares", () => {
  it("reads every kind of import, including the ones a regular expression over `from` misses", () => {
    expect(
      specifiersOf(
        [
          'import type { A } from "a"',
          'export * from "b"',
          "const c = await import(`c`)",
          'const d = () => import("d")',
          'const e = require("e")',
          "import(/* a comment */ 'f')",
        ].join("\n"),
      ),
    ).toEqual(["a", "b", "c", "d", "e", "f"])
  })

  it.each(workspacePackages)(
    "%s: each import is the package itself, a Node built-in, or a dependency or peer dependency",
    (dir) => {
      const manifest = manifestOf(dir)
      const declared = new Set([
        manifest.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
        ...Object.keys(manifest.optionalDependencies ?? {}),
      ])
      const bundledOnly = new Set<string>()
      const entries = bundles[dir]
      if (entries !== undefined) {
        const published = reachableFrom(exportedEntries(dir))
        for (const file of reachableFrom(entries.map((entry) => join(root, dir, entry))))
          if (!published.has(file)) bundledOnly.add(file)
      }
      const inlined = new Set([...declared, ...Object.keys(manifest.devDependencies ?? {})])
      const offending: Array<string> = []
      for (const file of shippedFiles(dir)) {
        for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
          const where = `${relative(root, file)}: ${specifier}`
          if (specifier.startsWith(".")) {
            if (relative(join(root, dir), resolve(dirname(file), specifier)).startsWith(".."))
              offending.push(`${where} (outside the package)`)
            continue
          }
          if (isBuiltin(specifier)) continue
          const allowed = bundledOnly.has(file) ? inlined : declared
          if (!allowed.has(packageNameOf(specifier)))
            offending.push(`${where} (not in dependencies or peerDependencies)`)
        }
      }
      expect(offending).toEqual([])
    },
  )

  it.each(Object.entries(bundles))("%s: its bundle is built from the listed entry points", (dir, entries) => {
    const script = bundleScript(dir)
    for (const entry of entries) expect(script).toContain(entry.replace(/^src\//, "").replace(/\.ts$/, ".js"))
  })

  it.each(Object.keys(bundles))("%s: what its bundle leaves out is a dependency", (dir) => {
    const external = /external:\s*\[([^\]]*)\]/.exec(bundleScript(dir))?.[1]
    const names = [...(external ?? "").matchAll(/"([^"]+)"/g)].map((match) => match[1] as string)
    expect(names.length).toBeGreaterThan(0)
    const dependencies = Object.keys(manifestOf(dir).dependencies ?? {})
    expect(names.filter((name) => !dependencies.includes(name))).toEqual([])
  })
})

/** Runs `biome ci .` with the repository's configuration on a tree of the given files; returns its diagnostics by file. */
const biomeOn = (files: Readonly<Record<string, string>>) => {
  const dir = mkdtempSync(join(tmpdir(), "wa-boundaries-"))
  try {
    const { $schema: _schema, ...config } = JSON.parse(readFileSync(join(root, "biome.json"), "utf8"))
    writeFileSync(join(dir, "biome.json"), JSON.stringify(config))
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), source)
    }
    const biome = createRequire(join(root, "package.json")).resolve("@biomejs/biome/bin/biome")
    // Formatting and import sorting are off: the only thing that can fail here is the lint rule.
    const run = spawnSync(
      process.execPath,
      [
        biome,
        "ci",
        "--vcs-enabled=false",
        "--formatter-enabled=false",
        "--assist-enabled=false",
        "--reporter=github",
        ".",
      ],
      { cwd: dir, encoding: "utf8" },
    )
    const byFile = new Map<string, Array<string>>()
    for (const [, title, file, message] of run.stdout.matchAll(
      /^::error title=([^,]+),file=([^,]+),[^:]*::(.*)$/gm,
    )) {
      const path = relative(dir, file as string)
      byFile.set(path, [...(byFile.get(path) ?? []), `${title}: ${message}`])
    }
    return { status: run.status, byFile }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

describe("biome's noRestrictedImports keeps each package to its side of the boundaries", () => {
  const core = "@whatsapp-mcp/core imports only effect"
  const runtime = "The plugin SDK installs without"
  const publicEntry = "Import the runtime's public entry point"
  const runtimeOnly = "A plugin is written against @whatsapp-mcp/runtime only"
  const shipped = "A plugin's shipped code reads the store"
  const baileys = "Only packages/bridge talks to WhatsApp through Baileys"
  // A file, what it imports, and the start of the message `biome ci .` must report (none: it passes).
  const cases: ReadonlyArray<readonly [path: string, source: string, message: string | undefined]> = [
    ["packages/core/src/A.ts", 'import { http } from "msw"\nexport const a = http\n', core],
    ["packages/core/src/B.ts", 'export { SqlClient } from "@effect/sql"\n', core],
    ["packages/core/src/C.ts", 'import { Schema } from "effect"\nexport const c = Schema\n', undefined],
    [
      "packages/core/src/D.ts",
      'import { readFileSync } from "node:fs"\nexport const d = readFileSync\n',
      undefined,
    ],
    [
      "packages/runtime/src/E.ts",
      'export const e = () => import("@whatsapp-mcp/bridge/recording")\n',
      runtime,
    ],
    ["packages/runtime/src/F.ts", 'export { Main } from "@whatsapp-mcp/server/host"\n', runtime],
    [
      "packages/runtime/src/G.ts",
      'import Database from "better-sqlite3"\nexport const g = Database\n',
      runtime,
    ],
    [
      "packages/runtime/src/H.ts",
      'export { Server } from "@modelcontextprotocol/sdk/server/index.js"\n',
      runtime,
    ],
    ["packages/runtime/src/I.ts", 'export { setupServer } from "msw/node"\n', runtime],
    ["packages/runtime/src/J.ts", 'export { parse } from "@whatsapp-mcp/core/jid"\n', undefined],
    ["packages/plugin-chats/src/K.ts", 'export { make } from "@whatsapp-mcp/runtime/Plugin"\n', publicEntry],
    ["packages/plugin-chats/src/L.ts", 'export { parse } from "@whatsapp-mcp/core/jid"\n', runtimeOnly],
    ["packages/plugin-chats/src/M.ts", 'export { mount } from "@whatsapp-mcp/testkit"\n', shipped],
    ["packages/plugin-chats/src/N.ts", 'export { Plugin } from "@whatsapp-mcp/runtime"\n', undefined],
    ["packages/plugin-chats/test/O.test.ts", 'export { mount } from "@whatsapp-mcp/testkit"\n', undefined],
    [
      "packages/plugin-send/test/P.test.ts",
      'export const p = () => import("@whatsapp-mcp/runtime/Tool")\n',
      publicEntry,
    ],
    [
      "examples/plugin-digest/src/Q.ts",
      'export const q = () => import("@whatsapp-mcp/server/host")\n',
      runtimeOnly,
    ],
    ["packages/server/src/R.ts", 'export { proto } from "@whiskeysockets/baileys"\n', baileys],
    ["packages/testkit/src/S.ts", 'export const s = () => import("@whiskeysockets/baileys")\n', baileys],
    ["fixtures/src/T.ts", 'export { proto } from "@whiskeysockets/baileys"\n', baileys],
    ["packages/bridge/src/U.ts", 'export { proto } from "@whiskeysockets/baileys"\n', undefined],
  ]

  it("fails `biome ci .` on each forbidden import, static, re-exported or dynamic, and passes the allowed ones", () => {
    const { status, byFile } = biomeOn(Object.fromEntries(cases.map(([path, source]) => [path, source])))
    expect(status).not.toBe(0)
    for (const [path, , expected] of cases) {
      const diagnostics = byFile.get(path) ?? []
      if (expected === undefined) expect(diagnostics, path).toEqual([])
      else {
        expect(diagnostics, path).toHaveLength(1)
        expect(diagnostics[0], path).toMatch(
          new RegExp(`^lint/style/noRestrictedImports: ${literal(expected)}`),
        )
      }
    }
  })
})

describe("service keys", () => {
  // Effect finds a service by its key: two packages' services under one key would be taken for each
  // other, and a plugin author reading a missing-service error should see which package it is from.
  it("are unique and each names the package that defines it", () => {
    const keyPattern = /(?:Context\.Tag|Context\.GenericTag|Effect\.Service<[^>]*>\(\))\(\s*"([^"]+)"/g
    const seen = new Map<string, string>()
    for (const dir of workspacePackages) {
      const name = manifestOf(dir).name
      for (const file of shippedFiles(dir)) {
        for (const [, key] of readFileSync(file, "utf8").matchAll(keyPattern)) {
          const where = relative(root, file)
          expect(key, `${where}: the key of ${key}`).toMatch(new RegExp(`^${name.replace(/[/.]/g, "\\$&")}/`))
          expect(seen.get(key!), `${key} is defined twice`).toBeUndefined()
          seen.set(key!, where)
        }
      }
    }
    // the bridge, the runtime and a plugin each define services: a scan that found none would pass
    expect([...seen.keys()].filter((key) => key.startsWith("@whatsapp-mcp/bridge/")).length).toBeGreaterThan(
      10,
    )
    expect(seen.has("@whatsapp-mcp/runtime/Store")).toBe(true)
    expect(seen.has("@whatsapp-mcp/plugin-send/SendPolicy")).toBe(true)
  })
})
