/**
 * Writes one Baileys event as one line of a recorded stream: `{"event": name, "data": payload}`
 * through `BufferJSON.replacer`, proto payloads through the WAProto schema so that replay revives
 * exactly what was recorded.
 */
import { BufferJSON, proto } from "@whiskeysockets/baileys"
import type { BaileysEvent } from "./BaileysEvent.js"
import { partialToJson, wholeToJson } from "./internal/ProtoJson.js"
import { isRecord } from "./internal/Shapes.js"

type JsonRecord = Record<string, unknown>

const messagesToJson = (messages: ReadonlyArray<object>) =>
  messages.map((message) => wholeToJson(proto.WebMessageInfo, message))

const keyedToJson = <T>(
  items: ReadonlyArray<JsonRecord>,
  field: string,
  type: Parameters<typeof partialToJson<T>>[0],
) =>
  items.map((item) => {
    const value = item[field]
    return isRecord(value) ? { ...item, [field]: partialToJson(type, value) } : item
  })

const payloadToJson = (event: BaileysEvent): unknown => {
  switch (event.event) {
    case "messaging-history.set":
      return {
        ...event.data,
        chats: event.data.chats.map((chat) => partialToJson(proto.Conversation, chat as JsonRecord)),
        messages: messagesToJson(event.data.messages),
      }
    case "messages.upsert":
      return { ...event.data, messages: messagesToJson(event.data.messages) }
    case "messages.update":
      return keyedToJson(event.data as unknown as ReadonlyArray<JsonRecord>, "update", proto.WebMessageInfo)
    case "messages.reaction":
      return keyedToJson(event.data as unknown as ReadonlyArray<JsonRecord>, "reaction", proto.Reaction)
    case "message-receipt.update":
      return keyedToJson(event.data as unknown as ReadonlyArray<JsonRecord>, "receipt", proto.UserReceipt)
    case "chats.upsert":
    case "chats.update":
      return event.data.map((chat) => partialToJson(proto.Conversation, chat as JsonRecord))
    default:
      return event.data
  }
}

// BufferJSON.replacer exactly, but only consulted for objects: most values in a history are strings
// and numbers, and skipping the call for them makes long histories encode noticeably faster.
const replacer = (key: string, value: unknown): unknown =>
  typeof value === "object" && value !== null ? BufferJSON.replacer(key, value) : value

/** One event as one line of JSON (`BufferJSON.replacer`), without the trailing newline. */
export const encodeRecordingLine = (event: BaileysEvent): string =>
  JSON.stringify({ event: event.event, data: payloadToJson(event) }, replacer)

/** A `//` comment line, e.g. naming the case the following lines cover. */
export const encodeRecordingComment = (text: string): string =>
  text
    .split(/\r?\n/)
    .map((line) => `// ${line}`)
    .join("\n")
