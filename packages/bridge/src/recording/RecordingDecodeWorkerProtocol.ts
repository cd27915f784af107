/**
 * What the recording decode worker and its reader say to each other. The worker sends one item per
 * non-blank line, in file order; the reader answers each item it takes with a message of its own
 * (any value), which lets the worker send one more.
 */
import type { BaileysEventName } from "./BaileysEvent.js"
import type { PackedMessages } from "./WireMessages.js"

export interface WorkerOptions {
  readonly file: string
  /** lines the worker may send ahead of the reader */
  readonly window: number
  /** bytes read from the file at a time */
  readonly chunkBytes: number
}

export type WorkerItem =
  /** a message-carrying event: its messages as bytes, the rest of its data as parsed JSON */
  | {
      readonly kind: "event"
      readonly line: number
      readonly name: BaileysEventName
      readonly rest: Record<string, unknown>
      readonly packed: PackedMessages
    }
  /** any other line, decoded by the reader */
  | { readonly kind: "text"; readonly line: number; readonly text: string }
  | { readonly kind: "malformed"; readonly line: number; readonly reason: string }
  /** the file could not be read (any further): nothing more comes */
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "end" }
