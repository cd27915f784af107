/**
 * A resource template is a plain value, like a tool: a URI template such as
 * `whatsapp://chat/{jid}`, a way to list the concrete resources a client can offer the user, and a
 * way to read one. Clients show resources for the user to attach to a conversation.
 */
import type { Effect } from "effect"
import type { Failure } from "./Tool.js"

/** One concrete resource, as resources/list returns it. */
export interface Listed {
  readonly uri: string
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly mimeType?: string
}

/** The content of a resource, as resources/read returns it. */
export interface Contents {
  readonly text: string
  readonly mimeType?: string
}

/**
 * What a subscription to a resource follows in the store: the server watches the store and tells a
 * subscribed client when it changed. `Chat`: new messages stored in the chat (under any of `jids`,
 * the forms one chat may be stored under), and a chat that appears in the store. `Unread`: the
 * unread state of any chat (a new unread message, a chat read or marked unread).
 */
export type Watch =
  | { readonly _tag: "Chat"; readonly jids: ReadonlyArray<string> }
  | { readonly _tag: "Unread" }

/** Follows the chat stored under any of `jids`. */
export const watchChat = (jids: ReadonlyArray<string>): Watch => ({ _tag: "Chat", jids })

/** Follows which chats are unread and their unread messages. */
export const watchUnread: Watch = { _tag: "Unread" }

export interface ResourceTemplate<E extends Failure, R> {
  readonly _tag: "ResourceTemplate"
  /** RFC 6570 level-1 template: `{name}` placeholders, each matching one path segment. */
  readonly uriTemplate: string
  readonly name: string
  readonly title: string
  readonly description: string
  readonly mimeType: string
  /** The concrete resources to offer (bounded: clients show them in a picker). */
  readonly list?: Effect.Effect<ReadonlyArray<Listed>, E, R>
  /** Reads the resource whose URI matched the template; `params` holds the decoded placeholders. */
  readonly read: (params: Readonly<Record<string, string>>, uri: string) => Effect.Effect<Contents, E, R>
  /**
   * Makes the resource subscribable: what a subscription to the URI follows. A typed failure
   * refuses the subscription with its message (a URI that names nothing the resource can be).
   * A resource that lists items and can be watched also announces new chats (list_changed).
   */
  readonly watch?: (params: Readonly<Record<string, string>>, uri: string) => Effect.Effect<Watch, E, R>
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of resources needs the widest element type
export type Any = ResourceTemplate<Failure, any>

export const make = <E extends Failure = never, R = never>(
  definition: Omit<ResourceTemplate<E, R>, "_tag">,
): ResourceTemplate<E, R> => ({ _tag: "ResourceTemplate", ...definition })

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")

/** Matches a URI against a template; the placeholders' values are URI-decoded. */
export const match = (uriTemplate: string, uri: string): Readonly<Record<string, string>> | undefined => {
  const names: Array<string> = []
  const pattern = uriTemplate
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part) => {
      const placeholder = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part)
      if (placeholder === null) return escapeRegExp(part)
      names.push(placeholder[1] as string)
      return "([^/]+)"
    })
    .join("")
  const found = new RegExp(`^${pattern}$`).exec(uri)
  if (found === null) return undefined
  const params: Record<string, string> = {}
  try {
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(found[i + 1] as string)
    })
  } catch {
    return undefined
  }
  return params
}

/** Fills a template's placeholders, URI-encoding each value. */
export const expand = (uriTemplate: string, params: Readonly<Record<string, string>>): string =>
  uriTemplate.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? ""),
  )
