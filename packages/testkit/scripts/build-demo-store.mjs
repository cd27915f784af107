// Builds the demo store the test kit ships (packages/testkit/demo/messages.db): the demo recording
// (fixtures/demo/demo.jsonl, as recorded, so that tests can expect fixed values) ingested by the
// built bridge, exactly as `storeFromStreams` ingests it. Run by the workspace's `build` after tsc.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import Database from "better-sqlite3"
import { storeFromStreams } from "../dist/index.js"

const testkit = join(dirname(fileURLToPath(import.meta.url)), "..")
const recording = join(testkit, "../../fixtures/demo/demo.jsonl")
const target = join(testkit, "demo/messages.db")

const work = mkdtempSync(join(tmpdir(), "wa-demo-store-"))
try {
  const { storeDir, problems } = await storeFromStreams([recording], { storeDir: join(work, "store") })
  if (problems.length > 0) {
    console.error(`The demo recording has lines the bridge cannot use:\n${problems.join("\n")}`)
    process.exit(1)
  }
  const built = join(storeDir, "messages.db")
  // One self-contained file, out of WAL mode: a read-only connection to a WAL database creates -wal
  // and -shm files beside it, which a shipped file must not grow. The bridge puts a copy it opens
  // back into WAL mode itself.
  const db = new Database(built)
  db.pragma("journal_mode = DELETE")
  db.close()
  for (const side of ["-wal", "-shm"]) {
    if (existsSync(built + side)) {
      console.error(`The demo store still has a ${side} file after its checkpoint: ${built}${side}`)
      process.exit(1)
    }
  }
  mkdirSync(dirname(target), { recursive: true })
  // Copied next to the target, then renamed over it: a test reading the shipped file never sees half of it.
  const next = `${target}.next`
  copyFileSync(built, next)
  renameSync(next, target)
} finally {
  rmSync(work, { recursive: true, force: true })
}
