import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Writable } from "node:stream"
import { assert, describe, it } from "@effect/vitest"
import { PairingQrFileName } from "@whatsapp-mcp/core/store"
import { Effect } from "effect"
import { make } from "../src/pairing/OperatorConsole.js"

const capture = () => {
  let text = ""
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    },
  }) as unknown as NodeJS.WriteStream
  return { stream, text: () => text }
}

describe("operator console", () => {
  it.effect("shows the pairing QR in the terminal and saves it as a PNG, removed once linked", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "bridge-console-"))
      const out = capture()
      const screen = make(dir, out.stream)
      yield* screen.showQr("2@someref,somekey,someid,1")
      const png = join(dir, PairingQrFileName)
      assert.isTrue(existsSync(png))
      assert.deepStrictEqual([...readFileSync(png).subarray(1, 4)], [0x50, 0x4e, 0x47])
      assert.include(out.text(), "Linked devices")
      assert.include(out.text(), png)
      assert.isAbove(out.text().split("\n").length, 10, "the QR code is drawn in the terminal")
      yield* screen.paired("15550000000@s.whatsapp.net")
      assert.isFalse(existsSync(png))
      assert.include(out.text(), "Linked to WhatsApp as 15550000000@s.whatsapp.net")
    }),
  )

  it.effect("prints the pairing code with where to enter it, and sync progress without flooding a log", () =>
    Effect.gen(function* () {
      const out = capture()
      const screen = make(mkdtempSync(join(tmpdir(), "bridge-console-")), out.stream)
      yield* screen.showPairingCode("ABCD-1234")
      assert.include(out.text(), "ABCD-1234")
      assert.include(out.text(), "Link with phone number instead")
      for (let p = 1; p <= 100; p++) {
        yield* screen.historyProgress({ chunks: p, messages: p * 10, progress: p, done: p === 100 })
      }
      const lines = out
        .text()
        .split("\n")
        .filter((l) => l.startsWith("History sync"))
      assert.isAtMost(lines.length, 12)
      assert.include(lines.at(-1) ?? "", "100%")
    }),
  )

  it.effect("marks a replay bridge's notices as such, and leaves a live bridge's as they are", () =>
    Effect.gen(function* () {
      const replay = capture()
      yield* make(mkdtempSync(join(tmpdir(), "bridge-console-")), replay.stream, "replay").notice(
        "Connected to WhatsApp.",
      )
      assert.strictEqual(replay.text(), "(replay) Connected to WhatsApp.\n")
      const live = capture()
      yield* make(mkdtempSync(join(tmpdir(), "bridge-console-")), live.stream).notice(
        "Connected to WhatsApp.",
      )
      assert.strictEqual(live.text(), "Connected to WhatsApp.\n")
    }),
  )
})
