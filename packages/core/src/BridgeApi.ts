/**
 * What the bridge's HTTP contract carries: every request and response Schema, and the one error
 * type with its stable codes. The endpoints themselves (method, path, which Schema goes where) are
 * `BridgeHttpApi` in `@whatsapp-mcp/core/http-api`, which the bridge's handlers and the MCP
 * server's client both derive from. This module needs only effect, so plugins can name the types
 * without the HTTP library. Loads no Baileys.
 */
import { Schema } from "effect"
import {
  MaxEmojiLength,
  MaxFilePathLength,
  MaxHistoryRequestCount,
  MaxHistoryWaitSeconds,
  MaxIdempotencyKeyLength,
  MaxIdentifierLength,
  MaxMessageIdLength,
  MaxMessageIdsPerRead,
  MaxTextLength,
} from "./Limits.js"

export const BridgeApiVersion = 1

/** The bearer token lives in this file inside the store directory (mode 0600). */
export const BridgeTokenFileName = "bridge-token"

export const DefaultBridgePort = 8080

/** Largest request body the bridge reads; anything bigger is refused with `payload_too_large`. */
export const MaxRequestBodyBytes = 256 * 1024

// ---------------------------------------------------------------------------------------------
// Errors

/** Stable error codes: clients branch on these, humans read the message. */
export const BridgeErrorCode = Schema.Literal(
  "bridge_unauthorized",
  "request_refused",
  "not_found",
  "method_not_allowed",
  "bad_request",
  "payload_too_large",
  "unsupported_content_type",
  "whatsapp_not_connected",
  "invalid_recipient",
  "not_on_whatsapp",
  "message_not_found",
  "no_messages_stored",
  "history_request_pending",
  "media_unavailable",
  "file_not_allowed",
  "file_not_found",
  "file_too_large",
  "unsupported_media",
  "conversion_failed",
  "rate_limited",
  "send_failed",
  "internal_error",
)
export type BridgeErrorCode = typeof BridgeErrorCode.Type

/** The HTTP status each code travels with. */
export const BridgeErrorStatus: { readonly [C in BridgeErrorCode]: number } = {
  bridge_unauthorized: 401,
  request_refused: 403,
  not_found: 404,
  method_not_allowed: 405,
  bad_request: 400,
  payload_too_large: 413,
  unsupported_content_type: 415,
  whatsapp_not_connected: 503,
  invalid_recipient: 400,
  not_on_whatsapp: 404,
  message_not_found: 404,
  no_messages_stored: 404,
  history_request_pending: 409,
  media_unavailable: 410,
  file_not_allowed: 403,
  file_not_found: 404,
  file_too_large: 413,
  unsupported_media: 415,
  conversion_failed: 422,
  rate_limited: 429,
  send_failed: 502,
  internal_error: 500,
}

/**
 * Every failure the bridge reports, on the wire as `{"error": {"code", "message", "field"?}}`.
 * `message` says what went wrong and what to do; `field` names the offending request field.
 */
export class BridgeError extends Schema.TaggedError<BridgeError>()("BridgeError", {
  code: BridgeErrorCode,
  message: Schema.String,
  field: Schema.optional(Schema.String),
}) {}

export const BridgeErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: BridgeErrorCode,
    message: Schema.String,
    field: Schema.optional(Schema.String),
  }),
})
export type BridgeErrorBody = typeof BridgeErrorBody.Type

export const bridgeErrorToBody = (error: BridgeError): BridgeErrorBody => ({
  error: {
    code: error.code,
    message: error.message,
    ...(error.field === undefined ? {} : { field: error.field }),
  },
})

// ---------------------------------------------------------------------------------------------
// Shared field Schemas

const NonBlank = (max: number, what: string) =>
  Schema.String.pipe(
    Schema.filter((s) => s.trim().length > 0, { message: () => `${what} must not be empty` }),
    Schema.maxLength(max, { message: () => `${what} must be at most ${max} characters` }),
  )

/** Phone number (digits with country code; `+`, spaces, dashes and brackets allowed), phone JID, LID or group JID. */
export const Recipient = NonBlank(MaxIdentifierLength, "recipient").annotations({
  description:
    "Phone number with country code, phone JID (…@s.whatsapp.net), LID (…@lid) or group JID (…@g.us)",
})
export const ChatJid = NonBlank(MaxIdentifierLength, "chat_jid")
export const MessageId = NonBlank(MaxMessageIdLength, "message_id")
export const IdempotencyKey = NonBlank(MaxIdempotencyKeyLength, "idempotency_key")
export const FilePath = NonBlank(MaxFilePathLength, "path")

// ---------------------------------------------------------------------------------------------
// Requests and responses

export const EmptyRequest = Schema.Struct({})

export const ConnectionState = Schema.Literal(
  "connecting",
  "open",
  "reconnecting",
  "logged_out",
  "outdated",
  "replaced",
  "failed",
  "stopped",
)
export type ConnectionState = typeof ConnectionState.Type

export const PairingState = Schema.Literal("paired", "awaiting_qr", "awaiting_pairing_code", "unpaired")
export type PairingState = typeof PairingState.Type

export const Health = Schema.Struct({
  status: Schema.Literal("ok"),
  mode: Schema.Literal("live", "replay"),
  connection: ConnectionState,
  /** Why the connection is in that state, when it is not simply open: what to do about it. */
  detail: Schema.NullOr(Schema.String),
  pairing: PairingState,
  own_jid: Schema.NullOr(Schema.String),
  last_disconnect: Schema.NullOr(
    Schema.Struct({ code: Schema.NullOr(Schema.Number), reason: Schema.String, at: Schema.Number }),
  ),
  reconnects: Schema.Number,
  store: Schema.Struct({ chats: Schema.Number, contacts: Schema.Number, messages: Schema.Number }),
  history_sync: Schema.Struct({
    active: Schema.Boolean,
    chunks: Schema.Number,
    messages: Schema.Number,
    /** Percentage WhatsApp reports for the current sync, when it reports one. */
    progress: Schema.NullOr(Schema.Number),
  }),
  /**
   * Set while connected when the link looks about to expire (nothing from WhatsApp for days: the
   * phone is probably offline, and WhatsApp unlinks devices whose phone stays away): what to do.
   */
  link_warning: Schema.optional(Schema.NullOr(Schema.String)),
  /** The WhatsApp Web version the bridge announces, and where it came from (absent: older bridges). */
  wa_web_version: Schema.optional(
    Schema.NullOr(
      Schema.Struct({ version: Schema.String, source: Schema.Literal("whatsapp", "stored", "baileys") }),
    ),
  ),
})
export type Health = typeof Health.Type

export const SendTextRequest = Schema.Struct({
  recipient: Recipient,
  text: NonBlank(MaxTextLength, "text"),
  reply_to_message_id: Schema.optional(MessageId),
  idempotency_key: Schema.optional(IdempotencyKey),
})
export type SendTextRequest = typeof SendTextRequest.Type

export const SendFileRequest = Schema.Struct({
  recipient: Recipient,
  path: FilePath,
  caption: Schema.optional(Schema.String.pipe(Schema.maxLength(MaxTextLength))),
  reply_to_message_id: Schema.optional(MessageId),
  idempotency_key: Schema.optional(IdempotencyKey),
})
export type SendFileRequest = typeof SendFileRequest.Type

export const SendVoiceRequest = Schema.Struct({
  recipient: Recipient,
  path: FilePath,
  idempotency_key: Schema.optional(IdempotencyKey),
})
export type SendVoiceRequest = typeof SendVoiceRequest.Type

export const SendResult = Schema.Struct({
  message_id: Schema.String,
  chat_jid: Schema.String,
  /** Unix seconds, UTC. */
  timestamp: Schema.Number,
  status: Schema.Literal("pending", "sent", "delivered", "read"),
  kind: Schema.String,
  /** True when an earlier send with the same idempotency key is being returned and nothing was sent. */
  duplicate: Schema.Boolean,
})
export type SendResult = typeof SendResult.Type

export const ReactRequest = Schema.Struct({
  chat_jid: ChatJid,
  message_id: MessageId,
  /** One emoji; the empty string removes the reaction. */
  emoji: Schema.String.pipe(
    Schema.maxLength(MaxEmojiLength, { message: () => "emoji must be a single emoji" }),
  ),
})
export type ReactRequest = typeof ReactRequest.Type

export const ReactResult = Schema.Struct({
  chat_jid: Schema.String,
  message_id: Schema.String,
  emoji: Schema.String,
  removed: Schema.Boolean,
})
export type ReactResult = typeof ReactResult.Type

export const MarkReadRequest = Schema.Struct({
  chat_jid: ChatJid,
  /** Omitted: every unread message in the chat. */
  message_ids: Schema.optional(
    Schema.Array(MessageId).pipe(
      Schema.maxItems(MaxMessageIdsPerRead, { message: () => `at most ${MaxMessageIdsPerRead} message_ids` }),
    ),
  ),
})
export type MarkReadRequest = typeof MarkReadRequest.Type

export const MarkReadResult = Schema.Struct({
  chat_jid: Schema.String,
  marked: Schema.Number,
})
export type MarkReadResult = typeof MarkReadResult.Type

export const MediaKind = Schema.Literal("image", "video", "audio", "voice", "document", "sticker")
export type MediaKind = typeof MediaKind.Type

export const DownloadRequest = Schema.Struct({
  chat_jid: ChatJid,
  message_id: MessageId,
  /**
   * Also answer with a picture a model can look at: the photo or sticker scaled down (a still of an
   * animated one), or the thumbnail a video message carries. Ignored for audio and documents.
   */
  preview: Schema.optional(Schema.Boolean),
})
export type DownloadRequest = typeof DownloadRequest.Type

/** The picture types every MCP client that shows images accepts. */
export const PreviewMimetype = Schema.Literal("image/jpeg", "image/png")
export type PreviewMimetype = typeof PreviewMimetype.Type

/** Where a preview's pixels came from. */
export const PreviewSource = Schema.Literal(
  /** the downloaded photo or sticker itself, scaled down */
  "file",
  /** the small thumbnail the sender's phone put in the message (all a video message carries) */
  "message_thumbnail",
)
export type PreviewSource = typeof PreviewSource.Type

/**
 * A picture of the media for a model to look at, within `MaxPreviewEdge` and `MaxPreviewBytes`
 * (`@whatsapp-mcp/core/limits`).
 */
export const MediaPreview = Schema.Struct({
  /** base64 */
  data: Schema.String,
  mimetype: PreviewMimetype,
  width: Schema.Number,
  height: Schema.Number,
  source: PreviewSource,
  /** The original's size, when the picture was scaled down from it. */
  original_width: Schema.optional(Schema.Number),
  original_height: Schema.optional(Schema.Number),
  /** The original moves (an animated sticker or GIF): this is its first frame. */
  still: Schema.optional(Schema.Boolean),
})
export type MediaPreview = typeof MediaPreview.Type

export const DownloadResult = Schema.Struct({
  path: Schema.String,
  mimetype: Schema.String,
  size: Schema.Number,
  sha256: Schema.String,
  kind: MediaKind,
  file_name: Schema.String,
  /** True when the file was already in the media cache. */
  cached: Schema.Boolean,
  /** When asked for and the media has a picture that could be read. */
  preview: Schema.optional(MediaPreview),
  /** Why no preview came back although one was asked for (the file is not a readable image…). */
  preview_problem: Schema.optional(Schema.String),
})
export type DownloadResult = typeof DownloadResult.Type

export const FetchHistoryRequest = Schema.Struct({
  chat_jid: ChatJid,
  /** How many messages before the oldest stored one to ask for; default the most. */
  count: Schema.optional(
    Schema.Int.pipe(
      Schema.between(1, MaxHistoryRequestCount, {
        message: () => `count must be a whole number from 1 to ${MaxHistoryRequestCount}`,
      }),
    ),
  ),
  /** How long to wait for the phone's answer before saying it is still coming; 0 returns at once. */
  wait_seconds: Schema.optional(
    Schema.Int.pipe(
      Schema.between(0, MaxHistoryWaitSeconds, {
        message: () => `wait_seconds must be a whole number from 0 to ${MaxHistoryWaitSeconds}`,
      }),
    ),
  ),
})
export type FetchHistoryRequest = typeof FetchHistoryRequest.Type

export const FetchHistoryResult = Schema.Struct({
  /** The chat as the store keys it. */
  chat_jid: Schema.String,
  /** The oldest message stored when the request was made: the phone is asked for what came before it. */
  before_message_id: Schema.String,
  /** Its time, Unix seconds UTC. */
  before: Schema.Number,
  requested: Schema.Number,
  /** True when the phone's answer was stored within the wait; false when it may still come. */
  answered: Schema.Boolean,
  /** Messages of the chat now stored from before `before`. */
  arrived: Schema.Number,
  /** The time of the oldest of them (Unix seconds UTC), null when none arrived. */
  oldest: Schema.NullOr(Schema.Number),
})
export type FetchHistoryResult = typeof FetchHistoryResult.Type

/**
 * When a client may repeat a call after a timeout or a lost connection without risking a second
 * effect on WhatsApp.
 */
export type RetryPolicy = "always" | "with_idempotency_key" | "never"
