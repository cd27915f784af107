/**
 * The bearer-token file both servers keep beside the store (the bridge's `bridge-token`, the MCP
 * server's `mcp-http-token`): random, mode 0600, created when missing or when it holds no token,
 * tightened when others can read it, and compared in constant time. Each server words its own
 * errors, so this reports only which step failed and why.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { Data, Redacted } from "effect"

/** What a token file may hold: long enough to be unguessable, safe in a header and a shell. */
export const TokenPattern = /^[A-Za-z0-9_-]{32,256}$/

/** Which step on the file failed: making its folder, restricting, reading, replacing or writing it. */
export type TokenFileStep = "folder" | "restrict" | "read" | "replace" | "write"

export class TokenFileError extends Data.TaggedError("TokenFileError")<{
  readonly path: string
  readonly step: TokenFileStep
  readonly cause: unknown
}> {}

export interface LoadedToken {
  readonly token: Redacted.Redacted<string>
  /** The file held something that is not a token and now holds a new one. */
  readonly replaced: boolean
}

/** 32 random bytes, base64url: 43 characters. */
export const generateToken = (): string => randomBytes(32).toString("base64url")

const attempt = <A>(path: string, step: TokenFileStep, run: () => A): A => {
  try {
    return run()
  } catch (cause) {
    throw new TokenFileError({ path, step, cause })
  }
}

/**
 * Reads the token in `file`, creating it (mode 0600, its folder 0700 when new) when missing or when
 * it does not hold a token. Synchronous, since both servers read it once before they listen.
 *
 * @throws TokenFileError naming the step that failed.
 */
export const loadOrCreate = (file: string): LoadedToken => {
  attempt(file, "folder", () => mkdirSync(dirname(file), { recursive: true, mode: 0o700 }))
  // existsSync answers false rather than throwing, so it needs no step of its own
  const replaced = existsSync(file)
  if (replaced) {
    const mode = attempt(file, "read", () => statSync(file).mode)
    if ((mode & 0o077) !== 0) attempt(file, "restrict", () => chmodSync(file, 0o600))
    const existing = attempt(file, "read", () => readFileSync(file, "utf8")).trim()
    if (TokenPattern.test(existing)) return { token: Redacted.make(existing), replaced: false }
    attempt(file, "replace", () => rmSync(file))
  }
  const token = generateToken()
  // "wx": never follow a planted symlink or overwrite a file created in between.
  attempt(file, "write", () => writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" }))
  return { token: Redacted.make(token), replaced }
}

/** Constant time: hashing first makes the lengths equal, so neither length nor content leaks. */
export const matches = (expected: Redacted.Redacted<string>, presented: string): boolean =>
  timingSafeEqual(
    createHash("sha256").update(Redacted.value(expected)).digest(),
    createHash("sha256").update(presented).digest(),
  )
