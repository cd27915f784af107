/**
 * What applying one event gathers on its way (the chats its messages touched and the names their
 * senders go by, written once at its end) and what it could not store; and the line between an
 * unusable input, skipped and reported, and a failing store, which abandons the whole batch.
 */

import type { ChatKind } from "@whatsapp-mcp/core/store"
import Database from "better-sqlite3"
import { describeError } from "../logging/ErrorDescription.js"

/** Something in a batch that could not be stored, and why. */
export interface SkippedItem {
  /** position of the event in its batch */
  readonly eventIndex: number
  readonly event: string
  readonly reason: string
}

/** What one batch did. */
export interface BatchOutcome {
  readonly events: number
  /** messages carried by the batch's `messages.upsert` and `messaging-history.set` events */
  readonly messages: number
  readonly skipped: ReadonlyArray<SkippedItem>
}

/** Per-event aggregation: chats touched by messages and push names seen, written once per event. */
export interface EventState {
  readonly chatTimes: Map<string, { kind: ChatKind; time: number }>
  readonly pushNames: Map<string, { pushName?: string; verifiedName?: string }>
  readonly skipped: Array<SkippedItem>
  readonly eventIndex: number
  readonly event: string
}

/** Raised for input that cannot be stored; the item is skipped and reported. */
export class UnusableInput extends Error {}

/**
 * SQLite failures that say the store cannot take writes right now (rather than that one input is
 * bad): the whole batch is abandoned so that none of it is half-stored.
 */
export const isStoreFailure = (error: unknown): boolean =>
  error instanceof Database.SqliteError &&
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|NOMEM|READONLY|CORRUPT|CANTOPEN|INTERRUPT|PROTOCOL|NOTADB|PERM)/.test(
    error.code,
  )

/** Reports an item that failed as skipped; a failing store is rethrown, to abandon the batch. */
export const skipUnlessStoreFailed = (state: EventState, error: unknown): void => {
  if (isStoreFailure(error)) throw error
  state.skipped.push({ eventIndex: state.eventIndex, event: state.event, reason: describeError(error) })
}

/** Runs one item's writes; a bad item is reported and skipped, a failing store aborts. */
export const guard = (state: EventState, apply: () => void): void => {
  try {
    apply()
  } catch (error) {
    skipUnlessStoreFailed(state, error)
  }
}
