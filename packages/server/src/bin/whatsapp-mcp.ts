#!/usr/bin/env node
// What users run (bundled as `dist/bundle/whatsapp-mcp.mjs`): starts the server (`main.ts`, bundled
// as `whatsapp-mcp.cjs`) through V8's code cache, which `pnpm build` makes and a start under
// another Node remakes. Nothing here may write to stdout.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { setFlagsFromString } from "node:v8"
import { runCommonJs } from "../launcher/CodeCache.js"
import type { start } from "../main.js"

/** The bundle's content hash, set when it is built: a cache belongs to exactly one build. */
declare const __SERVER_BUNDLE_ID__: string

// The flag the server sets (main.ts), set before compiling: V8 accepts a cache only under the flags
// it was made with.
setFlagsFromString("--optimize-for-size")

const here = dirname(fileURLToPath(import.meta.url))
const run = runCommonJs(
  join(here, "whatsapp-mcp.cjs"),
  join(here, `whatsapp-mcp.${__SERVER_BUNDLE_ID__}.node-${process.version}-${process.arch}.v8cache`),
)
// Made when the server stops, so that it holds what start-up and the session compiled.
if (run.state !== "used") process.once("exit", () => run.save())
;(run.exports as { start: typeof start }).start((specifier) => import(specifier))
