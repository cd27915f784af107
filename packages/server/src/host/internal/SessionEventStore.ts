/**
 * What one HTTP session's SSE streams sent recently, kept so that a client whose connection dropped
 * can reconnect with `Last-Event-ID` and receive what it missed (the SDK's transport does the
 * replaying; this is the store it asks). One store per session, dropped with it: an event id only
 * ever means something to the session whose streams sent it.
 *
 * Bounded three ways, because a client may never come back and every session holds its own store:
 * per stream the latest {@link maxEventsPerStream} events, none older than {@link maxEventAgeMs},
 * and at most {@link maxBytesPerSession} of messages per session (a tool's answer can carry a
 * picture), the oldest going first.
 */
import { randomBytes } from "node:crypto"
import type { EventId, EventStore, StreamId } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"

/**
 * Far more than a stream carries in a few minutes (a tool call's progress and answer, or a chat's
 * change notifications, which the watcher coalesces), so the count bound only stops a runaway stream.
 */
export const maxEventsPerStream = 200

/**
 * Long enough to ride out a phone changing networks or a tunnel, short enough that memory is not
 * held for a client gone for good. The SDK's own client gives up reconnecting well within this.
 */
export const maxEventAgeMs = 5 * 60 * 1000

/** A few tool answers with pictures; with 64 sessions at most, bounded well below the store's page cache. */
export const maxBytesPerSession = 4 * 1024 * 1024

export interface Limits {
  readonly maxEventsPerStream: number
  readonly maxEventAgeMs: number
  readonly maxBytesPerSession: number
}

export const defaultLimits: Limits = { maxEventsPerStream, maxEventAgeMs, maxBytesPerSession }

/** What a `Last-Event-ID` means to this session's store. */
export type Lookup =
  /**
   * Replayable: `missed` events after it were dropped by the bounds before the client came back;
   * `answered` when it is a request's stream and the answer is among what is kept, so nothing more will come on it.
   */
  | {
      readonly _tag: "Resumable"
      readonly stream: StreamId
      readonly missed: number
      readonly answered: boolean
    }
  /** Not of the form this server gives its event ids. */
  | { readonly _tag: "Malformed" }
  /** Well formed, but no stream of this session sent it (another session's, or made up). */
  | { readonly _tag: "Unknown" }
  /** This session's, but its stream is no longer kept: answered, and older than the age bound or pushed out. */
  | { readonly _tag: "Gone" }

interface Stored {
  readonly stream: Stream
  readonly seq: number
  readonly at: number
  /** Undefined for the SDK's priming event, which carries no message and is never replayed. */
  readonly message: JSONRPCMessage | undefined
  readonly bytes: number
}

interface Stream {
  readonly id: StreamId
  readonly number: number
  /** This stream's kept events, oldest first. */
  readonly events: Array<Stored>
  next: number
  /** A request stream whose answer was stored can be forgotten once its events are. */
  answered: boolean
}

/** The SDK's id of the standalone GET stream, which lives as long as the session. */
export const standaloneStream: StreamId = "_GET_stream"

const remove = (events: Array<Stored>, event: Stored) => {
  const at = events.indexOf(event)
  if (at >= 0) events.splice(at, 1)
}

const isResponse = (message: JSONRPCMessage) => "id" in message && ("result" in message || "error" in message)

/** `<session tag>.<stream number>.<sequence>`: short, and unguessable across sessions. */
const idPattern = /^([A-Za-z0-9_-]{16})\.(\d{1,9})\.(\d{1,15})$/

export class SessionEventStore implements EventStore {
  /** Random per session, so that an id from another session is recognised as not ours. */
  private readonly tag = randomBytes(12).toString("base64url")
  private readonly streams = new Map<StreamId, Stream>()
  private readonly byNumber = new Map<number, Stream>()
  /** Every kept event of every stream in the order stored, oldest first, for pruning by age and size. */
  private order: Array<Stored> = []
  private streamsOpened = 0
  private bytes = 0

  constructor(
    private readonly limits: Limits = defaultLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Events kept now, across the session's streams. */
  get size(): number {
    return this.order.length
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    return this.store(streamId, message)
  }

  /**
   * An id with nothing to replay, for the first event of a stream: a client that holds it can
   * resume the stream even if the connection drops before anything else is sent on it.
   */
  prime(streamId: StreamId): EventId {
    // The SDK stores its own priming events as an empty message; this is the same, without the cast.
    return this.store(streamId, undefined)
  }

  private store(streamId: StreamId, message: JSONRPCMessage | undefined): EventId {
    this.prune()
    let stream = this.streams.get(streamId)
    if (stream === undefined) {
      stream = { id: streamId, number: ++this.streamsOpened, events: [], next: 0, answered: false }
      this.streams.set(streamId, stream)
      this.byNumber.set(stream.number, stream)
    }
    // The SDK stores `{}` as the priming event of a stream: it has an id, nothing to replay.
    const kept = message === undefined || Object.keys(message).length === 0 ? undefined : message
    const bytes = kept === undefined ? 0 : Buffer.byteLength(JSON.stringify(kept))
    const event: Stored = {
      stream,
      seq: stream.next++,
      at: this.now(),
      message: kept,
      bytes,
    }
    if (kept !== undefined && isResponse(kept)) stream.answered = true
    stream.events.push(event)
    this.order.push(event)
    this.bytes += bytes
    while (stream.events.length > this.limits.maxEventsPerStream) this.drop(stream.events[0] as Stored)
    // The newest event stays even when it alone is over the size bound: it is the one most likely awaited.
    while (this.bytes > this.limits.maxBytesPerSession && this.order.length > 1)
      this.drop(this.order[0] as Stored)
    return this.idOf(event)
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const found = this.lookup(lastEventId)
    // The server checks every Last-Event-ID with lookup before the SDK asks; this is the rare case
    // of the stream going in between, which the SDK answers with a 500.
    if (found._tag !== "Resumable")
      throw new Error(`Last-Event-ID ${lastEventId} cannot be resumed (${found._tag})`)
    const stream = this.streams.get(found.stream) as Stream
    const after = Number(idPattern.exec(lastEventId)?.[3])
    for (const event of [...stream.events]) {
      if (event.seq > after && event.message !== undefined) {
        await send(this.idOf(event), event.message)
      }
    }
    return stream.id
  }

  lookup(eventId: string): Lookup {
    this.prune()
    const parts = idPattern.exec(eventId)
    if (parts === null) return { _tag: "Malformed" }
    const [, tag, number, seq] = parts
    const streamNumber = Number(number)
    const sequence = Number(seq)
    if (tag !== this.tag || streamNumber < 1 || streamNumber > this.streamsOpened) return { _tag: "Unknown" }
    const stream = this.byNumber.get(streamNumber)
    if (stream === undefined) return { _tag: "Gone" }
    if (sequence >= stream.next) return { _tag: "Unknown" }
    const oldestKept = stream.events[0]?.seq ?? stream.next
    return {
      _tag: "Resumable",
      stream: stream.id,
      missed: Math.max(0, oldestKept - (sequence + 1)),
      answered: stream.answered && stream.id !== standaloneStream,
    }
  }

  /** Forgets everything; the session is over. */
  clear(): void {
    this.streams.clear()
    this.byNumber.clear()
    this.order = []
    this.bytes = 0
  }

  private idOf(event: Stored): EventId {
    return `${this.tag}.${event.stream.number}.${event.seq}`
  }

  private drop(event: Stored) {
    remove(event.stream.events, event)
    remove(this.order, event)
    this.bytes -= event.bytes
    this.forgetIfDone(event.stream)
  }

  private forgetIfDone(stream: Stream) {
    if (stream.events.length > 0 || !stream.answered || stream.id === standaloneStream) return
    this.streams.delete(stream.id)
    this.byNumber.delete(stream.number)
  }

  private prune() {
    const cutoff = this.now() - this.limits.maxEventAgeMs
    for (let oldest = this.order[0]; oldest !== undefined && oldest.at <= cutoff; oldest = this.order[0])
      this.drop(oldest)
  }
}
