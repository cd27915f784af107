/**
 * The bearer token that guards the HTTP API: random, kept in `<store>/bridge-token` with mode 0600
 * inside a store directory of mode 0700, so only the user who runs the bridge can read it.
 */
import { FileSystem, Path } from "@effect/platform"
import { BridgeTokenFileName } from "@whatsapp-mcp/core/api"
import * as TokenFile from "@whatsapp-mcp/core/token"
import { Data, Effect } from "effect"

export class BridgeTokenError extends Data.TaggedError("BridgeTokenError")<{
  readonly path: string
  readonly message: string
}> {}

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

const stepWords: Record<TokenFile.TokenFileStep, string> = {
  folder: "create the folder of",
  restrict: "restrict",
  read: "read",
  replace: "replace",
  write: "write",
}

/**
 * Reads `<store>/bridge-token`, creating it when missing (or replacing it when it does not hold a
 * token) and restricting it to mode 0600 when it is readable by others.
 */
export const loadOrCreateToken = (storeDir: string) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    yield* ensureStoreDirectory(storeDir)
    const file = path.join(storeDir, BridgeTokenFileName)
    const loaded = yield* Effect.try({
      try: () => TokenFile.loadOrCreate(file),
      catch: (error) => {
        const step = error instanceof TokenFile.TokenFileError ? error.step : "read"
        const cause = error instanceof TokenFile.TokenFileError ? error.cause : error
        return new BridgeTokenError({
          path: file,
          message: `Cannot ${stepWords[step]} the bridge token ${file}: ${String(cause)}`,
        })
      },
    })
    if (loaded.replaced)
      yield* Effect.logWarning(`The bridge token in ${file} is malformed; writing a new one.`)
    return loaded.token
  })
