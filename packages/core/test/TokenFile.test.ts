// The token file both servers keep: created once, private, reused, repaired, and compared safely.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as TokenFile from "../src/TokenFile.js"

const freshFile = () => join(mkdtempSync(join(tmpdir(), "wa-token-file-")), "store", "token")

describe("the token file", () => {
  it("is created with mode 0600 in a 0700 folder, then read back unchanged", () => {
    const file = freshFile()
    const made = TokenFile.loadOrCreate(file)
    expect(made.replaced).toBe(false)
    expect(Redacted.value(made.token)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(file, "..")).mode & 0o777).toBe(0o700)
    expect(readFileSync(file, "utf8")).toBe(`${Redacted.value(made.token)}\n`)
    const again = TokenFile.loadOrCreate(file)
    expect(Redacted.value(again.token)).toBe(Redacted.value(made.token))
    expect(again.replaced).toBe(false)
  })

  it("keeps a token others could read but takes their access away", () => {
    const file = freshFile()
    const token = Redacted.value(TokenFile.loadOrCreate(file).token)
    chmodSync(file, 0o644)
    expect(Redacted.value(TokenFile.loadOrCreate(file).token)).toBe(token)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it("replaces a file that holds no token and says so", () => {
    const file = join(mkdtempSync(join(tmpdir(), "wa-token-file-")), "token")
    writeFileSync(file, "short\n", { mode: 0o644 })
    const made = TokenFile.loadOrCreate(file)
    expect(made.replaced).toBe(true)
    expect(Redacted.value(made.token)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it("names the step that failed when its folder cannot be made", () => {
    const blocker = join(mkdtempSync(join(tmpdir(), "wa-token-file-")), "a-file")
    writeFileSync(blocker, "")
    const file = join(blocker, "token")
    expect(() => TokenFile.loadOrCreate(file)).toThrow(TokenFile.TokenFileError)
    try {
      TokenFile.loadOrCreate(file)
    } catch (error) {
      expect(error).toMatchObject({ _tag: "TokenFileError", step: "folder", path: file })
    }
  })

  it("accepts only the very token, whatever the length of what is presented", () => {
    const token = Redacted.make("a-token-of-the-right-kind-0123456789abcdef")
    expect(TokenFile.matches(token, "a-token-of-the-right-kind-0123456789abcdef")).toBe(true)
    expect(TokenFile.matches(token, "a-token-of-the-right-kind-0123456789abcdeF")).toBe(false)
    expect(TokenFile.matches(token, "")).toBe(false)
    expect(TokenFile.matches(token, `${Redacted.value(token)}x`)).toBe(false)
  })
})
