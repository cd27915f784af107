import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Mounting starts a whatsapp-mcp server in the test process: give a busy machine time.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
