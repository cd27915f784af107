/**
 * Which effect a plugin was made with, and whether this server can run it. The server runs every
 * plugin's Effects and Schemas with its own copy of effect, so a plugin must be made with the same
 * major version of effect; a newer minor version may build values this server's effect cannot run.
 */
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { ModuleVersion } from "effect"

/** The effect this server runs: effect's own constant, which the bundle inlines with effect itself. */
export const serverEffectVersion: string = ModuleVersion.getCurrentVersion()

/** A version of effect found for a plugin, and where. */
export interface FoundEffect {
  readonly version: string
  /** The effect package's folder, when the version was read from disk. */
  readonly packageDir?: string
  /** The folder whose node_modules holds that effect: where `npm install effect@…` changes it. */
  readonly installDir?: string
}

/**
 * The effect package that a module at `file` loads with `import "effect"`, read from its manifest
 * in the folders Node searches for it; undefined when there is none (a plugin that bundles effect).
 */
export const effectBeside = (file: string): FoundEffect | undefined => {
  for (const modules of createRequire(file).resolve.paths("effect") ?? []) {
    const packageDir = join(modules, "effect")
    const manifest = join(packageDir, "package.json")
    if (!existsSync(manifest)) continue
    try {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown }
      return pkg.name === "effect" && typeof pkg.version === "string"
        ? { version: pkg.version, packageDir, installDir: dirname(modules) }
        : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

const parse = (version: string) => {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version)
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) }
}

/**
 * How a plugin's effect relates to this server's: the same major and minor version run together;
 * an older minor version runs (effect's minor versions only add), with a warning that it is not
 * the line the plugin API is tested with; another major version, or a newer minor version, does not.
 */
export type Compatibility = "same" | "older-minor" | "newer-minor" | "other-major" | "unknown"

export const compare = (plugin: string, server: string = serverEffectVersion): Compatibility => {
  const ours = parse(server)
  const theirs = parse(plugin)
  if (ours === undefined || theirs === undefined) return "unknown"
  if (theirs.major !== ours.major) return "other-major"
  if (theirs.minor > ours.minor) return "newer-minor"
  return theirs.minor < ours.minor ? "older-minor" : "same"
}

/** The line of effect this server runs, as a plugin should pin it (`~3.22.4`). */
export const serverEffectRange = `~${serverEffectVersion}`

/** `3.22` of `3.22.4`. */
export const lineOf = (version: string): string => {
  const parsed = parse(version)
  return parsed === undefined ? version : `${parsed.major}.${parsed.minor}`
}
