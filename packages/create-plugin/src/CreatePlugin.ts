/**
 * Writes a standalone whatsapp-mcp plugin into a new directory: its package.json (the packages it
 * needs, at the versions the runtime is tested with, from the registry or from local tarballs),
 * and the files of `template/`, a plugin with one tool and its contract test.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { basename, dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import validatePackageName from "validate-npm-package-name"
import * as Versions from "./Versions.js"

const command = "create-whatsapp-mcp-plugin"
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..")
const templateDir = join(packageRoot, "template")

/** The placeholder the template's files carry where the plugin's name goes. */
const namePlaceholder = "{{plugin-name}}"

/** npm leaves `.gitignore` out of a published package, so the template keeps it under this name. */
const renamed: Readonly<Record<string, string>> = { gitignore: ".gitignore" }

export const usage = `Usage: ${command} DIR [--from TARBALL_DIR]

Writes a whatsapp-mcp plugin with one sample tool and its tests into DIR (a new or empty
directory; its name is the package's name).

  --from TARBALL_DIR  install the @whatsapp-mcp packages from the tarballs in TARBALL_DIR
                      (made in the whatsapp-mcp repository with \`pnpm pack:all --out TARBALL_DIR\`)
                      instead of the npm registry
  -h, --help          show this help`

/** A mistake in what the user asked for: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

const ownVersion = (): string =>
  (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version

/** The packages a plugin installs from whatsapp-mcp, directly or through the test kit. */
const tarballPackages = [
  "@whatsapp-mcp/runtime",
  "@whatsapp-mcp/testkit",
  "@whatsapp-mcp/core",
  "@whatsapp-mcp/server",
]

/** A package's tarball as `pnpm pack:all` names it: `@whatsapp-mcp/runtime` 0.1.0 is whatsapp-mcp-runtime-0.1.0.tgz. */
export const tarballName = (name: string, version: string): string =>
  `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`

/** Each package's `file:` specifier; every missing tarball is named in one error. */
const tarballSpecs = (from: string, version: string): Record<string, string> => {
  const dir = resolve(from)
  const specs: Record<string, string> = {}
  const missing: Array<string> = []
  for (const name of tarballPackages) {
    const file = join(dir, tarballName(name, version))
    if (existsSync(file)) specs[name] = `file:${file}`
    else missing.push(file)
  }
  if (missing.length > 0) {
    throw new UsageError(
      `--from ${from}: ${missing.length === 1 ? "this tarball is" : "these tarballs are"} missing:\n${missing.map((file) => `  ${file}`).join("\n")}\nMake them in the whatsapp-mcp repository with \`pnpm pack:all --out ${dir}\`, or leave --from out to install from the npm registry.`,
    )
  }
  return specs
}

const sorted = (entries: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)))

/** The plugin's package.json. */
export const manifest = (name: string, version: string, tarballs: Record<string, string> | undefined) => {
  const whatsappMcp = (pkg: string) => tarballs?.[pkg] ?? version
  return {
    name,
    version: "0.1.0",
    description: "A whatsapp-mcp plugin.",
    keywords: ["whatsapp-mcp-plugin"],
    type: "module",
    engines: { node: ">=20.0.0" },
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist"],
    scripts: {
      build: "tsc -p tsconfig.build.json",
      test: "vitest run",
      typecheck: "tsc -p tsconfig.json",
    },
    // The server that loads the plugin provides these; the plugin must not bring its own copies.
    peerDependencies: sorted({ "@whatsapp-mcp/runtime": `^${version}`, ...Versions.peerRanges }),
    devDependencies: sorted({
      "@whatsapp-mcp/runtime": whatsappMcp("@whatsapp-mcp/runtime"),
      "@whatsapp-mcp/testkit": whatsappMcp("@whatsapp-mcp/testkit"),
      ...Versions.devDependencies,
    }),
    // The test kit's own whatsapp-mcp dependencies come from the same tarballs, not the registry.
    ...(tarballs === undefined ? {} : { overrides: sorted(tarballs) }),
  }
}

/** What running the template's own tests in a checkout leaves in it: never part of a plugin. */
const notTemplate = new Set(["node_modules", "dist"])

/** Every file of the template, as paths relative to it. */
const templateFiles = (dir: string = templateDir): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    notTemplate.has(entry.name)
      ? []
      : entry.isDirectory()
        ? templateFiles(join(dir, entry.name)).map((file) => join(entry.name, file))
        : [entry.name],
  )

const refuseOccupied = (target: string, given: string) => {
  if (!existsSync(target)) return
  if (!statSync(target).isDirectory()) {
    throw new UsageError(
      `${given} exists and is not a directory: nothing was written. Choose a new directory.`,
    )
  }
  if (readdirSync(target).length > 0) {
    throw new UsageError(
      `${given} already exists and is not empty: nothing was written. Choose a new directory, or empty this one.`,
    )
  }
}

const validName = (name: string, given: string) => {
  const verdict = validatePackageName(name)
  if (!verdict.validForNewPackages) {
    const reasons = [...(verdict.errors ?? []), ...(verdict.warnings ?? [])]
    throw new UsageError(
      `The plugin's package name comes from the directory's name, and "${name}"${given === name ? "" : ` (from ${given})`} cannot be one: ${reasons.join("; ")}. Name the directory in lower-case letters, digits and dashes, e.g. whatsapp-mcp-plugin-stats.`,
    )
  }
}

/** What was written, for the closing message. */
export interface Created {
  readonly dir: string
  readonly name: string
  readonly files: ReadonlyArray<string>
}

/** Checks everything first, then writes: a refused request leaves the disk as it was. */
export const create = (given: string, from: string | undefined): Created => {
  const target = resolve(given)
  const name = basename(target)
  validName(name, given)
  refuseOccupied(target, given)
  const version = ownVersion()
  const tarballs = from === undefined ? undefined : tarballSpecs(from, version)

  const files = templateFiles()
  mkdirSync(target, { recursive: true })
  writeFileSync(
    join(target, "package.json"),
    `${JSON.stringify(manifest(name, version, tarballs), null, 2)}\n`,
  )
  for (const file of files) {
    const destination = join(target, dirname(file), renamed[basename(file)] ?? basename(file))
    mkdirSync(dirname(destination), { recursive: true })
    const text = readFileSync(join(templateDir, file), "utf8")
    writeFileSync(destination, text.replaceAll(namePlaceholder, name))
  }
  return {
    dir: target,
    name,
    files: [
      "package.json",
      ...files.map((file) => join(dirname(file), renamed[basename(file)] ?? basename(file))),
    ]
      .map((file) => file.replace(/^\.\//, ""))
      .sort(),
  }
}

const nextSteps = (created: Created, from: string | undefined) => {
  const cd = relative(process.cwd(), created.dir) || "."
  return `Created the whatsapp-mcp plugin ${created.name} in ${created.dir}${from === undefined ? "" : ` (whatsapp-mcp packages from ${resolve(from)})`}.

Next:
  cd ${cd.includes(" ") ? JSON.stringify(cd) : cd}
  npm install
  npm test            # the sample tool's contract tests, on the test kit's demo store
  npm run typecheck
  npm run build       # dist/, which whatsapp-mcp loads

README.md says how to load it in whatsapp-mcp, by path or by package name.`
}

/** Runs the command on `argv` (without node and the script); returns the exit status. */
export const main = (argv: ReadonlyArray<string>): number => {
  try {
    const { values, positionals } = (() => {
      try {
        return parseArgs({
          args: [...argv],
          options: { from: { type: "string" }, help: { type: "boolean", short: "h" } },
          allowPositionals: true,
          strict: true,
        })
      } catch (error) {
        throw new UsageError((error as Error).message)
      }
    })()
    if (values.help === true) {
      process.stdout.write(`${usage}\n`)
      return 0
    }
    const [given, ...extra] = positionals
    if (given === undefined || given === "") {
      throw new UsageError(`Name the directory to create the plugin in, e.g. \`${command} my-plugin\`.`)
    }
    if (extra.length > 0) {
      throw new UsageError(`One directory only; found ${positionals.length}: ${positionals.join(" ")}.`)
    }
    const created = create(given, values.from)
    process.stdout.write(`${nextSteps(created, values.from)}\n`)
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${command}: ${error.message}\n\n${usage}\n`)
      return 2
    }
    process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
