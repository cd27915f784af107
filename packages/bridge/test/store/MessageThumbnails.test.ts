// The thumbnail a photo, video or sticker message carries is kept in a column of its own, so that a
// reader of the store can show it while the media cannot be downloaded: for new messages, and for
// the messages of a store written before the column existed.
import * as fs from "node:fs"
import * as path from "node:path"
import { Migrator } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { MaxStoredThumbnailBytes } from "@whatsapp-mcp/core/limits"
import { StoreFileName } from "@whatsapp-mcp/core/store"
import { proto } from "@whiskeysockets/baileys"
import Database from "better-sqlite3"
import { Effect } from "effect"
import type { BaileysEvent } from "../../src/recording/BaileysEvent.js"
import { StoreMigrations } from "../../src/store/StoreMigrations.js"
import {
  alice,
  message,
  messageRow,
  openTestStore,
  temporaryDirectory,
  testStore,
  upsert,
} from "../ingest/IngestTestKit.js"

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9])
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9])

const media = (id: string, content: proto.IMessage) =>
  message({ key: { remoteJid: alice, fromMe: false, id }, messageTimestamp: 1_717_000_000, message: content })

const photo = (id: string, thumbnail: Uint8Array) =>
  media(id, { imageMessage: { mimetype: "image/jpeg", caption: "the market", jpegThumbnail: thumbnail } })

const thumbnailOf = (db: Database.Database, id: string) => messageRow(db, id)?.media_thumbnail

describe("message thumbnails in the store", () => {
  it.scoped("are kept for photos, videos and stickers, not for documents or audio", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert(
          "notify",
          photo("P1", jpeg),
          media("V1", { videoMessage: { mimetype: "video/mp4", jpegThumbnail: jpeg } }),
          media("S1", { stickerMessage: { mimetype: "image/webp", pngThumbnail: png } }),
          media("D1", { documentMessage: { mimetype: "application/pdf", jpegThumbnail: jpeg } }),
          media("A1", { audioMessage: { mimetype: "audio/ogg", ptt: true } }),
        ),
      )
      assert.deepStrictEqual(thumbnailOf(store.db, "P1"), jpeg)
      assert.deepStrictEqual(thumbnailOf(store.db, "V1"), jpeg)
      assert.deepStrictEqual(thumbnailOf(store.db, "S1"), png)
      assert.isNull(thumbnailOf(store.db, "D1"))
      assert.isNull(thumbnailOf(store.db, "A1"))
    }),
  )

  it.scoped("are not kept when far larger than a thumbnail can be (the sender sets the field)", () =>
    Effect.gen(function* () {
      const store = yield* testStore(
        upsert("notify", photo("BIG", Buffer.alloc(MaxStoredThumbnailBytes + 1, 1))),
      )
      assert.isNull(thumbnailOf(store.db, "BIG"))
      assert.strictEqual(messageRow(store.db, "BIG")?.kind, "image")
    }),
  )

  it.scoped("go with the rest of the content when the message is deleted for everyone", () =>
    Effect.gen(function* () {
      const store = yield* testStore(upsert("notify", photo("R1", jpeg)))
      yield* store.ingest({
        event: "messages.update",
        data: [
          {
            key: { remoteJid: alice, fromMe: false, id: "R1" },
            update: { message: null, messageStubType: 1 },
          },
        ],
      } satisfies BaileysEvent)
      assert.strictEqual(messageRow(store.db, "R1")?.deleted, "revoked")
      assert.isNull(thumbnailOf(store.db, "R1"))
    }),
  )

  it.scoped("are filled in from the raw messages of a store written before they were kept", () =>
    Effect.gen(function* () {
      const directory = yield* temporaryDirectory
      fs.chmodSync(directory, 0o700)
      const file = path.join(directory, StoreFileName)
      yield* Migrator.make({})({
        loader: Migrator.fromRecord({
          "1_initial_schema": StoreMigrations["1_initial_schema"],
          "2_time_ordered_search": StoreMigrations["2_time_ordered_search"],
        }),
      }).pipe(Effect.provide(SqliteClient.layer({ filename: file })))
      const old = new Database(file)
      const insert = old.prepare(
        "INSERT INTO messages (chat_jid, id, from_me, timestamp, kind, raw) VALUES (?, ?, 0, ?, ?, ?)",
      )
      const encoded = (m: proto.IWebMessageInfo) => Buffer.from(proto.WebMessageInfo.encode(m).finish())
      insert.run(alice, "OLD-PHOTO", 1_717_000_000, "image", encoded(photo("OLD-PHOTO", jpeg)))
      insert.run(
        alice,
        "OLD-STICKER",
        1_717_000_001,
        "sticker",
        encoded(media("OLD-STICKER", { stickerMessage: { pngThumbnail: png } })),
      )
      insert.run(alice, "OLD-BARE", 1_717_000_002, "image", encoded(media("OLD-BARE", { imageMessage: {} })))
      // bytes that are not a message: the row is kept as it was
      insert.run(alice, "OLD-BROKEN", 1_717_000_003, "image", Buffer.from([0xff, 0xff, 0xff]))
      old.close()

      const store = yield* openTestStore(directory)
      assert.deepStrictEqual(thumbnailOf(store.db, "OLD-PHOTO"), jpeg)
      assert.deepStrictEqual(thumbnailOf(store.db, "OLD-STICKER"), png)
      assert.isNull(thumbnailOf(store.db, "OLD-BARE"))
      assert.isNull(thumbnailOf(store.db, "OLD-BROKEN"))
      assert.strictEqual(messageRow(store.db, "OLD-BROKEN")?.kind, "image")
    }),
  )
})
