// `pnpm bench` on a tiny history: it runs to the end and writes a complete results.json, so the
// figures the README quotes can always be reproduced. Speed itself is never asserted here.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const root = resolve(__dirname, "../../..")
const readTools = [
  "list_messages",
  "list_chats",
  "get_chat",
  "get_message_context",
  "search_contacts",
  "get_contact",
  "get_direct_chat_by_contact",
  "get_contact_chats",
  "get_last_interaction",
]

describe("pnpm bench", () => {
  it("measures every figure on a tiny history and writes them all to results.json", () => {
    const work = mkdtempSync(join(tmpdir(), "wa-bench-smoke-"))
    const out = join(work, "results.json")
    // As the README runs it: through the pinned pnpm, which the bench also uses to generate the history.
    execFileSync(
      "npx",
      [
        "-y",
        "pnpm@10.34.9",
        "bench",
        "--messages",
        "2000",
        "--runs",
        "3",
        "--cold-runs",
        "1",
        "--data",
        work,
        "--out",
        out,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    )
    const results = JSON.parse(readFileSync(out, "utf8"))
    const isFigure = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0

    expect(results.data.messages).toBe(2000)
    expect(results.command).toContain("pnpm bench --messages 2000")
    expect(typeof results.machine.cpu).toBe("string")
    expect(results.machine.cores).toBeGreaterThan(0)
    for (const key of ["ingestPerSecond", "ceilingPerSecond", "ratioToCeiling", "bridgePeakRssMB"])
      expect(isFigure(results.ingestion[key]), key).toBe(true)
    expect(isFigure(results.store.bytesPerMessage)).toBe(true)
    const measured = Object.keys(results.readTools.tools).map((label) => label.split(" ")[0])
    for (const tool of readTools) expect(measured).toContain(tool)
    for (const [label, figures] of Object.entries<{
      p50: number
      p99: number
      errors: number
      sql: { p50: number; p99: number }
    }>(results.readTools.tools)) {
      expect(isFigure(figures.p50) && isFigure(figures.p99), label).toBe(true)
      // every tool's statements, replayed on better-sqlite3 alone, are timed beside the round trip
      expect(isFigure(figures.sql.p50) && isFigure(figures.sql.p99), `${label} (SQL alone)`).toBe(true)
      // a tiny history leaves some people without a direct chat: "not found" is a counted answer
      expect(Number.isInteger(figures.errors), label).toBe(true)
    }
    expect(isFigure(results.readTools.originalLike.p50)).toBe(true)
    expect(isFigure(results.readTools.originalListChats.p50)).toBe(true)
    expect(isFigure(results.readTools.serverRssMB)).toBe(true)
    // list_messages over both transports in one run, each with the transport's own floor (ping) and,
    // over HTTP, a request refused before any MCP code runs
    for (const [kind, transports] of [
      ["list_messages", ["stdio", "HTTP"]],
      ["ping", ["stdio", "HTTP"]],
      ["refused (401)", ["HTTP"]],
    ] as const)
      for (const transport of transports) {
        const figures = results.transport.figures[kind][transport]
        expect(figures.calls, `${kind} over ${transport}`).toBe(15)
        expect(figures.errors, `${kind} over ${transport}`).toBe(0)
        expect(isFigure(figures.p50) && isFigure(figures.p99), `${kind} over ${transport}`).toBe(true)
        expect(
          isFigure(figures.clientCpuMs) && isFigure(figures.serverCpuMs),
          `${kind} over ${transport}`,
        ).toBe(true)
      }
    // the same searches give the same answers over both transports
    expect(results.transport.differentAnswers).toBe(0)
    expect(results.transport.figures.list_messages.HTTP.answerBytes).toBe(
      results.transport.figures.list_messages.stdio.answerBytes,
    )
    expect(isFigure(results.transport.ratio.p50) && isFigure(results.transport.ratio.p99)).toBe(true)
    expect(
      isFigure(results.transport.memory.HTTP.rssMB) && isFigure(results.transport.memory.stdio.rssMB),
    ).toBe(true)
    expect(results.transport.command).toContain("node bench/transport.mjs --store")
    expect(isFigure(results.coldStart.medianMs)).toBe(true)
    // what a model reads: the text of five list_messages calls beside the original's format of the same rows
    expect(results.rendering.calls).toHaveLength(5)
    for (const call of results.rendering.calls)
      expect(isFigure(call.ours) && isFigure(call.original)).toBe(true)
    expect(isFigure(results.rendering.ratio)).toBe(true)
    expect(Object.keys(results.targets)).toHaveLength(9)
  }, 180_000)
})
