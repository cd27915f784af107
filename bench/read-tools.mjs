// Read tools through the full MCP path (the SDK's `Client` over stdio to the bundled `whatsapp-mcp`
// server, one long-running process, as a client uses it) and their SQL alone (every statement the
// tool ran for that call, with the same bound values, replayed on better-sqlite3 right after it),
// p50/p99 per tool, beside the original project's search (`LOWER(content) LIKE LOWER('%q%')`
// joined to chats, on its own schema loaded with the same rows) in the same run. Never part of
// `pnpm test`.
//
// Usage: pnpm build && node bench/read-tools.mjs --store DIR [--runs 200]
//   DIR holds a store the bridge built, e.g. 1M synthetic messages:
//   pnpm --filter @whatsapp-mcp/fixtures synthetic --messages 1000000 --seed 1 --out /tmp/h1m.jsonl
//   pnpm bridge ingest /tmp/h1m.jsonl --store /tmp/store-1m
//   --server FILE runs another build of the bundled server (default packages/server/dist/bundle/…)
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import { searchWords } from "./search-words.mjs"

const { values } = parseArgs({
  options: {
    store: { type: "string" },
    runs: { type: "string", default: "200" },
    // another build of the server (e.g. a copy of dist/bundle from before a change), to compare
    server: { type: "string" },
  },
})
if (values.store === undefined || !existsSync(join(values.store, "messages.db"))) {
  console.error(
    "usage: node bench/read-tools.mjs --store DIR [--runs N] [--server FILE]  (DIR must hold messages.db)",
  )
  process.exit(2)
}
const storeDir = resolve(values.store)
const runs = Number(values.runs)
const root = resolve(import.meta.dirname, "..")
const Database = createRequire(join(root, "packages/bridge/package.json"))("better-sqlite3")
const fromServer = createRequire(join(root, "packages/server/package.json"))
const { Client } = fromServer("@modelcontextprotocol/sdk/client/index.js")
const { StdioClientTransport } = fromServer("@modelcontextprotocol/sdk/client/stdio.js")
const built = (path) => import(pathToFileURL(join(root, path)).href)
const { recordToolCalls } = await built("packages/testkit/dist/index.js")
const { StoreLive: Store } = await built("packages/server/dist/host/index.js")
const readTools = (
  await Promise.all(
    ["plugin-messages", "plugin-chats", "plugin-contacts"].map((p) => built(`packages/${p}/dist/index.js`)),
  )
).flatMap((module) => module.default.tools)

// ---------------------------------------------------------------------------------------------
// Arguments drawn from the store itself, the same for every tool and for the baseline.
const store = new Database(join(storeDir, "messages.db"), { readonly: true })
const count = store.prepare("SELECT COUNT(*) AS n FROM messages").get().n
const chats = store.prepare("SELECT jid FROM chats ORDER BY last_message_time DESC LIMIT 200").all()
const people = store.prepare("SELECT jid, phone, lid FROM contacts WHERE phone IS NOT NULL LIMIT 200").all()
const names = store
  .prepare("SELECT display_name FROM contacts WHERE address_book_name IS NOT NULL LIMIT 200")
  .all()
  .map((row) => row.display_name.split(" ")[0])
const anchors = store
  .prepare(
    "SELECT id, chat_jid FROM messages WHERE row_id IN (SELECT abs(random()) % ? + 1 FROM messages LIMIT 200)",
  )
  .all(count)
store.close()
const words = searchWords
const pick = (list, i) => list[i % list.length]

// ---------------------------------------------------------------------------------------------
// The original project's schema and search, same rows, same words, same machine, same run.
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]
const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}
const baselineDir = mkdtempSync(join(tmpdir(), "wa-bench-baseline-"))
const baseline = new Database(join(baselineDir, "messages.db"))
baseline.exec(`
  CREATE TABLE chats (jid TEXT PRIMARY KEY, name TEXT, last_message_time TIMESTAMP);
  CREATE TABLE messages (
    id TEXT, chat_jid TEXT, sender TEXT, content TEXT, timestamp TIMESTAMP, is_from_me BOOLEAN,
    media_type TEXT, filename TEXT, url TEXT, media_key BLOB, file_sha256 BLOB, file_enc_sha256 BLOB,
    file_length INTEGER,
    PRIMARY KEY (id, chat_jid), FOREIGN KEY (chat_jid) REFERENCES chats(jid));
  ATTACH DATABASE '${join(storeDir, "messages.db").replaceAll("'", "''")}' AS store;
  INSERT INTO chats SELECT c.jid, COALESCE(c.name, co.display_name), c.last_message_time
    FROM store.chats c LEFT JOIN store.contacts co ON co.jid = c.jid;
  INSERT INTO messages SELECT id, chat_jid, substr(sender_jid, 1, instr(sender_jid, '@') - 1), text, timestamp,
    from_me, CASE WHEN kind IN ('image','video','audio','voice','document','sticker') THEN kind END,
    media_file_name, media_url, media_key, media_sha256, media_enc_sha256, media_size
    FROM store.messages;
  DETACH DATABASE store;
`)
const likeSearch = baseline.prepare(`
  SELECT messages.timestamp, messages.sender, chats.name, messages.content, messages.is_from_me,
    chats.jid, messages.id, messages.media_type
  FROM messages JOIN chats ON messages.chat_jid = chats.jid
  WHERE LOWER(messages.content) LIKE LOWER(?)
  ORDER BY messages.timestamp DESC LIMIT ? OFFSET ?`)
// Measured between the calls of list_messages with a query (below), so that both see the same
// machine: other work on a shared machine moves both figures, not their ratio.
const likeTimes = []
const likeOnce = (i) => {
  const started = process.hrtime.bigint()
  likeSearch.all(`%${pick(words, i)}%`, 20, 0)
  return Number(process.hrtime.bigint() - started) / 1e6
}
likeOnce(0)
// The original's list_chats: each chat with the message at its last_message_time, newest first.
const originalChats = baseline.prepare(`
  SELECT chats.jid, chats.name, chats.last_message_time, messages.content, messages.sender, messages.is_from_me
  FROM chats LEFT JOIN messages
    ON chats.jid = messages.chat_jid AND chats.last_message_time = messages.timestamp
  ORDER BY chats.last_message_time DESC LIMIT ? OFFSET ?`)
const chatsTimes = []
const chatsOnce = () => {
  const started = process.hrtime.bigint()
  originalChats.all(20, 0)
  return Number(process.hrtime.bigint() - started) / 1e6
}
chatsOnce()

// ---------------------------------------------------------------------------------------------
// The server, over stdio, as an MCP client runs it: the SDK's Client, which lists the tools first
// and then checks every structured result against the tool's output schema.
const bin = resolve(values.server ?? join(root, "packages/server/dist/bundle/whatsapp-mcp.mjs"))
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [bin, "--store", storeDir],
  stderr: "inherit",
})
const client = new Client({ name: "whatsapp-mcp-bench", version: "1" })
await client.connect(transport)
await client.listTools()
let serverCalls = 0

// The SQL alone: the statements each call ran (recorded in-process by the test kit, same
// arguments, same store), replayed on a read-only better-sqlite3 connection with the pragmas the
// server's own connection uses, every statement prepared once and its rows read as arrays, as the
// server's client keeps and reads them.
const direct = new Database(join(storeDir, "messages.db"), { readonly: true })
for (const pragma of Store.readPragmas) direct.pragma(pragma)
const prepared = new Map()
const replay = (statements) => {
  const started = process.hrtime.bigint()
  for (const [text, params] of statements) {
    let statement = prepared.get(text)
    if (statement === undefined) {
      statement = direct.prepare(text)
      if (statement.reader) statement.raw(true)
      prepared.set(text, statement)
    }
    statement.all(...params)
  }
  return Number(process.hrtime.bigint() - started) / 1e6
}

const measureTool = async (name, argsOf, between) => {
  const tool = readTools.find((t) => t.name === name)
  if (tool === undefined) throw new Error(`no read tool ${name}`)
  const argsList = Array.from({ length: runs + 10 }, (_, k) => argsOf(Math.abs(k - 10)))
  const recorded = await recordToolCalls(tool, argsList, { storeDir })
  const times = []
  const sqlTimes = []
  let errors = 0
  for (let i = -10; i < runs; i++) {
    const started = process.hrtime.bigint()
    let problem
    try {
      const answer = await client.callTool({ name, arguments: argsList[i + 10] })
      if (answer.isError === true) problem = answer.content
    } catch (error) {
      problem = String(error)
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    serverCalls++
    const sqlMs = replay(recorded[i + 10].statements)
    if (problem !== undefined) {
      errors++
      if (errors === 1) console.error(`${name}: ${JSON.stringify(problem)}`)
    }
    if (i >= 0) {
      times.push(ms)
      sqlTimes.push(sqlMs)
      between?.(i)
    }
  }
  return { ...summary(times), errors, sql: summary(sqlTimes) }
}

const results = []
const cases = [
  [
    "list_messages (query)",
    "list_messages",
    (i) => ({ query: pick(words, i) }),
    (i) => {
      if (i % Math.max(1, Math.floor(runs / 40)) === 0) likeTimes.push(likeOnce(i))
    },
  ],
  [
    "list_messages (query, no context)",
    "list_messages",
    (i) => ({ query: pick(words, i), include_context: false }),
  ],
  ["list_messages (chat)", "list_messages", (i) => ({ chat_jid: pick(chats, i).jid })],
  ["list_messages (sender)", "list_messages", (i) => ({ sender_phone_number: `+${pick(people, i).phone}` })],
  [
    "list_chats",
    "list_chats",
    () => ({}),
    // ten samples: the original's list_chats takes seconds on a large history
    (i) => {
      if (i % Math.max(1, Math.floor(runs / 10)) === 0) chatsTimes.push(chatsOnce())
    },
  ],
  ["list_chats (query)", "list_chats", (i) => ({ query: pick(names, i) })],
  ["get_chat", "get_chat", (i) => ({ chat_jid: pick(chats, i).jid })],
  [
    "get_message_context",
    "get_message_context",
    (i) => ({ message_id: pick(anchors, i).id, chat_jid: pick(anchors, i).chat_jid }),
  ],
  ["search_contacts", "search_contacts", (i) => ({ query: pick(names, i) })],
  ["get_contact", "get_contact", (i) => ({ identifier: pick(people, i).lid ?? pick(people, i).jid })],
  [
    "get_direct_chat_by_contact",
    "get_direct_chat_by_contact",
    (i) => ({ sender_phone_number: `+${pick(people, i).phone}` }),
  ],
  ["get_contact_chats", "get_contact_chats", (i) => ({ jid: pick(people, i).jid })],
  ["get_last_interaction", "get_last_interaction", (i) => ({ jid: pick(people, i).jid })],
]
// A client's server runs for the whole session. Before any figure, every case makes `warmUpCalls`
// unmeasured calls, so that no tool pays for the compiling of code all tools share: measured first
// without this, list_messages with a query took ~1 ms more per call than the same case measured last.
const warmUpCalls = 30
for (const [, name, argsOf] of cases)
  for (let k = 0; k < warmUpCalls; k++) {
    await client.callTool({ name, arguments: argsOf(runs + k) })
    serverCalls++
  }
for (const [label, name, argsOf, between] of cases)
  results.push([label, await measureTool(name, argsOf, between)])
// Resident memory of the server after every call above (13 cases, each warmUpCalls + runs + 10
// calls, mixed).
const calls = serverCalls
const statusOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8")
  } catch {
    return ""
  }
}
const kib = (status, key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN)
const serverStatus = statusOf(transport.pid)
await client.close()
direct.close()
baseline.close()
const like = summary(likeTimes)
const original = summary(chatsTimes)

// ---------------------------------------------------------------------------------------------
const fmt = (ms) => `${ms.toFixed(2)} ms`.padStart(11)
console.log(
  `\nRead tools on ${count.toLocaleString("en")} messages, ${runs} calls each: MCP (SDK Client over stdio) and the SQL alone:`,
)
console.log(
  `${"tool".padEnd(36)}${"MCP p50".padStart(11)}${"MCP p99".padStart(11)}${"SQL p50".padStart(11)}${"SQL p99".padStart(11)}  errors`,
)
for (const [label, r] of results)
  console.log(`${label.padEnd(36)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.sql.p50)}${fmt(r.sql.p99)}  ${r.errors}`)
console.log(
  `${`original LIKE search (SQL only, ${likeTimes.length} runs)`.padEnd(36)}${fmt(like.p50)}${fmt(like.p99)}`,
)
const query = results[0][1]
console.log(
  `\nlist_messages with a query, whole MCP round trip: p50 ${query.p50.toFixed(2)} ms vs the original's LIKE SQL alone p50 ${like.p50.toFixed(2)} ms: ${(like.p50 / query.p50).toFixed(0)}x faster`,
)
const worst = Math.max(...results.map(([, r]) => r.p99))
console.log(`slowest read tool p99: ${worst.toFixed(2)} ms`)
console.log(
  `${`original list_chats (SQL only, ${chatsTimes.length} runs)`.padEnd(36)}${fmt(original.p50)}${fmt(original.p99)}`,
)
console.log(
  `server RSS after ${calls} mixed calls: ${(kib(serverStatus, "VmRSS") / 1024).toFixed(1)} MB (peak ${(kib(serverStatus, "VmHWM") / 1024).toFixed(1)} MB)`,
)
console.log(`reproduce: pnpm build && node bench/read-tools.mjs --store ${values.store} --runs ${runs}`)
console.log(
  `json: ${JSON.stringify({
    messages: count,
    runs,
    tools: Object.fromEntries(results),
    originalLike: { ...like, runs: likeTimes.length },
    originalListChats: { ...original, runs: chatsTimes.length },
    serverCalls: calls,
    serverRssMB: kib(serverStatus, "VmRSS") / 1024,
    serverPeakRssMB: kib(serverStatus, "VmHWM") / 1024,
  })}`,
)
