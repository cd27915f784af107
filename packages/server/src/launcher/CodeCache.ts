/**
 * Runs a CommonJS bundle through V8's code cache. MCP clients start the server for every session,
 * and most of its start-up went into parsing and compiling the bundle; a cache holds that
 * work, so a start with a usable cache only deserializes it.
 *
 * V8 checks that a cache was made by the same V8 with the same flags for a source of the same
 * length, and refuses it otherwise (the run then compiles as usual). It does not compare the
 * source's text: the caller names the cache after the bundle's content, so that another build never
 * reads this one's cache.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import Module, { createRequire } from "node:module"
import { dirname } from "node:path"
import { Script } from "node:vm"

/**
 * What the run found: a cache it used, none, or one V8 refused (another Node, other flags,
 * damaged); "off" when source maps are on (`--enable-source-maps`): Node's own loader then runs the
 * bundle, so that stack traces point into the sources, and no cache is read or made.
 */
export type CacheState = "used" | "absent" | "rejected" | "off"

export interface CachedRun {
  readonly state: CacheState
  /** what the bundle put in `module.exports` */
  readonly exports: unknown
  /**
   * Writes the cache for the next start, with every function compiled so far, unless this run used
   * one. Returns whether it wrote. Never throws: without a cache the server only starts slower.
   */
  readonly save: () => boolean
}

const readIfPresent = (file: string): Buffer | undefined => {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/**
 * Runs `file` (CommonJS, as `node file` would run it, with `require` resolved from its directory)
 * using the code cache in `cacheFile` when there is a usable one. The bundle cannot use `import()`:
 * V8 drops the hook it needs from code read back from a cache, so the caller hands it an importer.
 */
export const runCommonJs = (file: string, cacheFile: string): CachedRun => {
  if (process.sourceMapsEnabled)
    return { state: "off", exports: createRequire(file)(file), save: () => false }
  const cachedData = readIfPresent(cacheFile)
  // as Node's own loader does, a `#!` line is left out (keeping the line count)
  const source = readFileSync(file, "utf8").replace(/^#!.*/, "")
  const script = new Script(Module.wrap(source), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  })
  const state: CacheState =
    cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "used"
  const module: { exports: unknown } = { exports: {} }
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))

  let saved = state === "used"
  const save = (): boolean => {
    if (saved) return false
    saved = true
    // another server may start at the same moment: each writes its own file, and the rename is atomic
    const partial = `${cacheFile}.${process.pid}.partial`
    try {
      writeFileSync(partial, script.createCachedData())
      renameSync(partial, cacheFile)
      return true
    } catch {
      try {
        rmSync(partial, { force: true })
      } catch {
        // a directory that refuses the removal refused the file too
      }
      return false
    }
  }
  return { state, exports: module.exports, save }
}
