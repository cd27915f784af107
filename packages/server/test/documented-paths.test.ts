// Every repository path the documentation names, as code or as a link, exists: a file that moves
// takes its mentions along, so a reader who follows one lands on the file it describes. A path that
// does not exist passes only when git ignores it (made by a command: `dist/`, a store, bench data).
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, normalize, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const root = resolve(__dirname, "../../..")

const markdownIn = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(dir, name))
// fixtures/README.md is left out: it credits recordings by the paths they have in other repositories.
const documents = [
  "README.md",
  "SECURITY.md",
  ...markdownIn("docs"),
  ...readdirSync(join(root, "packages"))
    .map((name) => join("packages", name, "README.md"))
    .filter((path) => existsSync(join(root, path))),
]

/** Folders at the repository's top level: a path written from the root starts with one of them. */
const topLevel = /^(?:packages|fixtures|examples|scripts|bench|docs|\.ci)\//
/** A package's own folders: a path written from inside a package starts with one of them. */
const packageLevel = /^(?:src|test|scripts|bin|dist)\//
/** Placeholders and globs stand for many files, or for one that depends on the reader. */
const placeholder = /[*<>…{}$~]|\.\.\.|ABSOLUTE|\/YOU\//

interface Mention {
  readonly document: string
  readonly path: string
}

/**
 * Paths in code spans and fenced blocks. A package's README, and a `## packages/NAME` section of
 * docs/structure.md, also name files from inside that package (`src/Tool.ts`).
 */
const mentionsIn = (document: string): Array<Mention> => {
  const text = readFileSync(join(root, document), "utf8")
  const ownPackage = /^packages\/[^/]+\/README\.md$/.test(document) ? dirname(document) : undefined
  const found: Array<Mention> = []
  let section: string | undefined = ownPackage
  const lines = text.split("\n")
  let fenced = false
  for (const line of lines) {
    if (line.startsWith("```")) {
      fenced = !fenced
      continue
    }
    const heading = /^## (\S+?):?(?:\s|$)/.exec(line)
    if (!fenced && heading !== null && ownPackage === undefined)
      section = /^packages\/[a-z-]+$/.test(heading[1] ?? "") ? heading[1] : undefined
    const code = fenced ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "")
    for (const span of code)
      for (const word of span.split(/[\s,;()"'=:]+/)) {
        const path = word.replace(/[.,:;]+$/, "")
        if (path === "" || placeholder.test(path)) continue
        // Inside a package's section, `scripts/…` is that package's own folder.
        if (section !== undefined && packageLevel.test(path))
          found.push({ document, path: join(section, path) })
        else if (topLevel.test(path)) found.push({ document, path })
      }
    if (!fenced)
      for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (match[1] ?? "").replace(/#.*$/, "")
        if (target === "" || /^[a-z]+:/.test(target) || placeholder.test(target)) continue
        found.push({ document, path: normalize(join(dirname(document), target)) })
      }
  }
  return found
}

const ignoredByGit = (path: string) =>
  spawnSync("git", ["check-ignore", "--quiet", "--no-index", path], { cwd: root }).status === 0

describe("the documentation's paths", () => {
  const mentions = documents.flatMap(mentionsIn)

  it("name files and folders that exist", () => {
    // Enough to show the documents were read: each of them names several files.
    expect(mentions.length).toBeGreaterThan(100)
    const missing = mentions
      .filter(({ path }) => !existsSync(join(root, path)) && !ignoredByGit(path))
      .map(({ document, path }) => `${document}: ${path}`)
    expect(missing).toEqual([])
  })

  it("read the files a package's section of docs/structure.md names as that package's own", () => {
    const structure = mentionsIn("docs/structure.md").map(({ path }) => path)
    for (const [dir, file] of [
      ["packages/core", "src/StoreSchema.ts"],
      ["packages/bridge", "src/bin/bridge.ts"],
      ["packages/runtime", "src/Tool.ts"],
      ["packages/testkit", "src/index.ts"],
      ["packages/server", "src/host/McpServer.ts"],
      ["packages/server", "scripts/bundle.mjs"],
    ] as const)
      expect(structure).toContain(join(dir, file))
  })
})
