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

// The server lives as long as the client's session and sits next to it on the user's machine. By
// default V8 lets the old generation grow to several times what is live before collecting it, so
// resident memory climbed with every call on a long history's store. Sizing
// the heap for memory keeps it near what is live; a read costs the same. Clients start the server
// with a plain `node`, so the flag is set here rather than on a command line, and before the bundle
// is compiled: V8 accepts a code cache only under the flags it was made with.
setFlagsFromString("--optimize-for-size")

const here = dirname(fileURLToPath(import.meta.url))
const run = runCommonJs(
  join(here, "whatsapp-mcp.cjs"),
  join(here, `whatsapp-mcp.${__SERVER_BUNDLE_ID__}.node-${process.version}-${process.arch}.v8cache`),
)
// Made when the server stops, so that it holds what start-up and the session compiled.
if (run.state !== "used") process.once("exit", () => run.save())
;(run.exports as { start: typeof start }).start((specifier) => import(specifier))
