/**
 * The send plugin's part of the config file (`plugins.send`): who may receive messages, which
 * folders files may be sent from, the limits that keep a steered model from doing much harm, and
 * whether the person confirms each send.
 */
import { Jid, Limits } from "@whatsapp-mcp/runtime"
import { Either, Schema } from "effect"

const RecipientEntry = Schema.String.pipe(
  Schema.filter((entry) =>
    Either.match(Jid.parse(entry), {
      onLeft: (problem) => `not a recipient: ${problem}`,
      onRight: (identifier) =>
        Jid.canReceiveMessages(identifier)
          ? true
          : `"${entry}" is a ${identifier.kind} JID; only people and groups can be allowed`,
    }),
  ),
).annotations({
  description: "A phone number with country code (any formatting), a phone JID, a LID or a group JID.",
})

const FileRoot = Schema.String.pipe(
  Schema.filter((root) =>
    root === "~" || root.startsWith("~/") || root.startsWith("/")
      ? true
      : `"${root}" must be an absolute directory or start with ~/ (e.g. "~/outbox")`,
  ),
).annotations({ description: "A directory (absolute, or starting with ~/) files may be sent from." })

const PositiveInt = (max: number) => Schema.Int.pipe(Schema.between(1, max))

export const SendOptions = Schema.Struct({
  allowedRecipients: Schema.optional(
    Schema.Array(RecipientEntry).annotations({
      title: "a list of phone numbers, phone JIDs, LIDs or group JIDs",
      description:
        "Only these people and groups can receive messages, files, voice notes and reactions. Default: anyone.",
    }),
  ),
  allowedFileRoots: Schema.optional(
    Schema.Array(FileRoot).annotations({
      title: "a list of folders",
      description:
        "send_file and send_audio_message read only files below these directories (symlinks followed). Default: none, so file sending is off.",
    }),
  ),
  maxFileBytes: Schema.optional(
    PositiveInt(2 * 1024 * 1024 * 1024).annotations({
      description: "Largest file send_file and send_audio_message send, in bytes. Default: 64 MiB.",
    }),
  ),
  maxMessageLength: Schema.optional(
    PositiveInt(Limits.MaxTextLength).annotations({
      description: "Longest message or caption, in characters. Default: 4096.",
    }),
  ),
  sendsPerMinute: Schema.optional(
    PositiveInt(1000).annotations({
      description: "Messages, files, voice notes and reactions sent per minute, at most. Default: 10.",
    }),
  ),
  confirm: Schema.optional(
    Schema.Literal("elicit", "none").annotations({
      title: '"elicit" or "none"',
      description:
        'Whether the person confirms each send in their MCP client first. "elicit": the client shows the recipient and the content and the person accepts or declines (clients that cannot ask send as with "none"). "none": send without asking. Default: "elicit".',
    }),
  ),
  confirmTimeoutSeconds: Schema.optional(
    Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(3600)).annotations({
      title: "a number of seconds, at most 3600",
      description:
        "How long a confirmation waits for the person's answer; without one, nothing is sent. Default: 120.",
    }),
  ),
})
export type SendOptions = typeof SendOptions.Type

export const defaults = {
  maxFileBytes: 64 * 1024 * 1024,
  maxMessageLength: 4096,
  sendsPerMinute: 10,
  confirm: "elicit",
  confirmTimeoutSeconds: 120,
} as const
