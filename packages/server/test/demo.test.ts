// A newcomer's first run: `pnpm demo` starts the replay bridge on the bundled recording and prints
// the client configuration; an MCP client started with exactly that configuration answers every
// question the demo and the README suggest, played as the tool calls a model makes. A second
// demo says what already runs and leaves it alone.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { freePort } from "./support/FreePort.js"
import { Heard, textOf } from "./support/Notifications.js"

const root = resolve(__dirname, "../../..")
// What `pnpm demo` runs: the installed command's own demo.
const demoCommand = [join(root, "packages/whatsapp-mcp/bin/whatsapp-mcp.mjs"), "demo"]
const children: Array<ChildProcess> = []
const clients: Array<Client> = []
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  for (const child of children) child.kill("SIGINT")
})

/**
 * A zone where it is about midday now, so that "today" holds the demo's last half hour whatever
 * the hour of the run (the demo moves its recording to end a minute ago).
 */
const middayZone = () => {
  const offset = 12 - new Date().getUTCHours()
  return offset === 0 ? "Etc/GMT" : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`
}
const zone = middayZone()
const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date())
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString()

type Structured = Record<string, unknown>
let client: Client
const call = async (name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args })
  expect(result.isError, `${name} ${JSON.stringify(args)}: ${JSON.stringify(result.content)}`).toBeFalsy()
  return result.structuredContent as Structured
}
const phoneOf = async (name: string) => {
  const found = (await call("search_contacts", { query: name })) as {
    contacts: Array<{ name: string; phone_number: string | null; jid: string }>
  }
  const contact = found.contacts[0]
  expect(contact, `search_contacts ${name}`).toBeDefined()
  return { phone: contact?.phone_number ?? "", jid: contact?.jid ?? "" }
}
type Message = { id: string; chat_jid: string; text: string | null; sender: string; time: string }
const messagesOf = (result: Structured) => (result as { messages: Array<Message> }).messages

/**
 * Each suggested question, as the calls a model makes for it; each returns what the answer must be
 * built from, and checks that it is there.
 */
const plays: Record<string, () => Promise<void>> = {
  "What did I miss today?": async () => {
    const found = messagesOf(await call("list_messages", { after: `${today}T00:00:00`, limit: 50 }))
    const texts = found.map((m) => m.text ?? "").join("\n")
    expect(found.length).toBeGreaterThan(5)
    for (const m of found) expect(m.time.slice(0, 10)).toBe(today)
    expect(texts).toMatch(/Climbing again Thursday\?/)
    expect(texts).toMatch(/Rappel : déjeuner chez mamie dimanche/)
  },
  "Which chats have unread messages, and what do they want?": async () => {
    const { chats } = (await call("list_chats", {})) as {
      chats: Array<{ jid: string; name: string; unread_count: number }>
    }
    const unread = chats.filter((chat) => chat.unread_count > 0)
    expect(unread.length).toBeGreaterThan(0)
    for (const chat of unread) {
      const recent = messagesOf(await call("list_messages", { chat_jid: chat.jid, limit: chat.unread_count }))
      expect(recent.length, chat.name).toBeGreaterThan(0)
    }
  },
  "Summarise the family group this week.": async () => {
    const { chats } = (await call("list_chats", { kind: "group" })) as {
      chats: Array<{ jid: string; name: string }>
    }
    const family = chats.find((chat) => /famil/i.test(chat.name))
    expect(family, JSON.stringify(chats.map((c) => c.name))).toBeDefined()
    const week = messagesOf(
      await call("list_messages", { chat_jid: family?.jid, after: daysAgo(7), limit: 50 }),
    )
    expect(week.map((m) => m.text).join("\n")).toMatch(/déjeuner chez mamie dimanche à midi/)
  },
  "Find the address Jürgen sent me.": async () => {
    const { phone } = await phoneOf("Jürgen")
    const result = await call("list_messages", { sender_phone_number: phone })
    expect(JSON.stringify(result)).toMatch(/Seestraße, 83471 Schönau am Königssee/)
  },
  "Find the photo Priya sent and download it.": async () => {
    const { phone } = await phoneOf("Priya")
    const photos = messagesOf(
      await call("list_messages", { sender_phone_number: phone, media_type: "image" }),
    )
    const photo = photos[0]
    expect(photo).toBeDefined()
    const saved = (await call("download_media", { message_id: photo?.id, chat_jid: photo?.chat_jid })) as {
      path: string
    }
    expect(existsSync(saved.path)).toBe(true)
  },
  "Reply to Lucía that I'll be there at 8.": async () => {
    const { phone, jid } = await phoneOf("Lucía")
    const sent = (await call("send_message", { recipient: phone, message: "I'll be there at 8!" })) as {
      message_id: string
    }
    expect(sent.message_id).toBeTruthy()
    // The bridge stores its own send when WhatsApp echoes it, a moment after the call returns.
    await expect
      .poll(
        async () =>
          messagesOf(await call("list_messages", { chat_jid: jid, limit: 1, include_context: false }))[0]
            ?.text,
      )
      .toBe("I'll be there at 8!")
  },
  "What did Priya and I talk about last year?": async () => {
    const { jid } = await phoneOf("Priya")
    // The synced history stops short of last year; the demo's phone sends the older messages.
    const stored = messagesOf(await call("list_messages", { chat_jid: jid, before: daysAgo(300), limit: 5 }))
    expect(stored).toEqual([])
    const loaded = (await call("load_older_messages", { chat_jid: jid })) as {
      answered: boolean
      arrived: number
      messages: Array<Message>
    }
    expect(loaded.answered).toBe(true)
    expect(loaded.arrived).toBe(7)
    expect(loaded.messages.map((m) => m.text).join("\n")).toMatch(/Lisbon in May\?/)
    const now = messagesOf(await call("list_messages", { chat_jid: jid, before: daysAgo(300), limit: 5 }))
    expect(now.map((m) => m.text)).toContain("Deal. Porto next time, though 🍷")
  },
  "Qu'est-ce que Zoé a dit pour dimanche ?": async () => {
    const { phone } = await phoneOf("Zoé")
    const said = messagesOf(await call("list_messages", { sender_phone_number: phone, query: "dimanche" }))
    expect(said.map((m) => m.text).join("\n")).toMatch(/Il va faire beau dimanche/)
  },
}

/** The questions a text suggests: quoted ones ending in ? or . in a bullet list or an "Ask" line. */
const questionsIn = (text: string) =>
  [...text.matchAll(/"([A-Z][^"\n]{8,}[?.])"/g)]
    .map((match) => match[1] ?? "")
    .filter((q) => !q.includes("`"))

describe("pnpm demo", () => {
  let port = 0
  let store = ""
  let stdout = ""
  let stderr = ""
  let server: { command: string; args: Array<string> } = { command: "", args: [] }

  beforeAll(async () => {
    port = await freePort()
    store = join(mkdtempSync(join(tmpdir(), "wa-demo-")), "store")
    const demo = spawn(process.execPath, [...demoCommand, "--port", String(port), "--store", store], {
      stdio: ["ignore", "pipe", "pipe"],
    })
    children.push(demo)
    demo.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    demo.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    await new Promise<void>((ready, failed) => {
      demo.stdout.on("data", () => {
        if (/Then ask, for example[\s\S]*Ctrl-C stops/.test(stdout)) ready()
      })
      demo.on("exit", (code) => failed(new Error(`pnpm demo exited with ${code}:\n${stderr}`)))
    })
    const json = stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1)
    server = JSON.parse(json).mcpServers.whatsapp
    client = new Client({ name: "newcomer", version: "1.0.0" })
    clients.push(client)
    await client.connect(
      new StdioClientTransport({
        command: server.command,
        args: server.args,
        env: { ...getDefaultEnvironment(), WHATSAPP_MCP_TIMEZONE: zone },
        stderr: "pipe",
      }),
    )
  }, 90_000)

  it("prints a client configuration that works as printed, and `pnpm checkup` finds nothing to fix", () => {
    expect(server.command).toBe(process.execPath)
    expect(server.args[0]).toBe(join(root, "packages/whatsapp-mcp/bin/whatsapp-mcp.mjs"))
    const configFile = server.args[server.args.indexOf("--config") + 1] ?? ""
    const checkup = spawnSync(
      process.execPath,
      [join(root, "packages/whatsapp-mcp/bin/whatsapp-mcp.mjs"), "checkup", "--config", configFile],
      { encoding: "utf8" },
    )
    expect(checkup.stdout).toMatch(/^✓ WhatsApp: connected/m)
    expect(checkup.stdout).toMatch(/^✓ History sync: idle, 16 chats/m)
    expect(checkup.stdout).toMatch(/All checks passed/)
    expect(checkup.status).toBe(0)
  })

  it("says what it loaded, without ingestion figures that mean nothing to a newcomer", () => {
    expect(stderr).toMatch(/^Loaded the recording: \d+ messages in 16 chats, \d+ contacts\.$/m)
    expect(`${stdout}\n${stderr}`).not.toMatch(/messages\/s|cpu seconds|^seconds:|^events:/im)
  })

  it("is connected as the person whose chats it shows, as the recording announced them", () => {
    // The demo recording's account is Sam Rivera, +1 202 555 0100.
    expect(stderr).toMatch(/Connected to WhatsApp as 12025550100:1@s\.whatsapp\.net/)
  })

  it("suggests only questions it can answer, and the README suggests the same ones", () => {
    const printed = questionsIn(stdout.slice(stdout.indexOf("Then ask")))
    expect(printed.length).toBeGreaterThanOrEqual(5)
    const readme = readFileSync(join(root, "README.md"), "utf8")
    const asked = questionsIn(
      readme.slice(readme.indexOf("## Set up"), readme.indexOf("## Add it to your MCP client")),
    )
    expect(asked.length).toBeGreaterThanOrEqual(5)
    for (const question of [...printed, ...asked]) expect(Object.keys(plays), question).toContain(question)
  })

  for (const [question, play] of Object.entries(plays)) it(`answers "${question}" from the demo's data`, play)

  it("has Lucía write again a few seconds after start, and tells a client subscribed to her chat", async () => {
    const heard = new Heard(client)
    const lucia = "whatsapp://chat/12025550103%40s.whatsapp.net"
    await client.subscribeResource({ uri: lucia })
    const transcript = async () => textOf(await client.readResource({ uri: lucia }))
    // It may have come before the subscription; if not, the notification says when it does.
    if (!(await transcript()).includes("¿Sigue en pie lo de las 8?")) await heard.until(`updated ${lucia}`)
    expect(await transcript()).toContain("¿Sigue en pie lo de las 8?")
    await client.unsubscribeResource({ uri: lucia })
  }, 60_000)

  it("refuses a second demo on the same store, naming the first and how to stop it, and leaves it running", async () => {
    const token = readFileSync(join(store, "bridge-token"), "utf8")
    const files = readdirSync(store).sort()
    const second = spawnSync(
      "npx",
      ["-y", "pnpm@10.34.9", "demo", "--store", store, "--port", String(await freePort())],
      { encoding: "utf8", cwd: root },
    )
    expect(second.status).not.toBe(0)
    expect(second.stderr).toMatch(
      new RegExp(
        `a demo is already running on ${store} \\(process (\\d+), bridge on http://127\\.0\\.0\\.1:${port}\\)`,
      ),
    )
    expect(second.stderr).toMatch(/stop it with Ctrl-C in its terminal \(or `kill \d+`\)/)
    expect(readFileSync(join(store, "bridge-token"), "utf8")).toBe(token)
    expect(readdirSync(store).sort()).toEqual(files)
    // The first one still takes sends with its token.
    const { phone } = await phoneOf("Priya")
    await call("send_message", { recipient: phone, message: "Still here" })
  })

  it("takes over the lock of a demo that is gone, and says what is wrong with a bad --store or --port", () => {
    const stale = join(mkdtempSync(join(tmpdir(), "wa-demo-stale-")), "store")
    mkdirSync(stale)
    // A demo killed without a chance to clean up: its process no longer exists.
    writeFileSync(join(stale, "demo.pid"), JSON.stringify({ pid: 2 ** 22 + 12_345, port }))
    const after = spawnSync(process.execPath, [...demoCommand, "--store", stale, "--port", String(port)], {
      encoding: "utf8",
    })
    // Past the lock, it stops at the busy port, and leaves no lock of its own behind.
    expect(after.stderr).toMatch(/is already in use/)
    expect(readdirSync(stale)).toEqual([])
    const file = join(stale, "a-file")
    writeFileSync(file, "")
    const badStore = spawnSync(process.execPath, [...demoCommand, "--store", file], {
      encoding: "utf8",
    })
    expect(badStore.stderr).toMatch(/pnpm demo: --store .*a-file cannot be used as the demo's store/)
    expect(badStore.status).toBe(2)
    // a real store typed by mistake: refused, and every file of it kept
    const real = join(mkdtempSync(join(tmpdir(), "wa-demo-real-")), "store")
    mkdirSync(real)
    writeFileSync(join(real, "messages.db"), "history")
    writeFileSync(join(real, "session.db"), "keys")
    const refused = spawnSync(process.execPath, [...demoCommand, "--store", real], { encoding: "utf8" })
    expect(refused.stderr).toMatch(/pnpm demo: --store .* holds files that are not a demo's \(.*messages\.db/)
    expect(refused.status).toBe(2)
    expect(readFileSync(join(real, "messages.db"), "utf8")).toBe("history")
    expect(readdirSync(real).sort()).toEqual(["messages.db", "session.db"])
    const badPort = spawnSync(process.execPath, [...demoCommand, "--port", "eighty"], {
      encoding: "utf8",
    })
    expect(badPort.stderr).toMatch(/pnpm demo: --port must be a port number, not eighty/)
    expect(badPort.status).toBe(2)
  })

  it("refuses a second demo on the same port before touching its own store", () => {
    const other = join(mkdtempSync(join(tmpdir(), "wa-demo-other-")), "store")
    const second = spawnSync(process.execPath, [...demoCommand, "--store", other, "--port", String(port)], {
      encoding: "utf8",
    })
    expect(second.status).toBe(1)
    expect(second.stderr).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port} is already in use .* \`pnpm demo --port ${port + 1}\``),
    )
    expect(readdirSync(other)).toEqual([])
  })
})
