// `pnpm bridge anonymize IN --out OUT`: a recording someone already has, anonymised offline with the
// rules of `--record --anonymize`, keeping what makes it useful as a bug report or a fixture.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"

const bridge = path.resolve(import.meta.dirname, "../src/bin/bridge.ts")
const runBridge = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, ["--import", "tsx", bridge, ...args], { encoding: "utf8" })

const upsert = (message: object) =>
  JSON.stringify({ event: "messages.upsert", data: { messages: [message], type: "notify" } })

// Shapes as publishers left them: their own masks (`xx`, `***`, `XXXX`, an emptied user part) beside
// real-looking numbers, LIDs with a participantPn, and a number that appears in two events.
const stream = [
  "// case: a direct message, then the same person in a group",
  upsert({
    key: { remoteJid: "5511987654321@s.whatsapp.net", fromMe: false, id: "AAA1" },
    message: { conversation: "Olá Maria, são 15h" },
    messageTimestamp: 1754000000,
    pushName: "João Silva",
  }),
  upsert({
    key: {
      remoteJid: "120363021046907422@g.us",
      fromMe: false,
      id: "AAA2",
      participant: "5511987654321@s.whatsapp.net",
    },
    message: {
      buttonsResponseMessage: { selectedButtonId: "btn_2", selectedDisplayText: "Lol", type: "DISPLAY_TEXT" },
    },
    messageTimestamp: "1754000060",
    pushName: "João Silva",
  }),
  upsert({
    key: {
      remoteJid: "120363999@g.us",
      fromMe: false,
      id: "XXXX",
      participant: "261051*****@lid",
      participantPn: "62****11**",
    },
    message: { conversation: "hi" },
    messageTimestamp: 1754000120,
    pushName: "***",
  }),
  upsert({
    key: { remoteJid: "xx0740@s.whatsapp.net", fromMe: true, id: "AAA3" },
    message: { conversation: "ok" },
    messageTimestamp: 1754000180,
    status: 2,
  }),
  upsert({ key: { remoteJid: "@s.whatsapp.net", fromMe: false, id: "AAA4" }, messageTimestamp: 1754000240 }),
  JSON.stringify({
    event: "call",
    data: [
      {
        chatId: "5511987654321@s.whatsapp.net",
        from: "5511987654321@s.whatsapp.net",
        id: "C1",
        date: "2025-03-23T05:04:12.000Z",
        status: "offer",
        isVideo: false,
        isGroup: false,
      },
    ],
  }),
]

const run = (lines: ReadonlyArray<string>) => {
  const dir = mkdtempSync(path.join(tmpdir(), "anonymize-"))
  const input = path.join(dir, "in.jsonl")
  const output = path.join(dir, "out.jsonl")
  writeFileSync(input, `${lines.join("\n")}\n`)
  return { result: runBridge("anonymize", input, "--out", output), input, output }
}

describe("bridge anonymize", () => {
  it("replaces numbers, LIDs, names and text, keeping order, structure, times and each person's one pseudonym", () => {
    const { result, output } = run(stream)
    expect(result.stderr).toContain("6 event(s) written")
    expect(result.status).toBe(0)
    const text = readFileSync(output, "utf8")
    for (const secret of [
      "5511987654321",
      "987654",
      "João",
      "Silva",
      "Maria",
      "Olá",
      "Lol",
      // the digits a publisher left beside their masks, where they stood: pseudonyms are random
      // digits, so a short run of them alone could turn up anywhere
      "261051*",
      "xx0740@",
      "62****11",
      "120363021046907422",
    ])
      expect(text).not.toContain(secret)
    const lines = text.split("\n")
    expect(lines[0]).toBe("// case: a direct message, then the same person in a group")
    const events = lines
      .slice(1)
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line))
    expect(events.map((event) => event.event)).toEqual([
      "messages.upsert",
      "messages.upsert",
      "messages.upsert",
      "messages.upsert",
      "messages.upsert",
      "call",
    ])
    const messages = events.slice(0, 5).map((event) => event.data.messages[0])
    expect(messages.map((m) => m.key.id)).toEqual(["AAA1", "AAA2", "XXXX", "AAA3", "AAA4"])
    expect(messages.map((m) => m.messageTimestamp)).toEqual([
      1754000000,
      "1754000060",
      1754000120,
      1754000180,
      1754000240,
    ])
    // the same person: one pseudonym as a chat, as a group participant and as a caller
    const person = messages[0].key.remoteJid as string
    expect(person).toMatch(/^\d{13}@s\.whatsapp\.net$/)
    expect(messages[1].key.participant).toBe(person)
    expect(events[5].data[0].from).toBe(person)
    expect(messages[0].pushName).toBe(messages[1].pushName)
    expect(messages[0].pushName).toMatch(/^[A-Z][a-z]{3} [A-Z][a-z]{4}$/)
    // the visible text keeps its shape: same lengths, punctuation and digit runs
    expect(messages[0].message.conversation).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{4}, [a-z]{3} \d{2}[a-z]$/)
    expect(messages[1].message.buttonsResponseMessage.selectedDisplayText).toMatch(/^[A-Z][a-z]{2}$/)
    // the publishers' masks stay masks, the digits beside them are replaced
    expect(messages[2].key.participant).toMatch(/^\d{6}\*{5}@lid$/)
    expect(messages[2].key.participantPn).toMatch(/^\d{2}\*{4}\d{2}\*{2}$/)
    expect(messages[2].pushName).toBe("***")
    expect(messages[3].key.remoteJid).toMatch(/^xx\d{4}@s\.whatsapp\.net$/)
    expect(messages[3].status).toBe(2)
    expect(messages[4].key.remoteJid).toBe("@s.whatsapp.net")
  })

  it("refuses a line that is not JSON, names it, and writes nothing", () => {
    const { result, output, input } = run([stream[1] ?? "", "{not json", stream[2] ?? ""])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`${input}:2: not a JSON line`)
    expect(result.stderr).toContain("nothing was written")
    expect(existsSync(output)).toBe(false)
  })

  it("says how to call it when OUT is missing", () => {
    const result = runBridge("anonymize", "in.jsonl")
    expect(result.status).toBe(2)
    expect(result.stderr).toContain("anonymize IN --out OUT")
  })
})
