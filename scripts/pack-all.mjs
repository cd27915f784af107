// `pnpm pack:all --out DIR`: one installable tarball per publishable package, as a registry would
// serve it, so that outside authors and users can be tested without a registry account. Builds
// first when a build is missing or older than its sources. pnpm's own pack command rewrites
// `catalog:` and `workspace:` (npm pack would copy them as they are); each tarball is then checked
// as npm will read it: not private, nothing left to the workspace, every file its manifest names
// is inside, every package its code imports is a dependency (and, for the server, nothing more),
// and one version for all. Exits 1 naming the package and the problem; 2 on a wrong command line.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { build } from "esbuild"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const usage = `Usage: pnpm pack:all --out DIR

Builds the workspace if needed, then writes one tarball per publishable package into DIR
(@whatsapp-mcp/core, @whatsapp-mcp/runtime, @whatsapp-mcp/testkit, @whatsapp-mcp/server,
@whatsapp-mcp/bridge, whatsapp-mcp, create-whatsapp-mcp-plugin) and checks each one's manifest.
Install them with npm: npm install DIR/whatsapp-mcp-0.1.0.tgz DIR/whatsapp-mcp-server-0.1.0.tgz …
`
let values
try {
  values = parseArgs({
    options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
  }).values
} catch (error) {
  console.error(`pack:all: ${error.message}\n\n${usage}`)
  process.exit(2)
}
if (values.help) {
  process.stdout.write(usage)
  process.exit(0)
}
if (values.out === undefined || values.out.trim() === "") {
  console.error(`pack:all: --out DIR is required: the directory to write the tarballs to\n\n${usage}`)
  process.exit(2)
}
const out = resolve(values.out)

/** The publishable packages, in the order a reader meets them. */
const publishable = [
  "packages/core",
  "packages/runtime",
  "packages/testkit",
  "packages/server",
  "packages/bridge",
  "packages/whatsapp-mcp",
  "packages/create-plugin",
]

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"))
const problems = []
const problem = (name, text) => problems.push(`${name}: ${text}`)

// ---------------------------------------------------------------------------------------------
// Build if needed: a target a manifest names is missing, or a source is newer than the oldest
// target (the server's bundle holds the built-in plugins, so every package's sources count).

const walk = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? entry.name === "node_modules"
            ? []
            : walk(join(dir, entry.name))
          : [join(dir, entry.name)],
      )
    : []

const stringLeaves = (value) =>
  typeof value === "string"
    ? [value]
    : value !== null && typeof value === "object"
      ? Object.values(value).flatMap(stringLeaves)
      : []

/** Every file a manifest points at: exports, bin, main, types. */
const manifestTargets = (manifest) => [
  ...stringLeaves(manifest.exports ?? {}),
  ...(typeof manifest.bin === "string" ? [manifest.bin] : stringLeaves(manifest.bin ?? {})),
  ...[manifest.main, manifest.types, manifest.typings].filter((target) => typeof target === "string"),
]

const buildNeeded = () => {
  const targets = publishable.flatMap((dir) =>
    manifestTargets(readJson(join(root, dir, "package.json")))
      .filter((target) => target.includes("dist/"))
      .map((target) => join(root, dir, target)),
  )
  if (targets.some((file) => !existsSync(file))) return true
  const oldestTarget = Math.min(...targets.map((file) => statSync(file).mtimeMs))
  const sources = readdirSync(join(root, "packages")).flatMap((name) =>
    walk(join(root, "packages", name, "src")),
  )
  return sources.some((file) => statSync(file).mtimeMs > oldestTarget)
}

const pnpm = (args, cwd) => {
  const result = spawnSync("npx", ["-y", "pnpm@10.34.9", ...args], { cwd, encoding: "utf8" })
  if (result.status !== 0) {
    console.error(`pack:all: \`pnpm ${args.join(" ")}\` failed in ${relative(root, cwd) || "."}:`)
    console.error(`${result.stdout}${result.stderr}`)
    process.exit(1)
  }
  return result.stdout
}

if (buildNeeded()) {
  console.error("pack:all: building first (`pnpm run build`)")
  pnpm(["run", "build"], root)
}

// ---------------------------------------------------------------------------------------------
// Pack.

mkdirSync(out, { recursive: true })
const workspaceNames = new Map(
  ["packages", "examples"]
    .flatMap((parent) => readdirSync(join(root, parent)).map((name) => join(root, parent, name)))
    .concat(join(root, "fixtures"))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => {
      const manifest = readJson(join(dir, "package.json"))
      return [manifest.name, { dir, private: manifest.private === true }]
    }),
)

// Each tarball is unpacked to be read; the copies go however this script ends.
const unpackedRoot = mkdtempSync(join(tmpdir(), "pack-all-"))
process.on("exit", () => rmSync(unpackedRoot, { recursive: true, force: true }))
const packed = publishable.map((dir, index) => {
  const report = JSON.parse(pnpm(["pack", "--json", "--pack-destination", out], join(root, dir)))
  const tarball = resolve(join(root, dir), report.filename)
  const unpacked = join(unpackedRoot, String(index))
  mkdirSync(unpacked)
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked])
  return { dir: join(root, dir), tarball, unpacked: join(unpacked, "package") }
})

// ---------------------------------------------------------------------------------------------
// Check each tarball as npm will read it.

const dependencyFields = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]
const installedFields = ["dependencies", "peerDependencies", "optionalDependencies"]

/** `@scope/name/sub/path.js` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/")

const isBare = (specifier) =>
  !specifier.startsWith(".") &&
  !specifier.startsWith("/") &&
  !isBuiltin(specifier) &&
  !/^[a-z]+:/.test(specifier)

/** The packages the shipped JavaScript imports, found by esbuild's parser (strings that merely look like imports do not count). */
const importedByCode = async (dir) => {
  const entryPoints = walk(dir).filter((file) => /\.(m|c)?js$/.test(file))
  if (entryPoints.length === 0) return new Set()
  const result = await build({
    // named by position: the server's .mjs and .cjs would otherwise share an output name
    entryPoints: Object.fromEntries(entryPoints.map((file, index) => [`entry-${index}`, file])),
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outdir: join(dir, ".unused"),
    logLevel: "silent",
    // the server's bundle reads its own location through this name
    define: { __bundle_url: '"file:///"' },
  })
  const imported = new Set()
  for (const input of Object.values(result.metafile.inputs))
    for (const { path, external } of input.imports)
      if (external && !path.startsWith("<") && isBare(path)) imported.add(packageOf(path))
  return imported
}

/** The packages the shipped declarations name: what an author's typecheck will need. */
const importedByTypes = (dir) => {
  const imported = new Set()
  for (const file of walk(dir).filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(file, "utf8")
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g))
      if (isBare(match[1])) imported.add(packageOf(match[1]))
  }
  return imported
}

/** A package another dependency names as its peer: npm must install it even if nothing here imports it. */
const peersOfDependencies = (dir, manifest) => {
  const requireHere = createRequire(join(dir, "package.json"))
  const peers = new Set()
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    try {
      const dependency = readJson(requireHere.resolve(`${name}/package.json`))
      for (const peer of Object.keys(dependency.peerDependencies ?? {})) peers.add(peer)
    } catch {
      // a package that hides its package.json names no peers we can see; nothing to add
    }
  }
  return peers
}

const packedNames = new Set()
const versions = new Map()
for (const { unpacked } of packed) packedNames.add(readJson(join(unpacked, "package.json")).name)

for (const { dir, tarball, unpacked } of packed) {
  const manifest = readJson(join(unpacked, "package.json"))
  const name = manifest.name ?? relative(root, dir)
  versions.set(name, manifest.version)
  if (manifest.private === true) problem(name, "is private: npm will not publish it")
  for (const field of ["description", "license", "version"])
    if (typeof manifest[field] !== "string" || manifest[field] === "")
      problem(name, `has no "${field}" in package.json`)
  if (typeof manifest.engines?.node !== "string")
    problem(name, 'has no "engines.node": say which Node it needs')

  for (const field of dependencyFields)
    for (const [dependency, spec] of Object.entries(manifest[field] ?? {})) {
      if (/^(catalog|workspace):/.test(spec))
        problem(name, `${field}.${dependency} is still "${spec}" in the tarball: pack with pnpm, not npm`)
      const sibling = workspaceNames.get(dependency)
      if (installedFields.includes(field) && sibling?.private === true)
        problem(name, `${field}.${dependency} names a private package that is never published`)
      if (installedFields.includes(field) && sibling !== undefined && !packedNames.has(dependency))
        problem(name, `${field}.${dependency} is not among the packed packages`)
    }

  const files = new Set(walk(unpacked).map((file) => relative(unpacked, file)))
  for (const target of manifestTargets(manifest)) {
    const file = target.replace(/^\.\//, "")
    if (!files.has(file)) problem(name, `names ${target} in package.json, but the tarball has no such file`)
  }
  for (const [bin, target] of Object.entries(
    typeof manifest.bin === "string" ? { [name]: manifest.bin } : (manifest.bin ?? {}),
  )) {
    const file = join(unpacked, target)
    if (existsSync(file) && !readFileSync(file, "utf8").startsWith("#!/usr/bin/env node"))
      problem(name, `bin ${bin} (${target}) does not start with "#!/usr/bin/env node"`)
  }
  for (const entry of manifest.files ?? []) {
    if (entry.startsWith("!")) continue
    const prefix = entry.replace(/^\.\//, "").replace(/\/$/, "")
    if (![...files].some((file) => file === prefix || file.startsWith(`${prefix}/`)))
      problem(name, `"files" lists ${entry}, but nothing of it is in the tarball`)
  }
  // Dead weight rather than breakage: said, but it does not stop the packing.
  for (const file of files)
    if (/\.tsbuildinfo$|\.v8cache$|\.partial$|^test\//.test(file))
      console.warn(
        `pack:all: warning: ${name} ships ${file}, a build or test leftover: leave it out through "files"`,
      )

  const declared = new Set(installedFields.flatMap((field) => Object.keys(manifest[field] ?? {})))
  const imported = await importedByCode(unpacked)
  const typed = importedByTypes(unpacked)
  for (const dependency of [...imported, ...typed])
    if (dependency !== name && !declared.has(dependency))
      problem(
        name,
        `its ${imported.has(dependency) ? "code" : "type declarations"} import ${dependency}, which is not a dependency or peer dependency`,
      )
  // The server and the product package are installed by users who never write code against them:
  // every dependency must be something the bundle, the host or a command loads (or a peer another
  // one needs), nothing for their build.
  if (name === "@whatsapp-mcp/server" || name === "whatsapp-mcp") {
    const peers = peersOfDependencies(dir, manifest)
    for (const dependency of Object.keys(manifest.dependencies ?? {}))
      if (!imported.has(dependency) && !peers.has(dependency))
        problem(name, `depends on ${dependency}, which none of its code loads`)
  }
  process.stderr.write(`pack:all: ${relative(process.cwd(), tarball)}\n`)
}

const distinct = new Set(versions.values())
if (distinct.size > 1)
  problems.push(
    `the packages do not share one version: ${[...versions].map(([n, v]) => `${n}@${v}`).join(", ")}`,
  )

if (problems.length > 0) {
  console.error(`pack:all: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`)
  process.exit(1)
}
process.stdout.write(`${packed.map(({ tarball }) => tarball).join("\n")}\n`)
