// Third-party plugins as they sit on a user's disk: a package folder with its own node_modules and
// its own copy of effect, of a version the test chooses. The copy is effect itself (its ES modules,
// with the version it reports changed), so the server meets a real second copy of effect.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)
const installedEffect = realpathSync(dirname(require.resolve("effect/package.json")))

/** What the plugin's node_modules/effect holds. */
export type PluginEffect =
  /** effect's own code, reporting `version`: it loads and runs. */
  | { readonly copyOf: "installed"; readonly version: string }
  /** A package that only says `version` and lacks the API the plugin calls, as effect 4 does for 3.x code. */
  | { readonly stub: true; readonly version: string }
  | undefined

export interface PluginPackageOptions {
  /** The plugin's name; its one tool is `<name>_ping`. */
  readonly name: string
  readonly effect: PluginEffect
  /** Set on the plugin object as `Plugin.make` would (a plugin that bundles its effect has only this). */
  readonly stampedEffectVersion?: string
  readonly apiVersion?: number | null
}

const folders: Array<string> = []

/** Removes every folder `pluginPackage` wrote. */
export const removePluginPackages = () => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
}

const copyEffect = (target: string, version: string) => {
  const manifest = JSON.parse(readFileSync(join(installedEffect, "package.json"), "utf8")) as {
    version: string
    dependencies?: Record<string, string>
  }
  cpSync(join(installedEffect, "dist", "esm"), join(target, "dist", "esm"), { recursive: true })
  writeFileSync(join(target, "package.json"), JSON.stringify({ ...manifest, version }))
  const versionModule = join(target, "dist", "esm", "internal", "version.js")
  writeFileSync(
    versionModule,
    readFileSync(versionModule, "utf8").replace(JSON.stringify(manifest.version), JSON.stringify(version)),
  )
  // effect's own dependencies, where the copy finds them (beside it, as an install puts them)
  const searched = createRequire(join(installedEffect, "package.json")).resolve.paths("effect") ?? []
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const found = searched.map((modules) => join(modules, dependency)).find((dir) => existsSync(dir))
    if (found === undefined) throw new Error(`effect's dependency ${dependency} is not installed`)
    const link = join(dirname(target), dependency)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(found, link, "dir")
  }
}

const stubEffect = (target: string, version: string) => {
  mkdirSync(target, { recursive: true })
  writeFileSync(
    join(target, "package.json"),
    JSON.stringify({ name: "effect", version, type: "module", exports: { ".": "./index.js" } }),
  )
  writeFileSync(join(target, "index.js"), "export const Effect = {}\nexport const Schema = {}\n")
}

const pluginSource = ({ name, stampedEffectVersion, apiVersion, effect }: PluginPackageOptions) => {
  const fields = [
    `_tag: "Plugin"`,
    `name: ${JSON.stringify(name)}`,
    `version: "0.1.0"`,
    `description: "A plugin installed in its own folder."`,
    ...(apiVersion === null ? [] : [`apiVersion: ${apiVersion ?? 1}`]),
    ...(stampedEffectVersion === undefined ? [] : [`effectVersion: ${JSON.stringify(stampedEffectVersion)}`]),
  ]
  if (effect === undefined) return `export default { ${fields.join(", ")}, tools: [] }\n`
  return `import { Effect, Schema } from "effect"

export default {
  ${fields.join(",\n  ")},
  options: Schema.Struct({}),
  tools: [
    {
      _tag: "Tool",
      name: ${JSON.stringify(`${name}_ping`)},
      title: "Ping",
      description: "Answers pong.",
      input: Schema.Struct({}),
      output: Schema.Struct({ answer: Schema.String }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      render: ({ answer }) => answer,
      handler: () => Effect.map(Effect.sleep("1 millis"), () => ({ answer: "pong" })),
    },
  ],
}
`
}

/** Writes a plugin package in a new temporary folder and returns the folder. */
export const pluginPackage = (options: PluginPackageOptions): string => {
  const dir = mkdtempSync(join(tmpdir(), `wa-plugin-${options.name}-`))
  folders.push(dir)
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: `whatsapp-mcp-plugin-${options.name}`,
      version: "0.1.0",
      type: "module",
      exports: { ".": "./index.mjs" },
      ...(options.effect === undefined ? {} : { dependencies: { effect: options.effect.version } }),
    }),
  )
  writeFileSync(join(dir, "index.mjs"), pluginSource(options))
  const effect = options.effect
  if (effect !== undefined) {
    const target = join(dir, "node_modules", "effect")
    if ("stub" in effect) stubEffect(target, effect.version)
    else copyEffect(target, effect.version)
  }
  return dir
}
