/**
 * The wrappers WhatsApp puts around a message's content (disappearing, view-once, document with a
 * caption, edited…), unwrapped as Baileys' `normalizeMessageContent` does. Kept here because that
 * function lives in the module of Baileys that loads its whole media and crypto stack: the
 * ingestion needs only this. A test compares the list with the one in the installed Baileys.
 */
import type { proto } from "@whiskeysockets/baileys/WAProto/index.js"

/** Fields whose value is `{ message }` wrapping the real content, in the order Baileys tries them. */
export const messageWrapperFields = [
  "ephemeralMessage",
  "viewOnceMessage",
  "documentWithCaptionMessage",
  "viewOnceMessageV2",
  "viewOnceMessageV2Extension",
  "editedMessage",
  "associatedChildMessage",
  "groupStatusMessage",
  "groupStatusMessageV2",
] as const satisfies ReadonlyArray<keyof proto.IMessage>

const wrapped = (
  message: proto.IMessage,
): { readonly message?: proto.IMessage | null } | null | undefined => {
  for (const field of messageWrapperFields) {
    const inner = message[field]
    if (inner) return inner
  }
  return undefined
}

/** The content inside a message's wrappers (at most five deep, as Baileys stops). */
export const unwrapMessage = (
  content: proto.IMessage | null | undefined,
): proto.IMessage | null | undefined => {
  if (!content) return undefined
  let current: proto.IMessage | null | undefined = content
  for (let i = 0; i < 5 && current; i++) {
    const inner = wrapped(current)
    if (!inner) break
    current = inner.message
  }
  return current
}
