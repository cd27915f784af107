// The ingestion unwraps message content with its own copy of Baileys' wrapper list (Baileys' own
// function sits in a module that loads its whole media stack). A Baileys upgrade that adds a
// wrapper must not go unnoticed: this compares the copy with the installed Baileys, by its source
// and by its behaviour.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { normalizeMessageContent, type proto } from "@whiskeysockets/baileys"
import { messageWrapperFields, unwrapMessage } from "../../src/ingest/MessageWrappers.js"

const baileysRoot = dirname(createRequire(import.meta.url).resolve("@whiskeysockets/baileys/package.json"))

describe("message wrappers", () => {
  it("lists the wrappers the installed Baileys unwraps, in its order", () => {
    const source = readFileSync(join(baileysRoot, "lib/Utils/messages.js"), "utf8")
    const body = /function getFutureProofMessage\(message\) \{([\s\S]*?)\}/.exec(source)?.[1] ?? ""
    const fields = [...body.matchAll(/message\?\.(\w+)/g)].map((match) => match[1])
    expect(fields.length).toBeGreaterThan(0)
    expect(messageWrapperFields).toEqual(fields)
  })

  it("unwraps every wrapper, nested ones too, exactly as Baileys does", () => {
    const inner: proto.IMessage = { conversation: "Grüße" }
    const cases: Array<proto.IMessage | null | undefined> = [
      undefined,
      null,
      inner,
      ...messageWrapperFields.map((field) => ({ [field]: { message: inner } })),
      {
        ephemeralMessage: {
          message: { viewOnceMessageV2: { message: { editedMessage: { message: inner } } } },
        },
      },
      { viewOnceMessage: { message: null } },
      { ephemeralMessage: {} },
    ]
    for (const content of cases) expect(unwrapMessage(content)).toEqual(normalizeMessageContent(content))
  })

  it("stops after five levels, as Baileys does", () => {
    let content: proto.IMessage = { conversation: "deep" }
    for (let i = 0; i < 7; i++) content = { ephemeralMessage: { message: content } }
    expect(unwrapMessage(content)).toEqual(normalizeMessageContent(content))
  })
})
