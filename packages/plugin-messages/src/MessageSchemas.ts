/**
 * The message as the messages tools return it, and its one-line text rendering. Fields a message
 * does not have (a file, a reply, reactions…) are left out rather than null: a page of messages is
 * a third smaller, for the client to parse and for a model to read. Message content is
 * other people's words, and so are their names: the rendering prints every value a sender chose
 * through `Render`, as quoted data that can never read as instructions or as extra lines.
 */
import { Jid, Params, Render } from "@whatsapp-mcp/runtime"
import { Schema, Struct } from "effect"

export const MediaType = Schema.Literal("image", "video", "audio", "voice", "document", "sticker")

export const DeliveryStatus = Schema.Literal("error", "pending", "sent", "delivered", "read", "played")

export const Quoted = Schema.Struct({
  id: Schema.String,
  sender: Schema.String.annotations({
    description: 'Name of the quoted message\'s sender, "You" for the user.',
  }),
  from_me: Schema.Boolean.annotations({ description: "The user wrote the quoted message." }),
  snippet: Schema.NullOr(Schema.String).annotations({
    description: "The start of the quoted message, or null when it is not in the store.",
  }),
})

export const Reaction = Schema.Struct({
  emoji: Schema.String,
  sender: Schema.String.annotations({ description: 'Who reacted, "You" for the user.' }),
  sender_jid: Schema.NullOr(Schema.String).annotations({
    description: "JID of who reacted; null when it is not known (as for a message's sender_jid).",
  }),
  from_me: Schema.Boolean.annotations({ description: "The user reacted." }),
})

export const Message = Schema.Struct({
  id: Schema.String.annotations({ description: "The message id (unique within its chat)." }),
  chat_jid: Schema.String,
  chat_name: Schema.String,
  time: Schema.String.annotations({ description: "ISO-8601 with offset." }),
  sender: Schema.String.annotations({ description: 'Sender name, "You" for the user.' }),
  sender_jid: Schema.NullOr(Schema.String),
  from_me: Schema.Boolean,
  kind: Schema.String.annotations({
    description:
      "text, image, video, audio, voice, document, sticker, location, contact, poll, interactive (buttons, a list or a template, or the choice made in one), system (a WhatsApp notice), ciphertext (not decrypted yet), view_once (view-once media only the phone can open), unknown or other.",
  }),
  text: Schema.NullOr(Schema.String).annotations({
    description:
      "The text, or a media message's caption, or a notice's description; null for deleted messages and media without caption.",
  }),
  file_name: Schema.optional(Schema.String).annotations({ description: "Documents and other files." }),
  mimetype: Schema.optional(Schema.String).annotations({ description: "Media messages." }),
  location: Schema.optional(Schema.Struct({ latitude: Schema.Number, longitude: Schema.Number })).annotations(
    {
      description: "Location messages: where.",
    },
  ),
  poll_options: Schema.optional(Schema.Array(Schema.String)).annotations({
    description: "Polls: the options (the question is in text).",
  }),
  quoted: Schema.optional(Quoted).annotations({ description: "The message this one replies to." }),
  reactions: Schema.optional(Schema.Array(Reaction)).annotations({
    description: "Who reacted, oldest first.",
  }),
  edited: Schema.Boolean.annotations({ description: "The sender edited it; text is the latest version." }),
  deleted: Schema.Boolean.annotations({
    description: "Deleted for everyone by its sender; its content is gone.",
  }),
  status: Schema.optional(DeliveryStatus).annotations({
    description: "Delivery status of the user's own messages.",
  }),
})
export type Message = typeof Message.Type

/** How many messages to show on one side of another, `fallback` unless given; the bound is said with the words. */
export const neighbourCount = (max: number, fallback: number, words: string) =>
  Params.withDefault(Params.IntBetween(0, max), fallback, `${words}, a whole number from 0 to ${max}.`)

/**
 * A message shown around another one (context, a conversation): always in that message's chat,
 * which is said once there rather than again on every neighbour.
 */
export const Neighbour = Schema.Struct(Struct.omit(Message.fields, "chat_jid", "chat_name"))
export type Neighbour = typeof Neighbour.Type

/** `message` as a neighbour of another message of its chat. */
export const asNeighbour = ({ chat_jid: _jid, chat_name: _name, ...neighbour }: Message): Neighbour =>
  neighbour

/** Bounds on what one message prints, so one long field cannot crowd out the rest of a page. */
const maxText = 300
const maxName = 60

/** Who wrote something: the user bare, as `You`; anyone else by their quoted name, which they chose. */
const who = (name: string, fromMe: boolean): string => (fromMe ? "You" : Render.quote(name, maxName))

/**
 * The start of a replied-to message: cut with `…` but without the count of what is left out that
 * `Render.quote` adds, since the whole message is one get_message_context call away.
 */
const maxReplied = 30
const replied = (snippet: string): string => {
  const chars = Array.from(snippet)
  // an escape takes at most 10 characters: room for every one of them
  return chars.length <= maxReplied
    ? Render.quote(snippet, maxReplied * 10)
    : Render.quote(`${chars.slice(0, maxReplied).join("").trimEnd()}…`, maxReplied * 10 + 1)
}

/**
 * Where a line stands. `shown`: the ids printed on the same page, of which a reply names the
 * message by its id alone (its sender and text are on their own line already). `person`: in a
 * direct chat, the other person's JID: what they wrote, replied to or reacted carries no name, as
 * the chat's heading named them and anything else there is the user's, `You`.
 */
export interface LineContext {
  readonly shown?: ReadonlySet<string>
  readonly person?: string
}

/** The content part of a message's line: quoted text, its kind and file, and what happened to it. */
export const renderContent = (m: Neighbour, context: LineContext = {}): string => {
  if (m.deleted) return "(deleted)"
  const parts: Array<string> = []
  if (m.kind === "system") return `<notice> ${Render.quote(m.text ?? "")}`
  if (m.kind !== "text")
    parts.push(
      m.file_name !== undefined
        ? `<${Render.token(m.kind)} ${Render.quote(m.file_name, 80)}>`
        : `<${Render.token(m.kind)}>`,
    )
  if (m.text !== null && m.text !== "") parts.push(Render.quote(m.text, maxText))
  if (m.location !== undefined) parts.push(`at ${m.location.latitude},${m.location.longitude}`)
  if (m.poll_options !== undefined)
    parts.push(`options ${m.poll_options.map((option) => Render.quote(option, 60)).join(" ")}`)
  if (m.quoted !== undefined) {
    const id = `#${Render.token(m.quoted.id)}`
    if (context.shown?.has(m.quoted.id) === true) parts.unshift(`↩ ${id} →`)
    else {
      // in a direct chat a replied-to message is the user's or the other person's
      const author =
        context.person !== undefined && !m.quoted.from_me ? "" : `${who(m.quoted.sender, m.quoted.from_me)} `
      const snippet = m.quoted.snippet === null ? "" : `${replied(m.quoted.snippet)} `
      parts.unshift(`↩ ${author}${snippet}${id} →`)
    }
  }
  if (m.edited) parts.push("(edited)")
  if (m.reactions !== undefined)
    parts.push(
      `[${m.reactions
        .map((r) =>
          !r.from_me && r.sender_jid !== null && r.sender_jid === context.person
            ? Render.reaction(r.emoji)
            : `${Render.reaction(r.emoji)} ${who(r.sender, r.from_me)}`,
        )
        .join(", ")}]`,
    )
  if (m.status !== undefined) parts.push(`(${m.status})`)
  return parts.join(" ")
}

/**
 * One line per message: time, sender, content, `#id`. `previousTime`, the time of the line printed
 * just before, leaves out what it shares with it (see `Render.time`).
 */
export const renderMessage = (m: Neighbour, previousTime?: string, context: LineContext = {}): string => {
  const sender =
    !m.from_me && m.sender_jid !== null && m.sender_jid === context.person
      ? ""
      : `${who(m.sender, m.from_me)}: `
  return `${Render.time(m.time, previousTime)} ${sender}${renderContent(m, context)} #${Render.token(m.id)}`
}

/**
 * How to read message lines, for the descriptions of the tools that print them: said once in the
 * tool list rather than again in every result.
 */
export const lineFormat =
  "The text result has one line per message under a heading naming its chat: time (only what changed since the line above), sender, quoted content, #id (the message id that replies, reactions and downloads take). In a direct chat the other person is not named: a line, reply or reaction without a name is theirs; the user is You."

/**
 * A chat as a heading above its messages: its quoted name, and what identifies it to every tool
 * (a direct chat by the person's phone number, which the tools take as they take its JID).
 */
export const renderChatHeading = (name: string, jid: string): string => {
  const phone = Jid.phoneOf(jid)
  return `Chat ${Render.quote(name, 80)} ${phone === undefined ? Render.token(jid) : `+${phone}`}`
}

/**
 * The lines of a listing of messages: a chat heading whenever the chat changes, each time with
 * only what differs from the line above, replies to a message in `shown` (the page's ids) by its
 * id alone, and in a direct chat the other person unnamed (see `LineContext`).
 */
export const messageLines = (shown?: ReadonlySet<string>) => {
  const lines: Array<string> = []
  let chat: string | undefined
  let context: LineContext = { ...(shown === undefined ? {} : { shown }) }
  let previousTime: string | undefined
  return {
    lines,
    chat: (name: string, jid: string) => {
      if (jid === chat) return
      lines.push(renderChatHeading(name, jid))
      chat = jid
      const kind = Jid.kindOf(jid)
      context = {
        ...(shown === undefined ? {} : { shown }),
        ...(kind === "phone" || kind === "lid" ? { person: jid } : {}),
      }
    },
    message: (m: Neighbour, prefix = "", suffix = "") => {
      lines.push(`${prefix}${renderMessage(m, previousTime, context)}${suffix}`)
      previousTime = m.time
    },
    push: (line: string) => lines.push(line),
  }
}
