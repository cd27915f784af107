/**
 * The user's limits on sending, applied before any request reaches the bridge: the recipient
 * allowlist (compared in canonical form, a LID and its phone number being the same person), the
 * folders files may be read from (checked on the opened file, with the bridge's own check), sizes,
 * lengths, a per-minute send budget measured with the Effect `Clock`, and the person's confirmation
 * of each send where their client can ask for it.
 */
import { homedir } from "node:os"
import { dirname, resolve } from "node:path"
import type { SqlClient, SqlError } from "@effect/sql"
import {
  type Confirmation,
  InvalidArgument,
  Jid,
  SendableFile,
  type Store,
  StoreQueries,
} from "@whatsapp-mcp/runtime"
import { Clock, Context, Duration, Effect, Either, Layer, Ref } from "effect"
import {
  FileNotAllowed,
  FileNotFound,
  FileTooLarge,
  RecipientNotAllowed,
  SendLimitReached,
  SendNotConfirmed,
  UnsupportedFile,
} from "./SendErrors.js"
import { defaults, type SendOptions } from "./SendOptions.js"
import { idempotencyKeyFor } from "./SendSchemas.js"

export type FileRefusal = FileNotAllowed | FileNotFound | FileTooLarge | UnsupportedFile | InvalidArgument

/** A file that may be sent, with what the person is shown of it before it goes. */
export interface CheckedFile {
  /** The real path: what was allowed is what the bridge reads. */
  readonly path: string
  /** The name it was asked for by. */
  readonly name: string
  readonly size: number
  /** Its first bytes, which tell its type. */
  readonly head: Uint8Array
}

/** Resolves the argument `argument`'s value `raw`, and refuses it when it is outside the allowlist. */
export type AllowlistCheck = (
  argument: string,
  raw: string,
) => Effect.Effect<
  StoreQueries.Resolved,
  InvalidArgument | RecipientNotAllowed | SqlError.SqlError,
  SqlClient.SqlClient
>

export interface SendPolicyService {
  /** Parses and resolves a recipient, and refuses one outside the allowlist. */
  readonly checkRecipient: AllowlistCheck
  /** Resolves a chat the store knows, and refuses one outside the allowlist. */
  readonly checkChat: AllowlistCheck
  /** Refuses text longer than `maxMessageLength`. */
  readonly checkText: (argument: string, text: string) => Effect.Effect<void, InvalidArgument>
  /** A file that may be sent (never one of `store`'s files), or why it may not. */
  readonly checkFile: (
    argument: string,
    path: string,
    store: Store.StoreService,
  ) => Effect.Effect<CheckedFile, FileRefusal>
  /** Takes one send from the per-minute budget. */
  readonly admitSend: Effect.Effect<void, SendLimitReached>
  /** Whether the person confirms each send (where the client can ask), and how long an answer may take. */
  readonly confirm: { readonly mode: "elicit" | "none"; readonly timeout: Duration.Duration }
}

export class SendPolicy extends Context.Tag("@whatsapp-mcp/plugin-send/SendPolicy")<
  SendPolicy,
  SendPolicyService
>() {}

const expandHome = (path: string): string =>
  path === "~" ? homedir() : path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : path

/** Characters of text as people count them (an emoji is one), not UTF-16 units. */
const characters = (text: string): number => {
  let count = 0
  for (const _ of text) count++
  return count
}

const fileRefusal = (
  argument: string,
  raw: string,
  refused: SendableFile.SendableFileRefused,
  roots: ReadonlyArray<string>,
): FileRefusal => {
  switch (refused.reason) {
    case "not_absolute":
      return new InvalidArgument({
        argument,
        problem: `"${raw}" is not an absolute path: give the full path of the file (e.g. ${roots[0]}/photo.jpg).`,
      })
    case "outside_roots":
      return new FileNotAllowed({ path: raw, roots })
    case "not_found":
      return new FileNotFound({ path: raw })
    case "too_large":
      return new FileTooLarge({ path: raw, size: refused.size ?? 0, limit: refused.limit ?? 0 })
    case "not_regular":
      return new UnsupportedFile({ path: raw, reason: "is not a regular file (a folder?)." })
    case "empty":
      return new UnsupportedFile({ path: raw, reason: "is empty." })
    case "store_file":
      return new UnsupportedFile({
        path: raw,
        reason:
          "is one of WhatsApp's own store files (messages, session keys or the bridge's token), which are never sent. Tell the user; do not try another way.",
      })
    case "linked":
      return new UnsupportedFile({
        path: raw,
        reason:
          "has other names on disk (hard links), which may be anywhere, so it is never sent. Ask the user to copy the file into the folder instead of linking it.",
      })
    case "unreadable":
      return new UnsupportedFile({ path: raw, reason: "cannot be read by the user running the MCP server." })
  }
}

const shown = (resolved: StoreQueries.Resolved): string =>
  resolved.phone !== undefined ? `+${resolved.phone}` : resolved.canonical

export const make = (options: SendOptions): Effect.Effect<SendPolicyService> =>
  Effect.gen(function* () {
    const maxFileBytes = options.maxFileBytes ?? defaults.maxFileBytes
    const maxMessageLength = options.maxMessageLength ?? defaults.maxMessageLength
    const perMinute = options.sendsPerMinute ?? defaults.sendsPerMinute
    // Decoding already checked every entry; an entry that still fails to parse allows nothing.
    const allowed = options.allowedRecipients?.flatMap((entry) =>
      Either.match(Jid.parse(entry), { onLeft: () => [], onRight: (identifier) => [identifier] }),
    )
    const roots = (options.allowedFileRoots ?? []).map((root) => resolve(expandHome(root)))
    const sendTimes = yield* Ref.make<ReadonlyArray<number>>([])

    const enforceAllowlist = (resolved: StoreQueries.Resolved) =>
      Effect.gen(function* () {
        if (allowed === undefined) return resolved
        // Resolved on each call: a LID ↔ phone mapping learnt since start-up counts at once.
        const allowedJids = new Set<string>()
        for (const identifier of allowed) {
          const entry = yield* StoreQueries.resolve(identifier)
          for (const jid of entry.jids) allowedJids.add(jid)
        }
        if (resolved.jids.some((jid) => allowedJids.has(jid))) return resolved
        return yield* new RecipientNotAllowed({ recipient: shown(resolved) })
      })

    const checkRecipient: SendPolicyService["checkRecipient"] = (argument, raw) =>
      StoreQueries.parseArgument(argument, raw).pipe(
        Effect.flatMap(
          (
            identifier,
          ): Effect.Effect<
            StoreQueries.Resolved,
            InvalidArgument | SqlError.SqlError,
            SqlClient.SqlClient
          > =>
            Jid.canReceiveMessages(identifier)
              ? StoreQueries.resolve(identifier)
              : Effect.fail(
                  new InvalidArgument({
                    argument,
                    problem: `"${raw}" is a ${identifier.kind}; messages go to a person or a group.`,
                  }),
                ),
        ),
        Effect.flatMap(enforceAllowlist),
      )

    const checkChat: SendPolicyService["checkChat"] = (argument, raw) =>
      StoreQueries.resolveChat(argument, raw).pipe(Effect.flatMap(enforceAllowlist))

    const checkText: SendPolicyService["checkText"] = (argument, text) => {
      const length = characters(text)
      return length <= maxMessageLength
        ? Effect.void
        : Effect.fail(
            new InvalidArgument({
              argument,
              problem: `it has ${length} characters, more than the ${maxMessageLength} allowed (plugins.send.maxMessageLength in the config file). Shorten it, or split it after checking with the user.`,
            }),
          )
    }

    const checkFile: SendPolicyService["checkFile"] = (argument, raw, store) =>
      Effect.gen(function* () {
        if (roots.length === 0) return yield* new FileNotAllowed({ path: raw, roots: [] })
        const path = expandHome(raw.trim())
        return yield* Effect.scoped(
          Effect.gen(function* () {
            const opened = yield* SendableFile.open(path, {
              roots,
              storeDir: dirname(store.path),
              maxBytes: maxFileBytes,
            })
            const head = yield* opened.head(64)
            return { path: opened.path, name: opened.name, size: opened.size, head }
          }),
        ).pipe(Effect.mapError((refused) => fileRefusal(argument, raw, refused, roots)))
      })

    const admitSend = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const wait = yield* Ref.modify(sendTimes, (times): readonly [number, ReadonlyArray<number>] => {
        const recent = times.filter((t) => now - t < 60_000)
        const oldest = recent[0]
        return recent.length >= perMinute && oldest !== undefined
          ? [Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)), recent]
          : [0, [...recent, now]]
      })
      if (wait > 0) return yield* new SendLimitReached({ limit: perMinute, retryInSeconds: wait })
    })

    const confirm = {
      mode: options.confirm ?? defaults.confirm,
      timeout: Duration.seconds(options.confirmTimeoutSeconds ?? defaults.confirmTimeoutSeconds),
    }

    return { checkRecipient, checkChat, checkText, checkFile, admitSend, confirm }
  })

export const layer = (options: SendOptions): Layer.Layer<SendPolicy> =>
  Layer.effect(SendPolicy, make(options))

/**
 * The checks every send to a recipient ends with, after the tool's own: the recipient resolved and
 * allowed, then the person's confirmation (`describe` says what they are asked), then one send
 * taken from the budget, last, so that a refused or declined send costs nothing. Returns the
 * canonical JID to send to and the idempotency key the send carries.
 */
export const admitSendTo = <R>(
  raw: string,
  idempotencyKey: string | undefined,
  confirmation: Confirmation.ConfirmationService,
  describe: (recipient: StoreQueries.Resolved) => Effect.Effect<string, SqlError.SqlError, R>,
): Effect.Effect<
  { readonly recipient: string; readonly key: string },
  InvalidArgument | RecipientNotAllowed | SendLimitReached | SendNotConfirmed | SqlError.SqlError,
  SendPolicy | SqlClient.SqlClient | R
> =>
  Effect.gen(function* () {
    const policy = yield* SendPolicy
    const recipient = yield* policy.checkRecipient("recipient", raw)
    yield* confirmSend(confirmation, describe(recipient))
    const key = yield* idempotencyKeyFor(idempotencyKey)
    yield* policy.admitSend
    return { recipient: recipient.canonical, key }
  })

/**
 * Asks the person, through the call's `confirmation`, to confirm a send described by `describe`,
 * when the config asks for it and the client can; fails, sending nothing, unless they accept. The
 * description is read from the store only when it is shown.
 */
export const confirmSend = <R>(
  confirmation: Confirmation.ConfirmationService,
  describe: Effect.Effect<string, SqlError.SqlError, R>,
): Effect.Effect<void, SendNotConfirmed | SqlError.SqlError, SendPolicy | R> =>
  Effect.gen(function* () {
    const { confirm } = yield* SendPolicy
    if (confirm.mode === "none" || !confirmation.available) return
    const message = yield* describe
    const outcome = yield* confirmation
      .ask({ message, timeout: confirm.timeout })
      .pipe(Effect.mapError((error) => new SendNotConfirmed({ answer: error })))
    if (outcome === "declined" || outcome === "cancelled") {
      return yield* new SendNotConfirmed({ answer: outcome })
    }
  })
