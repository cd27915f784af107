/**
 * The bearer token that guards the HTTP API: random, kept in `<store>/bridge-token` with mode 0600
 * inside a store directory of mode 0700, so only the user who runs the bridge can read it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { FileSystem, Path } from "@effect/platform"
import { BridgeTokenFileName } from "@whatsapp-mcp/core/api"
import { Data, Effect, Redacted } from "effect"

export class BridgeTokenError extends Data.TaggedError("BridgeTokenError")<{
  readonly path: string
  readonly message: string
}> {}

const TokenPattern = /^[A-Za-z0-9_-]{32,256}$/

/** 32 random bytes, base64url: 43 characters, safe in a header and a shell. */
export const generateToken = (): string => randomBytes(32).toString("base64url")

/** Creates the store directory (0700) if needed and tightens it if it is wider. */
export const ensureStoreDirectory = (storeDir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const fail = (what: string) => (cause: unknown) =>
      new BridgeTokenError({
        path: storeDir,
        message: `Cannot ${what} the store directory ${storeDir}: ${String(cause)}`,
      })
    yield* fs.makeDirectory(storeDir, { recursive: true, mode: 0o700 }).pipe(Effect.mapError(fail("create")))
    const info = yield* fs.stat(storeDir).pipe(Effect.mapError(fail("read")))
    if (info.type !== "Directory") {
      return yield* new BridgeTokenError({
        path: storeDir,
        message: `${storeDir} exists and is not a directory.`,
      })
    }
    if ((info.mode & 0o077) !== 0) {
      yield* fs.chmod(storeDir, 0o700).pipe(Effect.mapError(fail("restrict")))
    }
  })

/**
 * Reads `<store>/bridge-token`, creating it when missing (or replacing it when it does not hold a
 * token) and restricting it to mode 0600 when it is readable by others.
 */
export const loadOrCreateToken = (storeDir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    yield* ensureStoreDirectory(storeDir)
    const file = path.join(storeDir, BridgeTokenFileName)
    const fail = (what: string) => (cause: unknown) =>
      new BridgeTokenError({
        path: file,
        message: `Cannot ${what} the bridge token ${file}: ${String(cause)}`,
      })
    if (yield* fs.exists(file).pipe(Effect.mapError(fail("check")))) {
      const info = yield* fs.stat(file).pipe(Effect.mapError(fail("read")))
      if ((info.mode & 0o077) !== 0) {
        yield* fs.chmod(file, 0o600).pipe(Effect.mapError(fail("restrict")))
      }
      const existing = (yield* fs.readFileString(file).pipe(Effect.mapError(fail("read")))).trim()
      if (TokenPattern.test(existing)) return Redacted.make(existing)
      yield* Effect.logWarning(`The bridge token in ${file} is malformed; writing a new one.`)
      yield* fs.remove(file).pipe(Effect.mapError(fail("replace")))
    }
    const token = generateToken()
    // "wx": never follow a planted symlink or overwrite a file created in between.
    yield* fs
      .writeFileString(file, `${token}\n`, { mode: 0o600, flag: "wx" })
      .pipe(Effect.mapError(fail("write")))
    return Redacted.make(token)
  })

/** Compares in constant time; hashing first makes the lengths equal. */
export const tokenMatches = (expected: Redacted.Redacted<string>, presented: string): boolean => {
  const a = createHash("sha256").update(Redacted.value(expected)).digest()
  const b = createHash("sha256").update(presented).digest()
  return timingSafeEqual(a, b)
}
