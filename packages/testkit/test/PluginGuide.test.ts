// docs/plugins.md is followed literally: a plugin is scaffolded as the guide says, the guide's code
// blocks are written into it, and it is typechecked, tested and built against this workspace's
// packages, outside the workspace as an outside author's plugin is.
import { spawnSync } from "node:child_process"
import {
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
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"

const root = join(__dirname, "../../..")
const scaffolder = join(root, "packages/create-plugin")
const guide = readFileSync(join(root, "docs/plugins.md"), "utf8")
const blocks = [...guide.matchAll(/```ts\n\/\/ file: (\S+)\n([\s\S]*?)```/g)].map(([, file, code]) => ({
  file: file as string,
  code: code as string,
}))
const pluginName = "whatsapp-mcp-plugin-chat-stats"

const work = mkdtempSync(join(tmpdir(), "wa-plugin-guide-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Runs a package's command file with node, as npm's command link for it would. */
const run = (
  file: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
) => {
  const result = spawnSync(
    process.execPath,
    [realpathSync(join(scaffolder, "node_modules", file)), ...args],
    {
      cwd,
      env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      encoding: "utf8",
      timeout: 180_000,
    },
  )
  return { status: result.status, output: result.stdout + result.stderr }
}

describe("the plugin guide, followed literally", () => {
  it("starts from the scaffolder, and has the plugin's files as code blocks", () => {
    expect(guide).toContain(`npx create-whatsapp-mcp-plugin ${pluginName}\n`)
    expect(guide).toContain("pnpm pack:all --out")
    expect(blocks.map((b) => b.file).sort()).toEqual([
      "src/StatsOptions.ts",
      "src/StatsQueries.ts",
      "src/index.ts",
      "src/tools/chat-stats.ts",
      "src/tools/share-chat-stats.ts",
      "test/chat-stats.test.ts",
    ])
  })

  it("produces a plugin that typechecks, passes its own tests and builds", async () => {
    const dir = join(work, pluginName)
    const scaffold = spawnSync(process.execPath, [join(scaffolder, "dist/bin.js"), pluginName], {
      cwd: work,
      encoding: "utf8",
    })
    expect(scaffold.stderr).toBe("")
    expect(scaffold.status).toBe(0)
    for (const { file, code } of blocks) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), code)
    }
    // What `npm install` would put there, from this workspace instead of the registry.
    symlinkSync(join(scaffolder, "node_modules"), join(dir, "node_modules"))

    const typecheck = run("typescript/bin/tsc", ["-p", "tsconfig.json"], dir)
    expect(typecheck.output).toBe("")
    expect(typecheck.status).toBe(0)

    // The first run after adding tools, as the guide says: it writes their toolsnaps.
    const first = run("vitest/vitest.mjs", ["run"], dir, { ...process.env, UPDATE_TOOLSNAPS: "1" })
    expect(first.output, first.output).toMatch(/Tests\s+11 passed/)
    expect(first.status).toBe(0)
    expect(readdirSync(join(dir, "test/__toolsnaps__")).sort()).toEqual([
      "chat_stats.snap.json",
      "message_counts.snap.json",
      "share_chat_stats.snap.json",
    ])
    // The scaffolded tool's snapshot is the one the scaffolder wrote.
    expect(readFileSync(join(dir, "test/__toolsnaps__/message_counts.snap.json"), "utf8")).toBe(
      readFileSync(join(scaffolder, "template/test/__toolsnaps__/message_counts.snap.json"), "utf8"),
    )

    const build = run("typescript/bin/tsc", ["-p", "tsconfig.build.json"], dir)
    expect(build.output).toBe("")
    expect(build.status).toBe(0)
    expect(existsSync(join(dir, "dist/tools/share-chat-stats.d.ts"))).toBe(true)
    const built = (await import(pathToFileURL(join(dir, "dist/index.js")).href)) as {
      default: { name: string; tools: ReadonlyArray<{ name: string }> }
    }
    expect(built.default.name).toBe("chat-stats")
    expect(built.default.tools.map((tool) => tool.name)).toEqual([
      "message_counts",
      "chat_stats",
      "share_chat_stats",
    ])
    // tsc twice and a nested vitest run: on a busy machine this takes longer than the default timeout.
  }, 360_000)
})
