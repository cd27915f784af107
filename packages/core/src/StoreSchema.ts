/**
 * The store's contract with its readers: file name, schema version and the closed sets of values
 * that columns hold. Loads no Baileys; `docs/store.md` describes every table and column.
 */
import { BridgeTokenFileName } from "./BridgeApi.js"

/** File name of the SQLite database inside the store directory. */
export const StoreFileName = "messages.db"

/** The linked-device session (creds and signal keys) and the idempotency ledger, beside the messages. */
export const SessionFileName = "session.db"

/** Holds the running bridge's process id: one bridge per store. */
export const LockFileName = "bridge.pid"

/** The pairing QR code, written while the bridge waits for a phone to link. */
export const PairingQrFileName = "pairing-qr.png"

/**
 * Every file of the store directory that holds messages, keys or secrets; SQLite's `-wal` and
 * `-shm` hold recent writes of each database.
 */
export const StoreFileNames: ReadonlyArray<string> = [
  StoreFileName,
  `${StoreFileName}-wal`,
  `${StoreFileName}-shm`,
  SessionFileName,
  `${SessionFileName}-wal`,
  `${SessionFileName}-shm`,
  BridgeTokenFileName,
  LockFileName,
  PairingQrFileName,
]

/**
 * Id of the newest migration. A reader that finds a lower `MAX(id)` in {@link StoreMigrationsTable}
 * is looking at a store the bridge has not upgraded yet.
 */
export const StoreSchemaVersion = 4

/** Table where `@effect/sql`'s Migrator records the applied migrations. */
export const StoreMigrationsTable = "effect_sql_migrations"

/** `messages.kind`: what the message is, after unwrapping ephemeral/view-once/document-with-caption. */
export const MessageKinds = [
  "text",
  "image",
  "video",
  "audio",
  /** an audio message recorded as a voice note (`ptt`) */
  "voice",
  "document",
  "sticker",
  "location",
  /** one or more contact cards; `text` holds the display name(s), `vcard` the cards */
  "contact",
  /** `text` holds the question, `poll_options` a JSON array of option names */
  "poll",
  /** a WhatsApp notice (group change, missed call…); `stub_type` and `stub_parameters` say which */
  "system",
  /** the message could not be decrypted yet; the real one replaces it under the same key */
  "ciphertext",
  /**
   * view-once media this device was not sent (WhatsApp delivers it to the phone only): it can be
   * opened there; the row has no content, and a real copy replaces it under the same key
   */
  "view_once",
  /** the content never reached the store (only a revoke or delete for it did) */
  "unknown",
  /**
   * buttons, lists and templates (business and bot messages) and the replies that pick one: `text`
   * holds what the person saw (title, body, footer, `[button]` labels, `- row` lines) or chose
   */
  "interactive",
  /** a message type the store does not break out into columns; `raw` has everything */
  "other",
] as const
export type MessageKind = (typeof MessageKinds)[number]

/** Kinds whose media can be downloaded (`media_key`, `media_direct_path` set). */
export const MediaMessageKinds = [
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
] as const satisfies ReadonlyArray<MessageKind>
export type MediaMessageKind = (typeof MediaMessageKinds)[number]

/**
 * Kinds of a row that stands in for a message the store does not have yet; the real message
 * replaces it under the same key, and a placeholder never replaces real content.
 */
export const PlaceholderMessageKinds = [
  "ciphertext",
  "view_once",
  "unknown",
] as const satisfies ReadonlyArray<MessageKind>

/** A closed set as an SQL list (`('a', 'b')`); the values are the fixed words above, never input. */
export const sqlList = (values: ReadonlyArray<MessageKind | MessageDeletion | ChatKind>): string =>
  `(${values.map((value) => `'${value}'`).join(", ")})`

/**
 * `messages.status`, WhatsApp's delivery status (proto `WebMessageInfo.Status`). Only ever rises:
 * a later, lower status never replaces a higher one.
 */
export const MessageStatus = {
  error: 0,
  pending: 1,
  serverAck: 2,
  delivered: 3,
  read: 4,
  played: 5,
} as const
export type MessageStatusValue = (typeof MessageStatus)[keyof typeof MessageStatus]

/**
 * `messages.deleted`: NULL for a normal message.
 * `revoked`: deleted for everyone by its sender; content columns and `raw` are NULL; show as
 * "this message was deleted", never with content.
 * `for_me`: deleted on this account only; readers hide the row entirely.
 */
export const MessageDeletion = { revoked: "revoked", forMe: "for_me" } as const
export const MessageDeletions = [MessageDeletion.revoked, MessageDeletion.forMe] as const
export type MessageDeletion = (typeof MessageDeletions)[number]

/**
 * The SQL condition every reader puts on `messages`: all rows but those the user deleted for
 * themselves (`IS NOT` keeps the NULLs of messages never deleted). `alias` is the name the
 * statement gives the `messages` table, if any.
 */
export const visibleToMe = (alias?: string): string =>
  `${alias === undefined ? "" : `${alias}.`}deleted IS NOT '${MessageDeletion.forMe}'`

/**
 * `messages.stub_type`: which WhatsApp notice a `system` row is (proto `WebMessageInfo.StubType`,
 * stored as its number). The bridge stores any value WhatsApp sends; these are the ones readers
 * name.
 */
export const StubTypes = {
  REVOKE: 1,
  CIPHERTEXT: 2,
  GROUP_CREATE: 20,
  GROUP_CHANGE_SUBJECT: 21,
  GROUP_CHANGE_ICON: 22,
  GROUP_CHANGE_INVITE_LINK: 23,
  GROUP_CHANGE_DESCRIPTION: 24,
  GROUP_CHANGE_RESTRICT: 25,
  GROUP_CHANGE_ANNOUNCE: 26,
  GROUP_PARTICIPANT_ADD: 27,
  GROUP_PARTICIPANT_REMOVE: 28,
  GROUP_PARTICIPANT_PROMOTE: 29,
  GROUP_PARTICIPANT_DEMOTE: 30,
  GROUP_PARTICIPANT_INVITE: 31,
  GROUP_PARTICIPANT_LEAVE: 32,
  GROUP_PARTICIPANT_CHANGE_NUMBER: 33,
  E2E_IDENTITY_CHANGED: 38,
  E2E_ENCRYPTED: 39,
  CALL_MISSED_VOICE: 40,
  CALL_MISSED_VIDEO: 41,
  INDIVIDUAL_CHANGE_NUMBER: 42,
  GROUP_DELETE: 43,
  CALL_MISSED_GROUP_VOICE: 45,
  CALL_MISSED_GROUP_VIDEO: 46,
  GROUP_PARTICIPANT_ADD_REQUEST_JOIN: 71,
  CHANGE_EPHEMERAL_SETTING: 72,
  VIEWED_ONCE: 74,
  BIZ_PRIVACY_MODE_INIT_FB: 126,
  BIZ_PRIVACY_MODE_INIT_BSP: 127,
  BIZ_PRIVACY_MODE_TO_FB: 128,
  BIZ_PRIVACY_MODE_TO_BSP: 129,
  GROUP_PARTICIPANT_ACCEPT: 140,
  GROUP_MEMBERSHIP_JOIN_APPROVAL_REQUEST: 144,
  SILENCED_UNKNOWN_CALLER_AUDIO: 169,
  SILENCED_UNKNOWN_CALLER_VIDEO: 170,
  PINNED_MESSAGE_IN_CHAT: 177,
} as const
export type StubTypeName = keyof typeof StubTypes

/** `chats.kind`, from the chat JID's server part. */
export const ChatKinds = ["direct", "group", "broadcast", "newsletter"] as const
export type ChatKind = (typeof ChatKinds)[number]

/** `contacts.display_name_source`: which of the contact's names `display_name` is. */
export const ContactNameSources = ["address_book", "verified_business", "push_name", "phone"] as const
export type ContactNameSource = (typeof ContactNameSources)[number]

/**
 * `chats.name_source`: where `chats.name` came from: a group's subject, the name WhatsApp gives the
 * chat, or else the person's own name, from the same sources as a contact's.
 */
export const ChatNameSources = ["subject", "chat", ...ContactNameSources] as const
export type ChatNameSource = (typeof ChatNameSources)[number]

/** `group_participants.role`. */
export const ParticipantRoles = ["member", "admin", "superadmin"] as const
export type ParticipantRole = (typeof ParticipantRoles)[number]

/** `history_sync_chunks.sync_type` / `history_sync_status.sync_type` (proto `HistorySync.HistorySyncType`). */
export const HistorySyncTypes = [
  "INITIAL_BOOTSTRAP",
  "INITIAL_STATUS_V3",
  "FULL",
  "RECENT",
  "PUSH_NAME",
  "NON_BLOCKING_DATA",
  "ON_DEMAND",
  "NO_HISTORY",
  "MESSAGE_ACCESS_STATUS",
] as const

/** Keys of the `account` table. */
export const AccountKeys = {
  /** the linked account's phone JID (`…@s.whatsapp.net`) */
  selfJid: "self_jid",
  /** the linked account's LID (`…@lid`) */
  selfLid: "self_lid",
  /** the account's own push name */
  selfName: "self_name",
} as const
