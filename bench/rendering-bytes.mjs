// What a model reads, in bytes: the text of five typical list_messages calls on the demo recording,
// against the same rows printed in the original project's format (one line per message,
// `[2026-01-02 15:32:00] Chat: NAME From: SENDER: text`; see bench/RenderingComparison.ts, which a
// test shares). Both count every row the call shows: hits and their context. Tokens are estimated
// as bytes / 4 (no tokenizer is installed). Never part of `pnpm test`.
//
// Usage: pnpm build && node bench/rendering-bytes.mjs [--show]   (--show prints both renderings)
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import { tsImport } from "tsx/esm/api"

const { values } = parseArgs({ options: { show: { type: "boolean", default: false } } })
const root = resolve(import.meta.dirname, "..")
const built = (path) => import(pathToFileURL(join(root, path)).href)
const { bytes, originalRendering, shownOf, typicalCalls } = await tsImport(
  "./RenderingComparison.ts",
  import.meta.url,
)
const { mountPromise, storeFromStreams } = await built("packages/testkit/dist/index.js")
const plugins = await Promise.all(
  ["plugin-contacts", "plugin-chats", "plugin-messages"].map(
    async (p) => (await built(`packages/${p}/dist/index.js`)).default,
  ),
)

const store = await storeFromStreams([join(root, "fixtures/demo/demo.jsonl")])
if (store.problems.length > 0) throw new Error(store.problems.join("\n"))
const mounted = await mountPromise({ plugins, storeDir: store.storeDir, timezone: "UTC" })
const call = async (name, args) => {
  const result = await mounted.client.callTool({ name, arguments: args })
  if (result.isError === true) throw new Error(`${name} ${JSON.stringify(args)}: ${result.content[0]?.text}`)
  // The rendering is the first block; a second one comes only while WhatsApp is not connected (no
  // bridge runs here), which a connected user never pays for.
  return { text: result.content[0]?.text ?? "", structured: result.structuredContent }
}

const { structured: listed } = await call("list_chats", { limit: 50 })
const calls = typicalCalls(listed.chats)

const rows = []
for (const [label, args] of calls) {
  const { text, structured } = await call("list_messages", args)
  const original = originalRendering(structured.messages)
  rows.push({
    label,
    args,
    messages: shownOf(structured.messages).length,
    ours: bytes(text),
    original: bytes(original),
  })
  if (values.show) console.log(`--- ${label} ${JSON.stringify(args)}\n${text}\n--- original\n${original}`)
}
await mounted.close()

const total = rows.reduce((sum, r) => ({ ours: sum.ours + r.ours, original: sum.original + r.original }), {
  ours: 0,
  original: 0,
})
console.log(
  "\nlist_messages text on the demo recording, ours against the original's format of the same rows:",
)
console.log(
  `${"call".padEnd(26)}${"messages".padStart(9)}${"ours B".padStart(9)}${"orig. B".padStart(9)}${"ratio".padStart(7)}${"ours tok".padStart(10)}${"orig. tok".padStart(10)}`,
)
for (const r of rows)
  console.log(
    `${r.label.padEnd(26)}${String(r.messages).padStart(9)}${String(r.ours).padStart(9)}${String(r.original).padStart(9)}${(r.ours / r.original).toFixed(2).padStart(7)}${String(Math.round(r.ours / 4)).padStart(10)}${String(Math.round(r.original / 4)).padStart(10)}`,
  )
console.log(
  `${"all five".padEnd(35)}${String(total.ours).padStart(9)}${String(total.original).padStart(9)}${(total.ours / total.original).toFixed(2).padStart(7)}${String(Math.round(total.ours / 4)).padStart(10)}${String(Math.round(total.original / 4)).padStart(10)}`,
)
console.log("tokens estimated as bytes / 4")
console.log("reproduce: pnpm build && node bench/rendering-bytes.mjs")
console.log(`json: ${JSON.stringify({ calls: rows, total, ratio: total.ours / total.original })}`)
