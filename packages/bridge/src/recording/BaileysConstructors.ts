/**
 * The parts of Baileys that build fixtures (protobuf classes, message constructors, history, media
 * and download functions), re-exported so that packages outside the bridge never import Baileys.
 */
export {
  BufferJSON,
  type Chat,
  type Contact,
  downloadContentFromMessage,
  encryptedStream,
  type GroupMetadata,
  type GroupParticipant,
  generateWAMessageFromContent,
  getContentType,
  jidNormalizedUser,
  type LIDMapping,
  type MediaType,
  type MessageUpsertType,
  makeEventBuffer,
  normalizeMessageContent,
  prepareWAMessageMedia,
  processHistoryMessage,
  proto,
  toNumber,
  type WAMediaUploadFunction,
  type WAMessage,
  WAMessageAddressingMode,
  type WAMessageKey,
  WAMessageStatus,
  WAMessageStubType,
} from "@whiskeysockets/baileys"
