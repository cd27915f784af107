// `--log-file`: a bridge left running for months keeps a bounded log, the newest lines in FILE.
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { RotatingLogFile } from "../src/logging/RotatingLogFile.js"

describe("RotatingLogFile", () => {
  it("shifts the file to FILE.1… once it passes the size and keeps only the newest few", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "wa-log-")), "bridge.log")
    const log = new RotatingLogFile(file, { maxBytes: 100, keep: 2 })
    for (let n = 0; n < 10; n++) log.write(`line ${n} ${"x".repeat(40)}\n`)
    log.close()
    expect(readFileSync(file, "utf8")).toMatch(/^line 8 .*\nline 9 /)
    expect(readFileSync(`${file}.1`, "utf8")).toMatch(/^line 6 .*\nline 7 /)
    expect(readFileSync(`${file}.2`, "utf8")).toMatch(/^line 4 /)
    expect(existsSync(`${file}.3`)).toBe(false)
    expect(statSync(file).mode & 0o077).toBe(0)
  })

  it("appends to what an earlier run wrote", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "wa-log-")), "bridge.log")
    const first = new RotatingLogFile(file)
    first.write("first run\n")
    first.close()
    const second = new RotatingLogFile(file)
    second.write("second run\n")
    second.close()
    expect(readFileSync(file, "utf8")).toBe("first run\nsecond run\n")
  })
})
