/**
 * Tells subscribed MCP sessions when the store changed under a resource they follow: one watcher
 * per server process, shared by every session (each HTTP session, or the one stdio client).
 *
 * The read connection's `PRAGMA data_version` changes whenever another connection (the bridge)
 * commits, and reading it touches no table: polled while anyone is subscribed, it is all an idle
 * store costs. Only when it moved are the changes looked up: the messages stored since the last look
 * (`messages.row_id` is AUTOINCREMENT, so the rows above the last watermark are exactly the new
 * ones), the chats changed otherwise (edits, deletions: the bridge's triggers give a changed chat's
 * row in `chat_changes` a new AUTOINCREMENT id, so the same holds there), the chats table's size
 * and newest rowid (a chat appeared), and the unread chats when someone follows them. A bridge that restarts is just another writer to the same file; a store
 * that appears, or is replaced by another file (StoreLive then opens the new one), changed
 * everything, and every subscriber hears so.
 */
import type { SqlClient } from "@effect/sql"
import type { Resource, Store } from "@whatsapp-mcp/runtime"
import { Cause, Data, Duration, Effect, Fiber, type ManagedRuntime, Option, Schedule } from "effect"

/** One session's side: how it hears of changes. */
export interface Listener {
  readonly updated: (uri: string) => void
  readonly listChanged: () => void
}

/** How often the store is looked at while someone is subscribed. */
export const defaultInterval = Duration.millis(500)

/** Resources one session may follow at once: each costs a lookup at every change. */
export const maxSubscriptionsPerSession = 100

export class TooManySubscriptions extends Data.TaggedError("TooManySubscriptions")<{
  readonly message: string
}> {}

/** What the store looked like at the last look. */
interface Seen {
  /** The connection looked through; another one means the store was replaced. */
  readonly client: SqlClient.SqlClient | undefined
  readonly dataVersion: number
  readonly watermark: number
  /** The newest `chat_changes.row_id`; 0 where the store has no such table. */
  readonly changes: number
  readonly chats: string
  /** The unread chats and their counts, while someone follows them. */
  readonly unread: string | undefined
}

interface Change {
  readonly everything: boolean
  readonly chats: ReadonlySet<string>
  readonly listChanged: boolean
  readonly unreadChanged: boolean
}

const nothingSeen: Seen = {
  client: undefined,
  dataVersion: -1,
  watermark: 0,
  changes: 0,
  chats: "",
  unread: undefined,
}

export interface WatcherOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the services plugins provide are only known at run time
  readonly runtime: ManagedRuntime.ManagedRuntime<any, unknown>
  readonly store: Store.StoreService
  readonly log: (line: string) => void
  readonly interval?: Duration.DurationInput
}

export class ResourceWatcher {
  private readonly sessions = new Map<Listener, Map<string, Resource.Watch>>()
  private seen: Seen = nothingSeen
  private fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
  private starting: Promise<void> | undefined
  private failing = false
  private closed = false
  /** One look at a time: each compares with what the one before saw. */
  private readonly lock = Effect.unsafeMakeSemaphore(1)

  constructor(private readonly options: WatcherOptions) {}

  /** A session that may subscribe; it hears list changes while the watcher runs. */
  register(listener: Listener): void {
    if (!this.sessions.has(listener)) this.sessions.set(listener, new Map())
  }

  /** A session that went away: its subscriptions go with it. */
  unregister(listener: Listener): void {
    this.sessions.delete(listener)
    this.stopWhenUnused()
  }

  /**
   * Follows `uri` for the session. Resolves once the store's present state is the baseline, so a
   * message stored after the subscription was answered is never missed.
   */
  async subscribe(listener: Listener, uri: string, watch: Resource.Watch): Promise<void> {
    if (this.closed) return
    let subscriptions = this.sessions.get(listener)
    if (subscriptions === undefined) {
      subscriptions = new Map()
      this.sessions.set(listener, subscriptions)
    }
    if (!subscriptions.has(uri) && subscriptions.size >= maxSubscriptionsPerSession) {
      throw new TooManySubscriptions({
        message: `This session already follows ${maxSubscriptionsPerSession} resources, the most one session may. Unsubscribe from some (resources/unsubscribe) before subscribing to ${uri}.`,
      })
    }
    subscriptions.set(uri, watch)
    // Already running: look now, so that the baseline this subscription compares with is today's.
    if (this.fiber !== undefined) await this.options.runtime.runPromise(this.look(false))
    else await this.start()
  }

  unsubscribe(listener: Listener, uri: string): void {
    this.sessions.get(listener)?.delete(uri)
    this.stopWhenUnused()
  }

  /** Subscriptions open in all sessions. */
  subscriptions(): number {
    let count = 0
    for (const subscriptions of this.sessions.values()) count += subscriptions.size
    return count
  }

  /** Whether the store is being polled (only while someone is subscribed). */
  running(): boolean {
    return this.fiber !== undefined
  }

  async close(): Promise<void> {
    this.closed = true
    this.sessions.clear()
    await this.stop()
  }

  private start(): Promise<void> {
    if (this.fiber !== undefined) return Promise.resolve()
    this.starting ??= this.options.runtime
      .runPromise(this.look(true))
      .then(() => {
        if (this.closed || this.subscriptions() === 0) return
        const interval = this.options.interval ?? defaultInterval
        this.fiber ??= this.options.runtime.runFork(
          this.look(false).pipe(Effect.repeat(Schedule.spaced(interval)), Effect.delay(interval)),
        )
      })
      .finally(() => {
        this.starting = undefined
      })
    return this.starting
  }

  private stopWhenUnused(): void {
    if (this.subscriptions() === 0) void this.stop()
  }

  private async stop(): Promise<void> {
    const fiber = this.fiber
    this.fiber = undefined
    // The next subscriber takes a baseline of its own: changes while nobody listened are no news.
    this.seen = nothingSeen
    if (fiber !== undefined) await this.options.runtime.runPromise(Fiber.interrupt(fiber)).catch(() => {})
  }

  /** Looks at the store; `baseline` only records what it sees, without telling anyone. */
  private look(baseline: boolean): Effect.Effect<void> {
    const look = Effect.gen(this, function* () {
      const client = yield* Effect.option(this.options.store.client)
      const previous = this.seen
      if (Option.isNone(client)) {
        // No store (yet, or any more): the next one that opens is all news.
        this.seen = { ...nothingSeen }
        return
      }
      const replaced = previous.client !== client.value
      const followsUnread = this.follows("Unread")
      const [row] = yield* client.value.unsafe<{ data_version: number }>("PRAGMA data_version")
      const dataVersion = row?.data_version ?? 0
      if (
        !replaced &&
        dataVersion === previous.dataVersion &&
        (!followsUnread || previous.unread !== undefined)
      )
        return
      const now = yield* this.measure(client.value, dataVersion, followsUnread)
      this.seen = now
      if (baseline && previous === nothingSeen) return
      if (replaced)
        return this.tell({ everything: true, chats: new Set(), listChanged: true, unreadChanged: true })
      const arrived =
        now.watermark > previous.watermark
          ? yield* client.value<{ chat_jid: string }>`
              SELECT DISTINCT chat_jid FROM messages WHERE row_id > ${previous.watermark} AND row_id <= ${now.watermark}`
          : []
      const changed =
        now.changes > previous.changes
          ? yield* client.value<{ chat_jid: string }>`
              SELECT chat_jid FROM chat_changes WHERE row_id > ${previous.changes} AND row_id <= ${now.changes}`
          : []
      this.tell({
        everything: now.watermark < previous.watermark || now.changes < previous.changes,
        chats: new Set([...arrived, ...changed].map((row) => row.chat_jid)),
        listChanged: now.chats !== previous.chats,
        unreadChanged: previous.unread !== undefined && now.unread !== previous.unread,
      })
    }).pipe(
      Effect.tap(() => {
        this.failing = false
      }),
      // A busy or half-migrated store is looked at again next time; said once, not at every look.
      Effect.catchAllCause((cause) =>
        Effect.sync(() => {
          if (Cause.isInterruptedOnly(cause) || this.failing) return
          this.failing = true
          this.options.log(`whatsapp-mcp: could not look for changes in the store:\n${Cause.pretty(cause)}`)
        }),
      ),
    )
    return this.lock.withPermits(1)(look)
  }

  private measure(client: SqlClient.SqlClient, dataVersion: number, followsUnread: boolean) {
    return Effect.gen(function* () {
      const [top] = yield* client<{ watermark: number | null }>`SELECT MAX(row_id) AS watermark FROM messages`
      // A store without the table (made by hand, not by the bridge) still tells of new messages.
      const [changes] = yield* client<{
        top: number | null
      }>`SELECT MAX(row_id) AS top FROM chat_changes`.pipe(
        Effect.catchTag("SqlError", () => Effect.succeed([])),
      )
      const [chats] = yield* client<{ n: number; top: number | null }>`
        SELECT COUNT(*) AS n, MAX(rowid) AS top FROM chats`
      const unread = followsUnread
        ? yield* client<{ jid: string; unread_count: number; marked_unread: number; last: number | null }>`
            SELECT jid, unread_count, marked_unread, last_message_time AS last FROM chats
            WHERE unread_count > 0 OR marked_unread = 1 ORDER BY jid`
        : undefined
      return {
        client,
        dataVersion,
        watermark: top?.watermark ?? 0,
        changes: changes?.top ?? 0,
        chats: `${chats?.n ?? 0}:${chats?.top ?? 0}`,
        unread: unread?.map((c) => `${c.jid}:${c.unread_count}:${c.marked_unread}:${c.last}`).join("\n"),
      } satisfies Seen
    })
  }

  private follows(tag: Resource.Watch["_tag"]): boolean {
    for (const subscriptions of this.sessions.values())
      for (const watch of subscriptions.values()) if (watch._tag === tag) return true
    return false
  }

  private tell(change: Change): void {
    for (const [listener, subscriptions] of this.sessions) {
      if (change.listChanged) listener.listChanged()
      for (const [uri, watch] of subscriptions) {
        const hit =
          change.everything ||
          (watch._tag === "Unread" ? change.unreadChanged : watch.jids.some((jid) => change.chats.has(jid)))
        if (hit) listener.updated(uri)
      }
    }
  }
}
