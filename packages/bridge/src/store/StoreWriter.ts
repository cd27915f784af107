/**
 * Every write the ingestion makes, as prepared statements compiled once per connection, grouped by
 * what they write (messages, chats and contacts, identities), with the batch's own machinery: the
 * history sync's progress, deferred full-text indexing and the per-event savepoint. Each write is
 * an idempotent upsert whose merge rules live in the SQL, so replaying an event is a no-op and no
 * write needs to read a row first.
 */

import type Database from "better-sqlite3"
import { ChatWriter } from "./ChatWriter.js"
import { IdentityWriter } from "./IdentityWriter.js"
import { MessageWriter } from "./MessageWriter.js"

/** Prepared writes against one writer connection. */
export class StoreWriter {
  readonly messages: MessageWriter
  readonly chats: ChatWriter
  readonly identities: IdentityWriter
  private readonly putHistoryChunkStatement: Database.Statement
  private readonly putHistoryStatusStatement: Database.Statement
  private readonly deferIndexingStatement: Database.Statement
  private readonly indexDeferredStatement: Database.Statement
  private readonly endDeferredIndexingStatement: Database.Statement
  private readonly savepointStatement: Database.Statement
  private readonly releaseStatement: Database.Statement
  private readonly rollbackToStatement: Database.Statement

  /**
   * Set while a new store is loaded without its full-text triggers (`MessageIndexes`): the index is
   * rebuilt once at the end, so batches skip their own indexing.
   */
  fullTextRebuiltLater = false

  constructor(readonly db: Database.Database) {
    this.messages = new MessageWriter(db)
    this.chats = new ChatWriter(db)
    this.identities = new IdentityWriter(db)
    this.putHistoryChunkStatement = db.prepare(`
      INSERT INTO history_sync_chunks (sync_type, chunk_order, progress, is_latest, messages, chats, contacts)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (sync_type, chunk_order) DO UPDATE SET
        progress = excluded.progress, is_latest = excluded.is_latest, messages = excluded.messages,
        chats = excluded.chats, contacts = excluded.contacts`)
    this.putHistoryStatusStatement = db.prepare(`
      INSERT INTO history_sync_status (sync_type, status, explicit) VALUES (?, ?, ?)
      ON CONFLICT (sync_type) DO UPDATE SET status = excluded.status, explicit = excluded.explicit`)
    this.deferIndexingStatement = db.prepare(
      "UPDATE messages_fts_pending SET watermark = (SELECT COALESCE(MAX(row_id), 0) FROM messages)",
    )
    this.indexDeferredStatement = db.prepare(`
      INSERT INTO messages_fts (rowid, text, media_file_name)
      SELECT search_key, text, media_file_name FROM messages
      WHERE row_id > (SELECT watermark FROM messages_fts_pending)
      ORDER BY search_key`)
    this.endDeferredIndexingStatement = db.prepare("UPDATE messages_fts_pending SET watermark = NULL")
    this.savepointStatement = db.prepare("SAVEPOINT ingest_event")
    this.releaseStatement = db.prepare("RELEASE ingest_event")
    this.rollbackToStatement = db.prepare("ROLLBACK TO ingest_event")
  }

  putHistoryChunk(chunk: {
    readonly syncType: string
    readonly chunkOrder: number
    readonly progress: number | null
    readonly isLatest: boolean
    readonly messages: number
    readonly chats: number
    readonly contacts: number
  }): void {
    this.putHistoryChunkStatement.run(
      chunk.syncType,
      chunk.chunkOrder,
      chunk.progress,
      chunk.isLatest ? 1 : 0,
      chunk.messages,
      chunk.chats,
      chunk.contacts,
    )
  }

  putHistoryStatus(syncType: string, status: string, explicit: boolean): void {
    this.putHistoryStatusStatement.run(syncType, status, explicit ? 1 : 0)
  }

  /**
   * Runs `apply` (inside the caller's transaction) with full-text indexing of new messages
   * deferred to one statement at the end; updates and deletes of older rows stay trigger-synced.
   */
  withDeferredIndexing<A>(apply: () => A): A {
    if (this.fullTextRebuiltLater) return apply()
    this.deferIndexingStatement.run()
    const result = apply()
    this.indexDeferredStatement.run()
    this.endDeferredIndexingStatement.run()
    return result
  }

  /** Runs `apply` inside a savepoint: if it throws, its writes are undone and the error rethrown. */
  withinSavepoint<A>(apply: () => A): A {
    this.savepointStatement.run()
    try {
      const result = apply()
      this.releaseStatement.run()
      return result
    } catch (error) {
      if (this.db.inTransaction) {
        this.rollbackToStatement.run()
        this.releaseStatement.run()
      }
      throw error
    }
  }
}
