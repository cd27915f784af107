import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { ingestCommand } from "../src/ingest/IngestCommand.js"
import * as StoreBinding from "../src/StoreBinding.js"
import { StoreAccess } from "../src/store/StoreAccess.js"
import { StoreLookup } from "../src/store/StoreLookup.js"

const fixtures = resolve(import.meta.dirname, "../../../fixtures")
const streams = ["streams/identities.jsonl", "streams/chats-contacts-groups.jsonl", "demo/demo.jsonl"].map(
  (f) => join(fixtures, f),
)
const quiet = () => {}

const withStore = <A, E>(body: Effect.Effect<A, E, StoreAccess | StoreLookup>) =>
  Effect.gen(function* () {
    const storeDir = join(mkdtempSync(join(tmpdir(), "bridge-binding-")), "store")
    yield* ingestCommand({ files: streams, storeDirectory: storeDir, out: quiet, err: quiet })
    return yield* body.pipe(Effect.provide(StoreBinding.layer(storeDir)))
  })

describe("store binding", () => {
  it.effect("answers counts, finds raw messages by either identity of the chat, and knows people", () =>
    withStore(
      Effect.gen(function* () {
        const store = yield* StoreAccess
        const counts = yield* store.counts
        assert.isAbove(counts.messages, 200)
        assert.isAbove(counts.chats, 10)
        const pn = "12025550101@s.whatsapp.net"
        const lid = Option.getOrThrow(yield* store.alternateJid(pn))
        assert.isTrue(lid.endsWith("@lid"))
        assert.strictEqual(Option.getOrThrow(yield* store.alternateJid(lid)), pn)
        const unread = yield* store.unreadIncoming(pn)
        assert.isAbove(unread.length, 0)
        const key = unread[0]!
        const byPhone = yield* store.findMessage(pn, key.id!)
        const byLid = yield* store.findMessage(lid, key.id!)
        assert.strictEqual(Option.getOrThrow(byPhone).key?.id, key.id)
        assert.strictEqual(Option.getOrThrow(byLid).key?.id, key.id)
        assert.isTrue(yield* store.knowsJid(pn))
        assert.isFalse(yield* store.knowsJid("447700900123@s.whatsapp.net"))
        assert.isTrue(Option.isNone(yield* store.findMessage(pn, "NO-SUCH-ID")))
      }),
    ),
  )

  it.effect("answers Baileys' getMessage from raw protos and group metadata from stored members", () =>
    withStore(
      Effect.gen(function* () {
        const store = yield* StoreAccess
        const lookup = yield* StoreLookup
        const pn = "12025550101@s.whatsapp.net"
        const key = (yield* store.unreadIncoming(pn))[0]!
        const message = yield* lookup.getMessage({ remoteJid: pn, id: key.id ?? null })
        assert.isDefined(message)
        const group = yield* lookup.groupMetadata("120363100000000003@g.us")
        assert.strictEqual(group?.participants.length, 4)
        assert.isString(group?.subject)
        assert.isUndefined(yield* lookup.groupMetadata("120363999999999999@g.us"))
      }),
    ),
  )
})
