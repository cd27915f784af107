/**
 * The store's answers to Baileys' own questions while it runs a socket: a message retry needs the
 * raw message, a group send needs the group's metadata. Backed by the message store.
 */
import type { GroupMetadata, proto } from "@whiskeysockets/baileys"
import { Context, type Effect } from "effect"

export interface StoreLookupShape {
  readonly getMessage: (key: proto.IMessageKey) => Effect.Effect<proto.IMessage | undefined>
  readonly groupMetadata: (jid: string) => Effect.Effect<GroupMetadata | undefined>
}

export class StoreLookup extends Context.Tag("@whatsapp-mcp/bridge/StoreLookup")<
  StoreLookup,
  StoreLookupShape
>() {}
