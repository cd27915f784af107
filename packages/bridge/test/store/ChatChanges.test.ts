// A reader following a chat (the MCP server's resource subscriptions) finds new messages by their
// row ids, and every other change to what a chat's transcript shows in `chat_changes`: edits,
// deletions for everyone, a chat deleted. Changes a transcript never shows leave no trace there.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { BaileysEvent } from "../../src/recording/BaileysEvent.js"
import { alice, all, bob, testStore, text, upsert } from "../ingest/IngestTestKit.js"

const update = (chat: string, id: string, change: Record<string, unknown>): BaileysEvent =>
  ({
    event: "messages.update",
    data: [{ key: { remoteJid: chat, fromMe: false, id }, update: change }],
  }) as BaileysEvent

const edit = (chat: string, id: string, body: string, at: number) =>
  update(chat, id, { message: { editedMessage: { message: { conversation: body } } }, messageTimestamp: at })

/** The chats changed after `after`, oldest change first, and the newest id. */
const changedSince = (db: Parameters<typeof all>[0], after: number) => {
  const rows = all(db, "SELECT row_id, chat_jid FROM chat_changes WHERE row_id > ? ORDER BY row_id", after)
  return { chats: rows.map((row) => row.chat_jid), top: Number(rows.at(-1)?.row_id ?? after) }
}

describe("chat_changes", () => {
  it.scoped("names a chat when one of its messages is edited or deleted for everyone, most recent last", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          text("A1", "see you at 8", 1_717_000_000),
          text("B1", "hi", 1_717_000_010, { from: bob }),
        ),
      )
      // New messages are found by their row ids, not here.
      const start = changedSince(store.db, 0)
      assert.deepStrictEqual(start.chats, [])

      yield* store.ingest(edit(alice, "A1", "see you at 9", 1_717_000_100))
      const edited = changedSince(store.db, start.top)
      assert.deepStrictEqual(edited.chats, [alice])

      yield* store.ingest(update(bob, "B1", { message: null, messageStubType: 1 }))
      yield* store.ingest(edit(alice, "A1", "see you at 10", 1_717_000_200))
      // Each chat once, the one changed last with the highest id: a reader's last look still sees it.
      const later = changedSince(store.db, edited.top)
      assert.deepStrictEqual(later.chats, [bob, alice])
      assert.deepStrictEqual(changedSince(store.db, 0).chats, [bob, alice])
    }),
  )

  it.scoped("ignores what no transcript shows: receipts, stars, the same message delivered again", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("A1", "see you at 8", 1_717_000_000)))
      yield* store.ingest(update(alice, "A1", { status: 4 }))
      yield* store.ingest(update(alice, "A1", { starred: true }))
      yield* store.ingest(upsert("append", text("A1", "see you at 8", 1_717_000_000)))
      assert.deepStrictEqual(changedSince(store.db, 0).chats, [])
    }),
  )

  it.scoped("names a chat deleted from the phone", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", text("A1", "see you at 8", 1_717_000_000)))
      yield* store.ingest({ event: "chats.delete", data: [alice] } as BaileysEvent)
      assert.deepStrictEqual(changedSince(store.db, 0).chats, [alice])
    }),
  )
})
