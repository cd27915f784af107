/**
 * Refuses a store that someone else could read or change behind the bridge's back. A store folder
 * that was once open to others (0777, a shared disk) may hold files another user planted before the
 * first start: a `messages.db` they own, or a hard link to `session.db` from a folder of theirs.
 * Tightening the folder's mode does not close those, so each store file that exists must be the
 * running user's own, with no other name; one that others may read is restricted to 0600.
 */
import { chmodSync, lstatSync, readlinkSync, type Stats } from "node:fs"
import { join } from "node:path"
import { StoreFileNames } from "@whatsapp-mcp/core/store"
import { Data, Effect } from "effect"
import { describeError } from "./logging/ErrorDescription.js"

export class StoreFilesRefused extends Data.TaggedError("StoreFilesRefused")<{
  readonly file: string
  readonly message: string
}> {}

/** Folders the bridge writes inside the store (downloaded media, the replay CDN's uploads). */
const storeFolders = ["media", "replay-media"]

export interface StoreFileGuardOptions {
  /** The user who must own the store; default the user running the process. */
  readonly uid?: number
}

const lstatOrUndefined = (path: string): Stats | undefined => {
  try {
    return lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

const replaceHint = (file: string) =>
  `If you did not put it there, someone may be after your messages: remove it, or, if it holds your own data, replace it with a copy that is yours alone (with the bridge stopped: cp "${file}" "${file}.new" && mv "${file}.new" "${file}"), then start the bridge again.`

/** Checks the store directory and every store file in it; restricts the modes of the user's own. */
export const guardStoreFiles = (
  storeDir: string,
  options: StoreFileGuardOptions = {},
): Effect.Effect<void, StoreFilesRefused> =>
  Effect.try({
    try: () => {
      const uid = options.uid ?? process.getuid?.()
      const refuse = (file: string, problem: string) => {
        throw new StoreFilesRefused({
          file,
          message: `The store file ${file} ${problem} ${replaceHint(file)}`,
        })
      }
      const dir = lstatOrUndefined(storeDir)
      if (dir !== undefined && uid !== undefined && dir.uid !== uid) {
        throw new StoreFilesRefused({
          file: storeDir,
          message: `The store directory ${storeDir} belongs to user ${dir.uid}, not to the user running the bridge (${uid}), who could open it to others again. Use a store directory of your own (--store DIR).`,
        })
      }
      for (const name of [...StoreFileNames, ...storeFolders]) {
        const file = join(storeDir, name)
        const info = lstatOrUndefined(file)
        if (info === undefined) continue
        if (info.isSymbolicLink()) {
          refuse(
            file,
            `is a symbolic link (to ${readlinkSync(file)}): the bridge never opens its store through a link.`,
          )
        }
        if (uid !== undefined && info.uid !== uid) {
          refuse(
            file,
            `belongs to user ${info.uid}, not to the user running the bridge (${uid}): that user could read or change it.`,
          )
        }
        const folder = storeFolders.includes(name)
        if (folder ? !info.isDirectory() : !info.isFile()) {
          refuse(file, `is not a ${folder ? "folder" : "regular file"}.`)
        }
        if (!folder && info.nlink > 1) {
          refuse(
            file,
            `has ${info.nlink} names on disk (hard links): whoever can reach another name can read it.`,
          )
        }
        const mode = folder ? 0o700 : 0o600
        if ((info.mode & 0o077) !== 0) chmodSync(file, mode)
      }
    },
    catch: (error) =>
      error instanceof StoreFilesRefused
        ? error
        : new StoreFilesRefused({
            file: storeDir,
            message: `Cannot check the store files in ${storeDir} (${describeError(error)}).`,
          }),
  })
