/**
 * The parts of Baileys that build fixtures (protobuf classes, message constructors, history and
 * media helpers), re-exported so that packages outside the bridge never import Baileys themselves.
 */
export {
  BufferJSON,
  type Chat,
  type Contact,
  encryptedStream,
  type GroupMetadata,
  type GroupParticipant,
  generateWAMessageFromContent,
  getContentType,
  jidNormalizedUser,
  type LIDMapping,
  normalizeMessageContent,
  processHistoryMessage,
  proto,
  toNumber,
  type WAMessage,
  type WAMessageKey,
  WAMessageStubType,
} from "@whiskeysockets/baileys"
