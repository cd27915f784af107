import { describe, expect, it } from "vitest"
import { RuntimeApiVersion } from "../src/index.js"

describe("workspace", () => {
  it("resolves the runtime's sources", () => {
    expect(RuntimeApiVersion).toBe(1)
  })
})
