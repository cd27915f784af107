/**
 * Opens a file that is about to be sent, once, and checks what was opened rather than the name it
 * was asked for: a regular file with no other hard link, none of the store's own files, whose real
 * path lies inside an allowed folder. The MCP side and the bridge both call it, and the bridge sends
 * the bytes it reads from this descriptor, so a name swapped for a symlink after a check changes
 * nothing. Loads no Baileys.
 */
import { type BigIntStats, constants } from "node:fs"
import { type FileHandle, open as openFile, readlink, realpath, stat } from "node:fs/promises"
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path"
import type { Readable } from "node:stream"
import { Data, Effect, type Scope } from "effect"
import { StoreFileNames } from "./StoreSchema.js"

/** Why a file may not be sent; each side words it for its own user. */
export type Refusal =
  /** the path is relative: which folder it is relative to is anyone's guess */
  | "not_absolute"
  /** the real path is outside every allowed folder, or no folder is allowed */
  | "outside_roots"
  /** nothing there (reported only below an allowed folder: elsewhere it reads `outside_roots`) */
  | "not_found"
  /** a folder, a device, a pipe or a socket */
  | "not_regular"
  | "empty"
  | "too_large"
  /** one of the store's files (messages, session keys, token, lock) or a file inside the store */
  | "store_file"
  /** the file has another name (a hard link) that may be anywhere, such as a store file or a secret */
  | "linked"
  /** the user running the process may not read it */
  | "unreadable"

export class SendableFileRefused extends Data.TaggedError("SendableFileRefused")<{
  /** The path as it was asked for. */
  readonly path: string
  readonly reason: Refusal
  /** For `too_large`: the file's size and the limit, in bytes. */
  readonly size?: number
  readonly limit?: number
}> {
  override get message(): string {
    return `${this.path} may not be sent (${this.reason.replace("_", " ")}).`
  }
}

export interface SendableFileOptions {
  /** Absolute folders files may be sent from; a missing folder allows nothing; none: nothing may be sent. */
  readonly roots: ReadonlyArray<string>
  /** The store directory: nothing inside it, and none of its files under any other name, is sent. */
  readonly storeDir?: string
  /** Further files never sent under any name (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
  /** Largest size accepted, in bytes. */
  readonly maxBytes?: number
}

/** An opened file that passed every check; the descriptor stays open for the caller's scope. */
export interface SendableFile {
  /** The real path of what was opened. */
  readonly path: string
  /** The file's name as it was asked for, e.g. a document's name for its recipient. */
  readonly name: string
  readonly size: number
  /** Up to `length` bytes from the start of the opened file. */
  readonly head: (length: number) => Effect.Effect<Uint8Array, SendableFileRefused>
  /** The opened file's `size` bytes, read from the descriptor. */
  readonly stream: () => Readable
}

/** True when `file` is `dir` or below it; both absolute and already resolved. */
export const isInside = (dir: string, file: string): boolean => {
  const rel = relative(dir, file)
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

/** A file-system call whose failure (missing, unreadable, malformed) only means "no answer". */
const probe = <A>(run: () => Promise<A>): Effect.Effect<A | undefined> =>
  Effect.promise(async () => {
    try {
      return await run()
    } catch {
      return undefined
    }
  })

// Non-blocking: opening a named pipe for reading would otherwise wait for a writer forever.
const readFlags = constants.O_RDONLY | (constants.O_NOCTTY ?? 0) | (constants.O_NONBLOCK ?? 0)

/**
 * Where the opened descriptor really points. Linux names it in /proc; elsewhere the real path of
 * the name counts only if it leads to the very file that was opened.
 */
const openedPath = async (
  handle: FileHandle,
  real: string,
  info: BigIntStats,
): Promise<string | undefined> => {
  if (process.platform === "linux") {
    const named = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined)
    if (named !== undefined && isAbsolute(named)) return named.replace(/ \(deleted\)$/, "")
  }
  const again = await realpath(real).catch(() => undefined)
  if (again === undefined) return undefined
  const now = await stat(again, { bigint: true }).catch(() => undefined)
  return now !== undefined && now.dev === info.dev && now.ino === info.ino ? again : undefined
}

/** Opens `rawPath` for sending, for the life of the scope, or says why it may not be sent. */
export const open = (
  rawPath: string,
  options: SendableFileOptions,
): Effect.Effect<SendableFile, SendableFileRefused, Scope.Scope> =>
  Effect.gen(function* () {
    const refuse = (reason: Refusal, sizes: { size?: number; limit?: number } = {}) =>
      Effect.fail(new SendableFileRefused({ path: rawPath, reason, ...sizes }))
    if (!isAbsolute(rawPath)) return yield* refuse("not_absolute")
    const roots = options.roots.map((root) => resolve(root))
    const realRoots = (yield* Effect.forEach(roots, (root) => probe(() => realpath(root)))).filter(
      (root): root is string => root !== undefined,
    )
    const real = yield* probe(() => realpath(rawPath))
    if (real === undefined) {
      // Only below an allowed folder does "not found" say anything: elsewhere, whether a file
      // exists is none of the caller's business.
      const lexical = resolve(rawPath)
      const below = [...roots, ...realRoots].some((root) => isInside(root, lexical))
      return yield* refuse(below ? "not_found" : "outside_roots")
    }
    // Checked before opening too: a file outside is never opened at all.
    if (!realRoots.some((root) => isInside(root, real))) return yield* refuse("outside_roots")

    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => openFile(real, readFlags),
        catch: (error) => {
          const code = (error as NodeJS.ErrnoException).code
          return new SendableFileRefused({
            path: rawPath,
            reason: code === "ENOENT" || code === "ENOTDIR" ? "not_found" : "unreadable",
          })
        },
      }),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined)),
    )
    const info = yield* Effect.tryPromise({
      try: () => handle.stat({ bigint: true }),
      catch: () => new SendableFileRefused({ path: rawPath, reason: "unreadable" }),
    })
    if (!info.isFile()) return yield* refuse("not_regular")
    const opened = yield* Effect.promise(() => openedPath(handle, real, info))
    if (opened === undefined || !realRoots.some((root) => isInside(root, opened))) {
      return yield* refuse("outside_roots")
    }
    if (options.storeDir !== undefined) {
      const storeDir = resolve(options.storeDir)
      const realStore = (yield* probe(() => realpath(storeDir))) ?? storeDir
      if (isInside(realStore, opened)) return yield* refuse("store_file")
    }
    const guarded = [
      ...(options.storeDir === undefined
        ? []
        : StoreFileNames.map((name) => join(resolve(options.storeDir ?? ""), name))),
      ...(options.protectedFiles ?? []),
    ]
    for (const file of guarded) {
      const other = yield* probe(() => stat(file, { bigint: true }))
      if (other !== undefined && other.dev === info.dev && other.ino === info.ino) {
        return yield* refuse("store_file")
      }
    }
    if (info.nlink > 1n) return yield* refuse("linked")
    const size = Number(info.size)
    if (size === 0) return yield* refuse("empty")
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      return yield* refuse("too_large", { size, limit: options.maxBytes })
    }
    return {
      path: opened,
      name: basename(rawPath),
      size,
      head: (length) =>
        Effect.tryPromise({
          try: async () => {
            const buffer = Buffer.alloc(Math.min(length, size))
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
            return buffer.subarray(0, bytesRead)
          },
          catch: () => new SendableFileRefused({ path: rawPath, reason: "unreadable" }),
        }),
      // The scope closes the descriptor; the stream must not close it first.
      stream: () => handle.createReadStream({ start: 0, end: size - 1, autoClose: false }),
    } satisfies SendableFile
  })
