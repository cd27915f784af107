// Bundles the bridge's command line into a few ES modules (one per subcommand's program, loaded on
// demand, plus the thread that decodes long recordings). Loading effect and its platform packages
// as hundreds of separate modules held up every command before any work began; bundled, `bridge
// ingest` and the daemon start sooner. Packages with native parts, worker threads of their own or
// data files stay external: better-sqlite3, Baileys, pino, ffmpeg, qrcode, sharp.
import { rmSync } from "node:fs"
import { build } from "esbuild"

const outdir = new URL("../dist/bundle", import.meta.url).pathname
// chunk names change with their content: clear the old ones
rmSync(outdir, { recursive: true, force: true })

await build({
  entryPoints: {
    bridge: new URL("../dist/bin/bridge.js", import.meta.url).pathname,
    RecordingDecodeWorker: new URL("../dist/recording/RecordingDecodeWorker.js", import.meta.url).pathname,
  },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: [
    "better-sqlite3",
    "@whiskeysockets/baileys",
    "@ffmpeg-installer/ffmpeg",
    "pino",
    "qrcode",
    "sharp",
  ],
  sourcemap: "linked",
  legalComments: "none",
  minify: true,
  logLevel: "warning",
  // Some bundled dependencies are CommonJS and call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
})
