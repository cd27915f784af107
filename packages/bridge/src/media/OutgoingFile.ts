/**
 * Opens a file the bridge is asked to send, with the same check as the MCP side
 * (`SendableFile.open`: opened once, a regular file with one name, none of the store's files, inside
 * the folders given with `--allowed-file-roots`), tells its type from its first bytes and holds it
 * to WhatsApp's size limit for that type. What is sent is read from the opened descriptor.
 */
import { basename } from "node:path"
import { BridgeError } from "@whatsapp-mcp/core/api"
import { MaxBytesByKind, type SniffedType, sniff } from "@whatsapp-mcp/core/media-type"
import * as SendableFile from "@whatsapp-mcp/core/sendable-file"
import { Effect, type Scope } from "effect"

export interface OutgoingFile extends SendableFile.SendableFile {
  readonly type: SniffedType
}

export interface FilePolicy {
  /** Folders files may be sent from (`--allowed-file-roots`); none: the bridge sends no files. */
  readonly roots: ReadonlyArray<string>
  /** The store directory: never readable through a send. */
  readonly storeDir: string
  /** Further files never sent (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
}

/** The largest file WhatsApp takes of any type: nothing bigger is worth opening further. */
const largest = Math.max(...Object.values(MaxBytesByKind))

const refusal = (refused: SendableFile.SendableFileRefused, roots: ReadonlyArray<string>): BridgeError => {
  const path = refused.path
  const error = (code: BridgeError["code"], message: string) =>
    new BridgeError({ code, field: "path", message })
  switch (refused.reason) {
    case "not_absolute":
      return error("bad_request", `"${path}" is not an absolute path: give the full path of the file.`)
    case "outside_roots":
      return roots.length === 0
        ? error(
            "file_not_allowed",
            "The bridge sends no files: it was started without --allowed-file-roots. Restart it with --allowed-file-roots DIR, naming the folders files may be sent from (the same as plugins.send.allowedFileRoots in the MCP server's config).",
          )
        : error(
            "file_not_allowed",
            `${path} is outside the directories the bridge may send from (${roots.join(", ")}), once symlinks are followed.`,
          )
    case "not_found":
      return error("file_not_found", `No file at ${path}.`)
    case "unreadable":
      return error("file_not_found", `Cannot read ${path}.`)
    case "not_regular":
      return error("bad_request", `${path} is not a regular file.`)
    case "empty":
      return error("unsupported_media", `${path} is empty.`)
    case "too_large":
      return error(
        "file_too_large",
        `${path} is ${((refused.size ?? 0) / 1048576).toFixed(1)} MB; WhatsApp accepts files up to ${largest / 1048576} MB.`,
      )
    case "store_file":
      return error(
        "file_not_allowed",
        "Files of the bridge's store (it holds the WhatsApp session) and its log files cannot be sent, under any name.",
      )
    case "linked":
      return error(
        "file_not_allowed",
        `${path} has other names on disk (hard links), which may be anywhere: copy the file instead of linking it.`,
      )
  }
}

export const openOutgoingFile = (
  rawPath: string,
  policy: FilePolicy,
): Effect.Effect<OutgoingFile, BridgeError, Scope.Scope> =>
  Effect.gen(function* () {
    const file = yield* SendableFile.open(rawPath, {
      roots: policy.roots,
      storeDir: policy.storeDir,
      maxBytes: largest,
      ...(policy.protectedFiles === undefined ? {} : { protectedFiles: policy.protectedFiles }),
    })
    const type = sniff(yield* file.head(64), basename(file.path))
    const limit = MaxBytesByKind[type.kind]
    if (file.size > limit) {
      return yield* new BridgeError({
        code: "file_too_large",
        field: "path",
        message: `${rawPath} is ${(file.size / 1048576).toFixed(1)} MB; WhatsApp accepts ${type.kind} files up to ${limit / 1048576} MB.`,
      })
    }
    return { ...file, type } satisfies OutgoingFile
  }).pipe(Effect.catchTag("SendableFileRefused", (refused) => Effect.fail(refusal(refused, policy.roots))))
