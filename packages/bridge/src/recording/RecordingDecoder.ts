/**
 * Turns one line of a recorded stream into the event a live socket would have delivered (Buffers
 * for bytes, WAProto instances for messages), or into a MalformedLine saying what is wrong with it.
 */
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import { describeError } from "../logging/ErrorDescription.js"
import type { BaileysEvent, BaileysEventName } from "./BaileysEvent.js"
import { partialFromJson, wholeFromJson } from "./internal/ProtoJson.js"
import {
  array,
  boolean,
  fail,
  type JsonRecord,
  messageKey,
  number,
  optional,
  record,
  ShapeProblem,
  string,
} from "./internal/Shapes.js"
import { MalformedLine, RecordedEvent, type RecordedLine } from "./RecordedLine.js"
import { type ParsedLine, parseRecordingLine } from "./RecordingLineParser.js"

/** Runs a WAProto conversion, reporting the schema's complaint (e.g. "object expected") as the reason. */
const viaSchema = <A>(at: string, convert: () => A): A => {
  try {
    return convert()
  } catch (error) {
    return fail(
      `${at} does not fit the WAProto schema: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

const message = (value: unknown, at: string): proto.IWebMessageInfo => {
  const json = record(value, at)
  messageKey(json.key, `${at}.key`)
  return viaSchema(at, () => wholeFromJson(proto.WebMessageInfo, json))
}

const messages = (value: unknown, at: string): Array<proto.IWebMessageInfo> =>
  array(value, at).map((item, i) => message(item, `${at}[${i}]`))

const withId = (value: unknown, at: string): JsonRecord => {
  const item = record(value, at)
  string(item.id, `${at}.id`)
  return item
}

const listWithIds = (value: unknown, at: string): Array<JsonRecord> =>
  array(value, at).map((item, i) => withId(item, `${at}[${i}]`))

// A live chats.update may carry messages (`[{message: WebMessageInfo}]`): each is revived like an
// upserted one, so the key fields Baileys adds beside the schema (`remoteJidAlt`…) survive.
const partialChats = (value: unknown, at: string): Array<JsonRecord> =>
  listWithIds(value, at).map((chat, i) => {
    const { messages: items, ...fields } = chat
    const conversation = viaSchema(`${at}[${i}]`, () => partialFromJson(proto.Conversation, fields))
    if (items === undefined || items === null) return conversation
    return {
      ...conversation,
      messages: array(items, `${at}[${i}].messages`).map((item, j) => ({
        message: message(
          record(item, `${at}[${i}].messages[${j}]`).message,
          `${at}[${i}].messages[${j}].message`,
        ),
      })),
    }
  })

const enumNumber = (values: object, value: unknown, at: string): number => {
  if (typeof value === "number") return value
  const byName = typeof value === "string" ? (values as Record<string, unknown>)[value] : undefined
  return typeof byName === "number" ? byName : fail(`${at} must be one of ${Object.keys(values).join(", ")}`)
}

const oneOf = <A extends string>(value: unknown, at: string, choices: ReadonlyArray<A>): A =>
  choices.includes(value as A) ? (value as A) : fail(`${at} must be one of ${choices.join(", ")}`)

const keyedUpdates = (
  value: unknown,
  at: string,
  field: string,
  revive: (json: JsonRecord, at: string) => unknown,
): Array<JsonRecord> =>
  array(value, at).map((item, i) => {
    const entry = record(item, `${at}[${i}]`)
    messageKey(entry.key, `${at}[${i}].key`)
    entry[field] = revive(record(entry[field], `${at}[${i}].${field}`), `${at}[${i}].${field}`)
    return entry
  })

const keyOf = (key: { remoteJid?: unknown; id?: unknown; fromMe?: unknown }) =>
  `${String(key.remoteJid)}\u0000${String(key.id)}\u0000${key.fromMe === true}`

/**
 * History chats as processHistoryMessage leaves them: Conversation instances whose `messages` is a
 * plain `[{message}]` holding the very message object that is also in the set's messages.
 */
const historyChats = (value: unknown, revived: ReadonlyArray<proto.IWebMessageInfo>) => {
  const byKey = new Map(revived.map((message) => [keyOf(message.key ?? {}), message]))
  return listWithIds(value, "data.chats").map((chat, i) => {
    const at = `data.chats[${i}]`
    const { messages: items, ...fields } = chat
    const conversation = viaSchema(at, () => wholeFromJson(proto.Conversation, fields))
    if (items !== undefined && items !== null) {
      conversation.messages = array(items, `${at}.messages`).map((item, j) => {
        const json = record(record(item, `${at}.messages[${j}]`).message, `${at}.messages[${j}].message`)
        const key = record(json.key, `${at}.messages[${j}].message.key`)
        return { message: byKey.get(keyOf(key)) ?? message(json, `${at}.messages[${j}].message`) }
      })
    }
    return conversation
  })
}

/** Messages already revived elsewhere (a decoding worker), given in place of `data.messages`. */
type Reviver = (data: unknown, revivedMessages?: Array<proto.IWebMessageInfo>) => unknown

const anyObject: Reviver = (data) => {
  if (typeof data !== "object" || data === null) fail("data must be an object or an array")
  return data
}

const revivers: Partial<Record<BaileysEventName, Reviver>> = {
  "messaging-history.set": (data, revivedMessages) => {
    const set = record(data, "data")
    const revived = revivedMessages ?? messages(set.messages, "data.messages")
    set.messages = revived
    set.chats = historyChats(set.chats, revived)
    listWithIds(set.contacts, "data.contacts")
    optional(set.lidPnMappings, "data.lidPnMappings", (mappings, at) => {
      for (const [i, mapping] of array(mappings, at).entries()) {
        const pair = record(mapping, `${at}[${i}]`)
        string(pair.lid, `${at}[${i}].lid`)
        string(pair.pn, `${at}[${i}].pn`)
      }
    })
    optional(set.isLatest, "data.isLatest", boolean)
    optional(set.progress, "data.progress", number)
    optional(set.chunkOrder, "data.chunkOrder", number)
    if (set.syncType !== undefined && set.syncType !== null) {
      set.syncType = enumNumber(proto.HistorySync.HistorySyncType, set.syncType, "data.syncType")
    }
    if (set.pastParticipants !== undefined && set.pastParticipants !== null) {
      set.pastParticipants = array(set.pastParticipants, "data.pastParticipants").map((item, i) =>
        viaSchema(`data.pastParticipants[${i}]`, () =>
          wholeFromJson(proto.PastParticipants, record(item, `data.pastParticipants[${i}]`)),
        ),
      )
    }
    return set
  },
  "messaging-history.status": (data) => {
    const status = record(data, "data")
    status.syncType = enumNumber(proto.HistorySync.HistorySyncType, status.syncType, "data.syncType")
    oneOf(status.status, "data.status", ["complete", "paused"])
    return status
  },
  "messages.upsert": (data, revivedMessages) => {
    const upsert = record(data, "data")
    upsert.messages = revivedMessages ?? messages(upsert.messages, "data.messages")
    oneOf(upsert.type, "data.type", ["append", "notify"])
    optional(upsert.requestId, "data.requestId", string)
    return upsert
  },
  "messages.update": (data) =>
    keyedUpdates(data, "data", "update", (update, at) =>
      viaSchema(at, () => partialFromJson(proto.WebMessageInfo, update)),
    ),
  "messages.reaction": (data) =>
    keyedUpdates(data, "data", "reaction", (reaction, at) =>
      viaSchema(at, () => partialFromJson(proto.Reaction, reaction)),
    ),
  "message-receipt.update": (data) =>
    keyedUpdates(data, "data", "receipt", (receipt, at) =>
      viaSchema(at, () => partialFromJson(proto.UserReceipt, receipt)),
    ),
  "messages.delete": (data) => {
    const deletion = record(data, "data")
    if ("keys" in deletion) {
      for (const [i, key] of array(deletion.keys, "data.keys").entries()) messageKey(key, `data.keys[${i}]`)
    } else {
      string(deletion.jid, "data.jid")
      if (deletion.all !== true) fail('data must carry "keys", or "jid" with "all": true')
    }
    return deletion
  },
  "messages.media-update": (data) => {
    for (const [i, item] of array(data, "data").entries())
      messageKey(record(item, `data[${i}]`).key, `data[${i}].key`)
    return data
  },
  "chats.upsert": (data) => partialChats(data, "data"),
  "chats.update": (data) => partialChats(data, "data"),
  "chats.delete": (data) => {
    for (const [i, jid] of array(data, "data").entries()) string(jid, `data[${i}]`)
    return data
  },
  "contacts.upsert": (data) => listWithIds(data, "data"),
  "contacts.update": (data) => listWithIds(data, "data"),
  "groups.upsert": (data) =>
    listWithIds(data, "data").map((group, i) => {
      listWithIds(group.participants, `data[${i}].participants`)
      return group
    }),
  "groups.update": (data) => listWithIds(data, "data"),
  "group-participants.update": (data) => {
    const change = withId(data, "data")
    listWithIds(change.participants, "data.participants")
    oneOf(change.action, "data.action", ["add", "remove", "promote", "demote", "modify"])
    return change
  },
  "lid-mapping.update": (data) => {
    const mapping = record(data, "data")
    string(mapping.lid, "data.lid")
    string(mapping.pn, "data.pn")
    return mapping
  },
  "presence.update": (data) => withId(data, "data"),
  "connection.update": (data) => record(data, "data"),
  "creds.update": (data) => record(data, "data"),
}

/** Why an event's payload cannot be used, as a MalformedLine reason. */
const problemOf = (name: BaileysEventName, error: unknown): string =>
  `${name}: ${error instanceof ShapeProblem ? error.reason : describeError(error)}`

/**
 * Revives the `data.messages` of a message-carrying line as WAProto instances, or says why they
 * cannot be (the reason names the message, as a whole-line decode would). The data is not changed.
 */
export const reviveRecordedMessages = (
  parsed: ParsedLine,
): { readonly messages: Array<proto.IWebMessageInfo> } | { readonly reason: string } => {
  try {
    return { messages: messages(record(parsed.data, "data").messages, "data.messages") }
  } catch (error) {
    return { reason: problemOf(parsed.name, error) }
  }
}

/**
 * The second half: the event a live socket would have delivered, or why the line cannot be one.
 * For a message-carrying event, `revivedMessages` (from `reviveRecordedMessages`, possibly in
 * another thread) stands in for `data.messages`. Never throws.
 */
export const reviveRecordedLine = (
  parsed: ParsedLine,
  file: string,
  line: number,
  revivedMessages?: Array<proto.IWebMessageInfo>,
): RecordedLine => {
  try {
    const data = (revivers[parsed.name] ?? anyObject)(parsed.data, revivedMessages)
    return new RecordedEvent({ file, line, event: { event: parsed.name, data } as BaileysEvent })
  } catch (error) {
    return new MalformedLine({ file, line, reason: problemOf(parsed.name, error) })
  }
}

/**
 * Decodes one line. Blank lines and `//` comments give `undefined`; anything else gives the revived
 * event or a MalformedLine. Never throws.
 */
export const decodeRecordingLine = (text: string, file: string, line: number): RecordedLine | undefined => {
  const parsed = parseRecordingLine(text, file, line)
  return parsed === undefined || parsed instanceof MalformedLine
    ? parsed
    : reviveRecordedLine(parsed, file, line)
}
