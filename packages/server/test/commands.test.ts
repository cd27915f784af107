// Every `pnpm …` command the documentation shows and the programs print runs as written with the
// pinned pnpm: it names a script that exists, no pnpm built-in command shadows it (pnpm runs its
// own `doctor`, `store`, `server`… instead of a script of that name), and the cheap ones, run
// through `npx -y pnpm@10.34.9` exactly as a user types them, reach the project's program.
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

const root = resolve(__dirname, "../../..")
const pnpm = ["-y", "pnpm@10.34.9"]

/**
 * pnpm 10.34.9's own commands and aliases (its command table, and the commands it hands to npm),
 * read from the installed pnpm; `help -a` is checked against this list below.
 */
const pnpmBuiltins = new Set(
  (
    "add approve-builds audit bin cache cat-file cat-index ci clean-install ic install-clean completion " +
    "completion-server config c get set create dedupe deploy dlx doctor env exec fetch find-hash " +
    "ignored-builds import init install i install-test it licenses link ln list ls ll la outdated pack " +
    "patch patch-commit patch-remove prune publish rebuild rb recursive multi m remove uninstall rm un " +
    "uni restart root run run-script self-update server setup store unlink dislink update up upgrade " +
    "why help test t start " +
    // handed to npm
    "access adduser bugs deprecate dist-tag docs edit find home info issues login logout owner ping " +
    "prefix profile pkg repo s se search set-script show star stars team token unpublish unstar v " +
    "version view whoami xmas"
  ).split(" "),
)
/** Built-ins the documentation means to run as pnpm's own (`test` runs the test script). */
const meantBuiltins = new Set(["install", "rebuild", "exec", "run", "test"])

const packageScripts = (dir: string) =>
  Object.keys(
    (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> })
      .scripts ?? {},
  )
const packageDirs = new Map(
  ["packages", "examples", "."]
    .flatMap((parent) =>
      parent === "." ? ["fixtures"] : readdirSync(join(root, parent)).map((name) => join(parent, name)),
    )
    .filter((dir) => {
      try {
        return statSync(join(root, dir, "package.json")).isFile()
      } catch {
        return false
      }
    })
    .map(
      (dir) =>
        [
          (JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { name: string }).name,
          dir,
        ] as const,
    ),
)

const filesUnder = (dir: string, pattern: RegExp): Array<string> =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory())
      return entry.name === "node_modules" || entry.name === "dist" ? [] : filesUnder(path, pattern)
    return pattern.test(entry.name) ? [path] : []
  })

/** Documents a user follows: only their code (inline and fenced) holds commands. */
const documents = [
  "README.md",
  "SECURITY.md",
  "fixtures/README.md",
  ...filesUnder("docs", /\.md$/),
  ...readdirSync(join(root, "packages"))
    .map((name) => join("packages", name, "README.md"))
    .filter((path) => {
      try {
        return statSync(join(root, path)).isFile()
      } catch {
        return false
      }
    }),
]
/** Programs: their messages, usage lines and comments name commands too. */
const programs = [
  ...filesUnder("scripts", /\.mjs$/),
  ...filesUnder("bench", /\.(mjs|ts)$/),
  ...filesUnder("fixtures/src", /\.ts$/),
  ...filesUnder("fixtures/bin", /\.ts$/),
  ...readdirSync(join(root, "packages")).flatMap((name) =>
    filesUnder(join("packages", name, "src"), /\.(ts|mjs)$/),
  ),
]

const codeOf = (markdown: string) =>
  [
    ...[...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1] ?? ""),
    ...[...markdown.replace(/```[a-z]*\n[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map(
      (match) => match[1] ?? "",
    ),
  ].join("\n")

interface Command {
  readonly where: string
  readonly filter: string | undefined
  readonly name: string
}
const commandPattern =
  /(?:npx -y pnpm@[\d.]+|\bpnpm)[ \t]+(?:--filter[ \t]+(\S+)[ \t]+)?([a-z][a-z0-9:-]*[a-z0-9])/g
const commands: Array<Command> = [
  ...documents.map((file) => [file, codeOf(readFileSync(join(root, file), "utf8"))] as const),
  ...programs.map((file) => [file, readFileSync(join(root, file), "utf8")] as const),
].flatMap(([file, text]) =>
  [...text.matchAll(commandPattern)].map((match) => ({
    where: relative(root, join(root, file)),
    filter: match[1],
    name: match[2] ?? "",
  })),
)

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ status: number | null; out: string }>((done) => {
    const child = spawn("npx", [...pnpm, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (chunk) => {
      out += chunk
    })
    child.stderr.on("data", (chunk) => {
      out += chunk
    })
    child.on("close", (status) => done({ status, out }))
  })

describe("every pnpm command the project documents or prints", () => {
  it("names a script that exists and that no pnpm built-in shadows", () => {
    expect(commands.length).toBeGreaterThan(50)
    const rootScripts = packageScripts(root)
    const problems = commands.flatMap(({ where, filter, name }) => {
      const command = `pnpm ${filter === undefined ? "" : `--filter ${filter} `}${name} (${where})`
      if (filter !== undefined) {
        const dir = packageDirs.get(filter)
        if (dir === undefined) return [`${command}: no workspace package ${filter}`]
        return packageScripts(join(root, dir)).includes(name)
          ? []
          : [`${command}: ${filter} has no such script`]
      }
      if (meantBuiltins.has(name))
        return name === "test" && !rootScripts.includes("test") ? [`${command}: no test script`] : []
      if (pnpmBuiltins.has(name)) return [`${command}: pnpm's own \`${name}\` runs instead of the script`]
      return rootScripts.includes(name) ? [] : [`${command}: no such script in package.json`]
    })
    expect(problems).toEqual([])
    for (const name of ["checkup", "demo", "bridge", "mcp"])
      expect(commands.map((c) => c.name)).toContain(name)
  })

  it("keeps no root script that a pnpm built-in would shadow", () => {
    const shadowed = packageScripts(root).filter((name) => pnpmBuiltins.has(name) && !meantBuiltins.has(name))
    expect(shadowed).toEqual([])
  })

  it("knows every command `pnpm help -a` lists as pnpm's own", async () => {
    const help = await run(["help", "-a"])
    const listed = [...help.out.matchAll(/^ {2,6}(?:([a-z]+), )?([a-z][a-z-]+) {2,}\S/gm)].flatMap((match) =>
      [match[1], match[2]].filter((name): name is string => name !== undefined),
    )
    expect(listed.length).toBeGreaterThan(40)
    expect(listed.filter((name) => !pnpmBuiltins.has(name))).toEqual([])
  })

  it("reaches the project's programs when run as written through npx -y pnpm@10.34.9", async () => {
    const [checkupHelp, checkup, demoHelp, bridgeHelp, clientConfig] = await Promise.all([
      run(["checkup", "--help"]),
      run(["checkup", "--store", "./no-store-here"]),
      run(["demo", "--help"]),
      run(["bridge", "--help"]),
      run(["mcp", "--print-client-config", "claude-desktop", "--store", "./store"]),
    ])
    expect(checkupHelp.out).toMatch(/Usage: pnpm checkup \[--config FILE\] \[--store DIR\]/)
    expect(checkupHelp.status).toBe(0)
    // The options reach the checkup (pnpm's own doctor rejected --store).
    expect(checkup.out).toMatch(/^✓ Node: /m)
    expect(checkup.out).toContain(`✗ Store: no store at ${join(root, "no-store-here", "messages.db")}`)
    expect(demoHelp.out).toMatch(/Usage: pnpm demo \[--client /)
    expect(demoHelp.status).toBe(0)
    expect(bridgeHelp.out).toMatch(/--replay FILE/)
    expect(clientConfig.out).toContain(join(root, "store"))
    expect(clientConfig.status).toBe(0)
  }, 60_000)

  it("ingests a recording with `pnpm bridge ingest` and serves it with `pnpm mcp`, as written", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "wa-commands-")), "store")
    const ingest = await run(["bridge", "ingest", "fixtures/demo/demo.jsonl", "--store", store])
    expect(ingest.out).toMatch(/^messages in store: 306$/m)
    expect(ingest.status).toBe(0)

    const client = new Client({ name: "commands-test", version: "1.0.0" })
    await client.connect(
      new StdioClientTransport({
        command: "npx",
        args: [...pnpm, "mcp", "--store", store],
        cwd: root,
        env: getDefaultEnvironment(),
        stderr: "pipe",
      }),
    )
    try {
      const { tools } = await client.listTools()
      expect(tools).toHaveLength(16)
      const chats = await client.callTool({ name: "list_chats", arguments: { limit: 3 } })
      expect(chats.isError).not.toBe(true)
      expect((chats.structuredContent as { chats: Array<unknown> }).chats).toHaveLength(3)
    } finally {
      await client.close()
    }
  }, 60_000)
})
