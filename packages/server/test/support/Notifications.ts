// What a client hears of resource changes, and messages stored in a store by the bridge's ingestion.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import {
  type ReadResourceResult,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js"
import { storeFromStreams } from "@whatsapp-mcp/testkit"

/** Generous: the server promises 2 seconds, a loaded machine may take longer to run the test. */
export const notificationTimeoutMs = 20_000

/** Every resources/updated and list_changed notification a client received, in order. */
export class Heard {
  readonly events: Array<string> = []
  private waiters: Array<{ readonly event: string; readonly done: () => void }> = []

  constructor(client: Client) {
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) =>
      this.push(`updated ${notification.params.uri}`),
    )
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.push("list_changed"))
  }

  private push(event: string) {
    this.events.push(event)
    for (const waiter of this.waiters.filter((w) => w.event === event)) waiter.done()
    this.waiters = this.waiters.filter((w) => w.event !== event)
  }

  /** Resolves once `event` (`updated <uri>` or `list_changed`) is heard after `from` (an index in `events`). */
  until(event: string, from = 0): Promise<void> {
    if (this.events.slice(from).includes(event)) return Promise.resolve()
    return new Promise((done, fail) => {
      const timer = setTimeout(
        () =>
          fail(
            new Error(`no "${event}" within ${notificationTimeoutMs} ms; heard: ${this.events.join(", ")}`),
          ),
        notificationTimeoutMs,
      )
      this.waiters.push({
        event,
        done: () => {
          clearTimeout(timer)
          done()
        },
      })
    })
  }
}

export interface Incoming {
  readonly chat: string
  readonly text: string
  readonly at?: number
  readonly push?: string
}

let delivered = 0

/** Applies Baileys events (`{ event, data }`) to `storeDir` through the bridge's ingestion. */
export const deliverEvents = async (
  storeDir: string,
  events: ReadonlyArray<{ readonly event: string; readonly data: unknown }>,
): Promise<void> => {
  const file = join(mkdtempSync(join(tmpdir(), "wa-incoming-")), "incoming.jsonl")
  writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join("\n")}\n`)
  const { problems } = await storeFromStreams([file], { storeDir })
  if (problems.length > 0) throw new Error(`the ingestion skipped lines: ${problems.join("; ")}`)
}

/**
 * Stores messages from others in `storeDir` through the bridge's ingestion, as a live socket
 * delivers them; returns their keys.
 */
export const deliver = async (
  storeDir: string,
  messages: ReadonlyArray<Incoming>,
): Promise<Array<{ readonly remoteJid: string; readonly fromMe: false; readonly id: string }>> => {
  const keys = messages.map((m) => ({
    remoteJid: m.chat,
    fromMe: false as const,
    id: `3ATEST${String(++delivered).padStart(14, "0")}`,
  }))
  await deliverEvents(
    storeDir,
    messages.flatMap((m, i) => {
      const at = m.at ?? Math.floor(Date.now() / 1000)
      return [
        // As Baileys emits an incoming message: the chat's unread count goes up by one with it.
        { event: "chats.update", data: [{ id: m.chat, conversationTimestamp: at, unreadCount: 1 }] },
        {
          event: "messages.upsert",
          data: {
            messages: [
              {
                key: keys[i],
                message: { conversation: m.text },
                messageTimestamp: String(at),
                ...(m.push === undefined ? {} : { pushName: m.push }),
              },
            ],
            type: "notify",
          },
        },
      ]
    }),
  )
  return keys
}

/** The text of a resource as read. */
export const textOf = (read: ReadResourceResult): string => {
  const first = read.contents[0]
  return first !== undefined && "text" in first && typeof first.text === "string" ? first.text : ""
}
