// docs/plugins.md is followed literally: its code blocks are written into a fresh plugin
// directory, typechecked against the runtime's published types, and its tests run with vitest.
import { spawnSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { dirname, join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"

const root = join(__dirname, "../../..")
const guide = readFileSync(join(root, "docs/plugins.md"), "utf8")
const blocks = [...guide.matchAll(/```ts\n\/\/ file: (\S+)\n([\s\S]*?)```/g)].map(([, file, code]) => ({
  file: file as string,
  code: code as string,
}))

// Inside the workspace so that the plugin resolves the runtime as an installed dependency would.
mkdirSync(join(root, "examples/.guide-walkthrough"), { recursive: true })
const dir = mkdtempSync(join(root, "examples/.guide-walkthrough/chat-stats-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the plugin guide, followed literally", () => {
  it("has the plugin's files as code blocks", () => {
    expect(blocks.map((b) => b.file).sort()).toEqual([
      "src/StatsOptions.ts",
      "src/StatsQueries.ts",
      "src/index.ts",
      "src/tools/chat-stats.ts",
      "test/chat-stats.test.ts",
    ])
  })

  it("produces a plugin that typechecks and passes its own tests", () => {
    for (const { file, code } of blocks) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), code)
    }
    // The example plugin's dependencies are the ones the guide's package.json asks for.
    symlinkSync(join(root, "examples/plugin-digest/node_modules"), join(dir, "node_modules"))
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../../tsconfig.base.json",
        compilerOptions: { noEmit: true },
        include: ["src", "test"],
      }),
    )
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
      encoding: "utf8",
    })
    expect(tsc.stdout + tsc.stderr).toBe("")
    expect(tsc.status).toBe(0)

    // A config of its own, so that the workspace's vitest config is not picked up from above.
    writeFileSync(
      join(dir, "vitest.config.mjs"),
      'export default { test: { include: ["test/**/*.test.ts"] } }\n',
    )
    const vitest = spawnSync(
      process.execPath,
      [
        join(root, "node_modules/vitest/vitest.mjs"),
        "run",
        "--root",
        dir,
        "--config",
        join(dir, "vitest.config.mjs"),
      ],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          NO_COLOR: "1",
          FORCE_COLOR: "0",
          UPDATE_TOOLSNAPS: "1",
          WHATSAPP_MCP_FIXTURES: join(root, "fixtures"),
        },
        timeout: 120_000,
      },
    )
    const output = vitest.stdout + vitest.stderr
    expect(output, output).toMatch(/Tests\s+4 passed/)
    expect(vitest.status).toBe(0)
    expect(existsSync(join(dir, "test/__toolsnaps__/chat_stats.snap.json"))).toBe(true)
    expect(readdirSync(join(dir, "test/__toolsnaps__"))).toEqual(["chat_stats.snap.json"])
    // tsc and a nested vitest run: on a busy machine this takes longer than the default timeout.
  }, 240_000)
})
