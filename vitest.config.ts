// One vitest run for the whole workspace. Workspace packages resolve to their TypeScript sources
// through the "@whatsapp-mcp/source" export condition, so tests never run against a stale dist.
import { defineConfig } from "vitest/config"

// The rest are vite's default server conditions.
const conditions = ["@whatsapp-mcp/source", "module", "node", "development|production"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "fixtures/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
})
