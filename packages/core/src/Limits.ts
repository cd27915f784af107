/**
 * Sizes both sides of the bridge boundary check: the tools' parameters refuse what the bridge's
 * contract would refuse, with the same numbers, so a call that passes one passes the other.
 */

/** WhatsApp refuses text (a message or a caption) above this many characters. */
export const MaxTextLength = 65_536

/**
 * Longest identifier of a person or chat as people write it (a formatted phone number, a `tel:` or
 * `wa.me` link, a JID). Real ones are far shorter; the bound only keeps junk out.
 */
export const MaxIdentifierLength = 200

/** Longest message id accepted; WhatsApp's own are a few dozen characters. */
export const MaxMessageIdLength = 200

/**
 * How long the bridge remembers a send's idempotency key: a repeat within this window sends
 * nothing. The send tools tell the model the same number.
 */
export const IdempotencyWindowHours = 24

/** Longest idempotency key a send may carry. */
export const MaxIdempotencyKeyLength = 200

/** Longest path of a file to send (Linux's PATH_MAX). */
export const MaxFilePathLength = 4096

/** Most message ids one "mark as read" call may name. */
export const MaxMessageIdsPerRead = 1000

/** Longest reaction: one emoji, possibly a sequence joined by zero-width joiners and modifiers. */
export const MaxEmojiLength = 32

/**
 * Most messages one request for older history asks the phone for: WhatsApp's own clients ask for
 * at most this many at a time, and a phone may answer a bigger request with nothing.
 */
export const MaxHistoryRequestCount = 50

/** How long the bridge waits by default for the phone's answer to a request for older history. */
export const DefaultHistoryWaitSeconds = 20

/** The longest a caller may ask the bridge to wait for that answer. */
export const MaxHistoryWaitSeconds = 60

/**
 * Longest edge, in pixels, of a picture a tool returns for the model to see. Claude's vision scales
 * anything larger down to this before looking, so more pixels would only cost bytes.
 */
export const MaxPreviewEdge = 1568

/**
 * Most bytes of a picture a tool returns for the model to see (before base64). MCP clients refuse
 * or drop tool results with large images (some at 1 MB); a photo at the edge above, as JPEG, is
 * usually a few hundred KB, and is re-encoded smaller when it is not.
 */
export const MaxPreviewBytes = 1_000_000

/**
 * Most bytes of a message's own thumbnail the store keeps. WhatsApp's are a few KB; the sender sets
 * the field, so anything far larger is not a thumbnail and is not kept.
 */
export const MaxStoredThumbnailBytes = 64 * 1024
