// The store's closed sets are written down once, in core, for the bridge that writes them and the
// readers that query them; these checks hold core's list to what the bridge actually stores.
import { assert, describe, it } from "@effect/vitest"
import {
  ChatKinds,
  MessageDeletions,
  MessageKinds,
  PlaceholderMessageKinds,
  StubTypes,
  sqlList,
  visibleToMe,
} from "@whatsapp-mcp/core/store"
import { proto } from "@whiskeysockets/baileys/WAProto/index.js"
import Database from "better-sqlite3"

describe("the store's enumerations in core", () => {
  it("name each notice with the number WhatsApp's protocol gives it, which the bridge stores", () => {
    for (const [name, value] of Object.entries(StubTypes)) {
      assert.strictEqual(
        proto.WebMessageInfo.StubType[name as keyof typeof proto.WebMessageInfo.StubType],
        value,
        name,
      )
    }
  })

  it("are plain words, so spelling them as SQL literals can never change a statement", () => {
    for (const value of [...MessageKinds, ...MessageDeletions, ...ChatKinds]) assert.match(value, /^[a-z_]+$/)
    assert.strictEqual(sqlList(PlaceholderMessageKinds), "('ciphertext', 'view_once', 'unknown')")
  })

  it("hide exactly the messages deleted for this account only from readers", () => {
    const db = new Database(":memory:")
    db.exec("CREATE TABLE messages (id TEXT, deleted TEXT)")
    const insert = db.prepare("INSERT INTO messages VALUES (?, ?)")
    insert.run("kept", null)
    insert.run("revoked", "revoked")
    insert.run("gone", "for_me")
    const shown = (condition: string) =>
      db
        .prepare<[], { id: string }>(`SELECT m.id FROM messages m WHERE ${condition} ORDER BY m.id`)
        .all()
        .map((row) => row.id)
    assert.deepStrictEqual(shown(visibleToMe()), ["kept", "revoked"])
    assert.deepStrictEqual(shown(visibleToMe("m")), ["kept", "revoked"])
    db.close()
  })
})
