// The server starts from V8's code cache of its bundle: a start with a usable cache skips parsing
// and compiling, a missing, refused or damaged cache only makes a start slower, and the built server
// comes with a cache for the Node that built it.
import { spawn, spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { runCommonJs } from "../src/launcher/CodeCache.js"

const work = mkdtempSync(join(tmpdir(), "wa-code-cache-"))
// a copy of the built server beside the original, where `require("better-sqlite3")` still resolves
const serverCopy = mkdtempSync(join(resolve(__dirname, ".."), "test-bundle-"))
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
  rmSync(serverCopy, { recursive: true, force: true })
})

let bundles = 0
const bundle = (source: string) => {
  const dir = join(work, `bundle-${bundles++}`)
  mkdirSync(dir)
  const file = join(dir, "program.cjs")
  writeFileSync(file, source)
  return { file, cache: join(dir, "program.v8cache") }
}

const program = `#!/usr/bin/env node
const { basename } = require("node:path")
module.exports = { twice: (n) => n * 2, file: basename(__filename), isModuleThis: this === module.exports }
`

describe("runCommonJs", () => {
  it("runs the bundle as Node would, and makes a cache only when it had none", () => {
    const { file, cache } = bundle(program)
    const first = runCommonJs(file, cache)
    expect(first.state).toBe("absent")
    expect(first.exports).toEqual({ twice: expect.any(Function), file: "program.cjs", isModuleThis: true })
    expect((first.exports as { twice: (n: number) => number }).twice(21)).toBe(42)
    expect(first.save()).toBe(true)
    expect(first.save()).toBe(false)
    expect(statSync(cache).size).toBeGreaterThan(0)

    const second = runCommonJs(file, cache)
    expect(second.state).toBe("used")
    expect((second.exports as { twice: (n: number) => number }).twice(4)).toBe(8)
    expect(second.save()).toBe(false)
  })

  it("runs without a damaged cache and replaces it", () => {
    const { file, cache } = bundle(program)
    writeFileSync(cache, "not a code cache")
    const run = runCommonJs(file, cache)
    expect(run.state).toBe("rejected")
    expect((run.exports as { twice: (n: number) => number }).twice(5)).toBe(10)
    expect(run.save()).toBe(true)
    expect(runCommonJs(file, cache).state).toBe("used")
  })

  it("refuses the cache of a bundle since edited, and runs the edited one", () => {
    const { file, cache } = bundle(program)
    runCommonJs(file, cache).save()
    writeFileSync(file, `${program}module.exports.added = true\n`)
    const run = runCommonJs(file, cache)
    expect(run.state).toBe("rejected")
    expect(run.exports).toMatchObject({ added: true })
  })

  it("still runs where the cache cannot be written", () => {
    const { file } = bundle(program)
    const cache = join(work, "no-such-directory", "program.v8cache")
    const run = runCommonJs(file, cache)
    expect(run.save()).toBe(false)
    expect(() => statSync(cache)).toThrow()
    expect(readdirSync(join(file, ".."))).toEqual(["program.cjs"])
  })

  it("leaves the bundle to Node's own loader when source maps are on, so that stack traces map", () => {
    const dir = join(work, "mapped")
    mkdirSync(dir)
    // a bundle whose map says its one line came from line 3 of original.ts
    writeFileSync(
      join(dir, "program.cjs"),
      'exports.fail = () => { throw new Error("mapped") }\n//# sourceMappingURL=program.cjs.map\n',
    )
    writeFileSync(
      join(dir, "program.cjs.map"),
      JSON.stringify({ version: 3, sources: ["original.ts"], names: [], mappings: "AAEA" }),
    )
    const script = `
      const { runCommonJs } = await import(${JSON.stringify(resolve(__dirname, "../dist/launcher/CodeCache.js"))})
      const run = runCommonJs(${JSON.stringify(join(dir, "program.cjs"))}, ${JSON.stringify(join(dir, "program.v8cache"))})
      try { run.exports.fail() } catch (error) { console.log(run.state, error.stack.split("\\n")[1]) }`
    const output = spawnSync(
      process.execPath,
      ["--enable-source-maps", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
      },
    )
    expect(output.stdout).toMatch(/^off .*original\.ts:3/)
    expect(readdirSync(dir).sort()).toEqual(["program.cjs", "program.cjs.map"])
  })

  it("lets an error of the bundle through", () => {
    const { file, cache } = bundle('throw new Error("the bundle failed")\n')
    expect(() => runCommonJs(file, cache)).toThrow("the bundle failed")
  })
})

/** Starts the server, asks what a client asks first, closes its stdin; resolves with its answers. */
const startAndStop = (bin: string) =>
  new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, [bin, "--store", mkdtempSync(join(work, "store-"))], {
      stdio: ["pipe", "pipe", "ignore"],
    })
    let answers = ""
    child.stdout.on("data", (chunk) => {
      answers += chunk
      if (answers.includes('"id":2')) child.stdin.end()
    })
    child.on("error", fail)
    child.on("exit", () => done(answers))
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
    send({
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
    })
    send({ method: "notifications/initialized" })
    send({ id: 2, method: "tools/list" })
  })

describe("the built server", () => {
  const built = resolve(__dirname, "../dist/bundle")
  const caches = (dir: string) => readdirSync(dir).filter((file) => file.endsWith(".v8cache"))

  it("comes with a code cache for this Node, which a start uses as it is", async () => {
    const [cache, ...others] = caches(built)
    expect(others).toEqual([])
    expect(cache).toMatch(
      new RegExp(`^whatsapp-mcp\\.[0-9a-f]{16}\\.node-${process.version}-${process.arch}\\.v8cache$`),
    )
    for (const file of ["whatsapp-mcp.mjs", "whatsapp-mcp.cjs", cache ?? ""])
      copyFileSync(join(built, file), join(serverCopy, file))
    const before = statSync(join(serverCopy, cache ?? "")).mtimeMs
    expect(await startAndStop(join(serverCopy, "whatsapp-mcp.mjs"))).toMatch(/"list_messages"/)
    expect(statSync(join(serverCopy, cache ?? "")).mtimeMs).toBe(before)
  })

  it("makes its cache again on a start without one", async () => {
    for (const file of caches(serverCopy)) rmSync(join(serverCopy, file))
    expect(await startAndStop(join(serverCopy, "whatsapp-mcp.mjs"))).toMatch(/"list_messages"/)
    expect(caches(serverCopy)).toEqual(caches(built))
  })
})
