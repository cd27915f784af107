// Chats as resources a client offers the user to attach: listed most recent first, read as a
// Markdown transcript with names, message text quoted as data, deleted content never shown.
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Mounted, mountPromise, storeFromStreams } from "@whatsapp-mcp/testkit"
import plugin from "../src/index.js"

const demo = join(__dirname, "../../../fixtures/demo/demo.jsonl")
let mounted: Mounted & { readonly close: () => Promise<void> }

beforeAll(async () => {
  const { storeDir, problems } = await storeFromStreams([demo])
  expect(problems).toEqual([])
  mounted = await mountPromise({ plugins: [plugin], storeDir, timezone: "Europe/Paris" })
})
afterAll(() => mounted.close())

describe("whatsapp://chat/{jid}", () => {
  it("is offered as a template and lists the most recent chats by name", async () => {
    const { resourceTemplates } = await mounted.client.listResourceTemplates()
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["whatsapp://chat/{jid}"])
    const { resources } = await mounted.client.listResources()
    expect(resources.length).toBeGreaterThan(3)
    expect(resources[0]?.uri).toMatch(/^whatsapp:\/\/chat\/[0-9]+%40/)
    expect(resources.map((r) => r.name)).toContain("Sunday football ⚽")
    expect(resources.every((r) => !/@/.test(r.name))).toBe(true)
  })

  it("reads a group as a transcript, oldest first, with names and quoted text", async () => {
    const { resources } = await mounted.client.listResources()
    const football = resources.find((r) => r.name === "Sunday football ⚽")!
    const { contents } = await mounted.client.readResource({ uri: football.uri })
    const text = (contents[0] as { text: string }).text
    expect(contents[0]?.mimeType).toBe("text/markdown")
    expect(text.startsWith('# Chat "Sunday football ⚽"\n')).toBe(true)
    const lines = text.split("\n").filter((line) => line.startsWith("- "))
    expect(lines.length).toBeGreaterThan(3)
    // the tools' time format: the date and offset on a day's first line, the time alone after it
    let day = ""
    let offset = ""
    const times = lines.map((line) => {
      const m = /^- (?:(\d{4}-\d{2}-\d{2}) )?(\d{2}:\d{2})(\+0[12]:00)? \*\*(?:You|"[^"]+")\*\*: ".*"$/.exec(
        line,
      )
      expect(m, line).not.toBeNull()
      if (m?.[1] !== undefined) day = m[1]
      if (m?.[3] !== undefined) offset = m[3]
      return Date.parse(`${day}T${m?.[2]}${offset}`)
    })
    // the first line says the offset; the others leave out what has not changed since
    expect(lines[0]).toMatch(/^- \d{4}-\d{2}-\d{2} \d{2}:\d{2}\+0[12]:00 /)
    expect(times.every((t) => !Number.isNaN(t))).toBe(true)
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })

  it("finds a direct chat whichever identifier the URI carries", async () => {
    const byPhone = await mounted.client.readResource({ uri: "whatsapp://chat/%2B1%20202%20555%200101" })
    const text = (byPhone.contents[0] as { text: string }).text
    expect(text).toMatch(/^# Chat "Zoé Lefèvre"/)
    expect(text).toMatch(/\*\*"Zoé Lefèvre"\*\*: "/)
  })

  it("says how to find the chat when it is unknown", async () => {
    await expect(
      mounted.client.readResource({ uri: "whatsapp://chat/19995550000%40s.whatsapp.net" }),
    ).rejects.toThrow(/no chat with 19995550000@s\.whatsapp\.net.*list_chats/)
  })
})
