// Bundles the MCP server into one ES module. Users' MCP clients start the server for every
// session, and loading effect, the MCP SDK and the plugins as hundreds of separate modules costs
// about a second on a small machine; one tree-shaken file starts in a fraction of that.
// better-sqlite3 stays external: it is a native addon.
import { build } from "esbuild"

await build({
  entryPoints: { "whatsapp-mcp": new URL("../dist/bin/whatsapp-mcp.js", import.meta.url).pathname },
  outdir: new URL("../dist/bundle", import.meta.url).pathname,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["better-sqlite3"],
  sourcemap: "linked",
  legalComments: "none",
  minify: true,
  keepNames: false,
  logLevel: "warning",
  // Some bundled dependencies are CommonJS and call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
})
