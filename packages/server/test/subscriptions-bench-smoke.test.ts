// `bench/subscriptions-idle.mjs` for one second: it starts both servers, subscribes ten resources
// over stdio and prints both figures with the command that reproduces them. Speed is not asserted.
import { execFileSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const root = resolve(__dirname, "../../..")

describe("the idle cost of subscriptions", () => {
  it("is measured for a server with ten subscriptions beside one with none, in the same run", () => {
    const out = execFileSync(
      process.execPath,
      [resolve(root, "bench/subscriptions-idle.mjs"), "--seconds", "1"],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    )
    expect(out).toMatch(/^ {2}no subscriptions: +\d+\.\d{3}$/m)
    expect(out).toMatch(/^ {2}ten subscriptions: +\d+\.\d{3}$/m)
    expect(out).toContain("command: pnpm build && node bench/subscriptions-idle.mjs --seconds 1")
  }, 90_000)
})
