// What a package offers the outside: the entry points its manifest exports, and every name each
// one exports (with the members of each namespace), as text for a pinned snapshot.
import { readFileSync } from "node:fs"
import { join } from "node:path"

/** The names a module exports, one a line; a namespace (`export * as X`) lists its members. */
export const surface = (module: Record<string, unknown>): string =>
  Object.keys(module)
    .sort()
    .map((name) => {
      const value = module[name]
      const members =
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        Object.getPrototypeOf(value) === null
          ? `: ${Object.keys(value).sort().join(", ")}`
          : ""
      return `${name}${members}`
    })
    .join("\n")

interface Manifest {
  readonly name: string
  readonly exports?: Readonly<Record<string, string | Readonly<Record<string, string>>>>
  readonly bin?: Readonly<Record<string, string>>
}

export const manifestOf = (packageDir: string): Manifest =>
  JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Manifest

/**
 * Every entry point of the package at `packageDir`, loaded from the sources its `exports` name, and
 * its surface under a `# name/subpath` heading.
 */
export const pinnedSurface = async (packageDir: string): Promise<string> => {
  const manifest = manifestOf(packageDir)
  const sections: Array<string> = []
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    // A bare file (a command's bundle, which the product package starts) is run, not imported.
    if (typeof conditions === "string") {
      sections.push(`# ${manifest.name}${subpath.slice(1)}\n(runs ${conditions})\n`)
      continue
    }
    const source = conditions["@whatsapp-mcp/source"]
    if (source === undefined) throw new Error(`${manifest.name}: exports["${subpath}"] names no source`)
    const module = (await import(join(packageDir, source))) as Record<string, unknown>
    sections.push(`# ${manifest.name}${subpath === "." ? "" : subpath.slice(1)}\n${surface(module)}\n`)
  }
  return sections.join("\n")
}
