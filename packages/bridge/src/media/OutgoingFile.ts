/**
 * Checks a file before it is sent: the real path (symlinks followed) must be a regular file, inside
 * the configured roots when there are any, never inside the store (which holds the session keys),
 * and within WhatsApp's size limit for its kind.
 */
import { open, realpath, stat } from "node:fs/promises"
import { basename, isAbsolute, relative, resolve, sep } from "node:path"
import { Effect } from "effect"
import { BridgeError } from "../BridgeApi.js"
import { MaxBytesByKind, type SniffedType, sniff } from "./MediaSniffer.js"

export interface OutgoingFile {
  readonly path: string
  readonly fileName: string
  readonly size: number
  readonly type: SniffedType
}

export interface FilePolicy {
  /** Directories files may be sent from; undefined means any (the MCP side enforces its own roots). */
  readonly roots?: ReadonlyArray<string>
  /** The store directory: never readable through a send. */
  readonly storeDir: string
}

const isInside = (dir: string, file: string): boolean => {
  const rel = relative(dir, file)
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(`..${sep}`))
}

export const checkOutgoingFile = (rawPath: string, policy: FilePolicy) =>
  Effect.gen(function* () {
    if (!isAbsolute(rawPath)) {
      return yield* new BridgeError({
        code: "bad_request",
        field: "path",
        message: `"${rawPath}" is not an absolute path: give the full path of the file.`,
      })
    }
    const real = yield* Effect.tryPromise(() => realpath(rawPath)).pipe(
      Effect.mapError(
        () => new BridgeError({ code: "file_not_found", field: "path", message: `No file at ${rawPath}.` }),
      ),
    )
    const storeReal = yield* Effect.promise(() =>
      realpath(policy.storeDir).catch(() => resolve(policy.storeDir)),
    )
    if (isInside(storeReal, real)) {
      return yield* new BridgeError({
        code: "file_not_allowed",
        field: "path",
        message: "Files inside the bridge's store directory cannot be sent (it holds the WhatsApp session).",
      })
    }
    if (policy.roots !== undefined) {
      const roots = yield* Effect.promise(() =>
        Promise.all(policy.roots!.map((root) => realpath(root).catch(() => resolve(root)))),
      )
      if (!roots.some((root) => isInside(root, real))) {
        return yield* new BridgeError({
          code: "file_not_allowed",
          field: "path",
          message: `${rawPath} is outside the directories the bridge may send from (${policy.roots.join(", ")}).`,
        })
      }
    }
    const info = yield* Effect.tryPromise(() => stat(real)).pipe(
      Effect.mapError(
        () => new BridgeError({ code: "file_not_found", field: "path", message: `Cannot read ${rawPath}.` }),
      ),
    )
    if (!info.isFile()) {
      return yield* new BridgeError({
        code: "bad_request",
        field: "path",
        message: `${rawPath} is not a regular file.`,
      })
    }
    if (info.size === 0) {
      return yield* new BridgeError({
        code: "unsupported_media",
        field: "path",
        message: `${rawPath} is empty.`,
      })
    }
    const head = yield* Effect.tryPromise(async () => {
      const handle = await open(real, "r")
      try {
        const buffer = Buffer.alloc(64)
        const { bytesRead } = await handle.read(buffer, 0, 64, 0)
        return buffer.subarray(0, bytesRead)
      } finally {
        await handle.close()
      }
    }).pipe(
      Effect.mapError(
        () => new BridgeError({ code: "file_not_found", field: "path", message: `Cannot read ${rawPath}.` }),
      ),
    )
    const type = sniff(head, basename(real))
    const limit = MaxBytesByKind[type.kind]
    if (info.size > limit) {
      return yield* new BridgeError({
        code: "file_too_large",
        field: "path",
        message: `${rawPath} is ${(info.size / 1048576).toFixed(1)} MB; WhatsApp accepts ${type.kind} files up to ${limit / 1048576} MB.`,
      })
    }
    return { path: real, fileName: basename(rawPath), size: info.size, type } satisfies OutgoingFile
  })
