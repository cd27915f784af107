// Copies the demo's recordings (fixtures/demo) and media (fixtures/media) into dist/demo, so that
// `whatsapp-mcp demo` finds them in an install as `pnpm demo` does in the repository. Run by the
// workspace's `build`.
import { cpSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..")
const fixtures = join(packageDir, "../../fixtures")
const target = join(packageDir, "dist/demo")
// a recording removed from fixtures/demo must not linger in the package
rmSync(target, { recursive: true, force: true })
cpSync(join(fixtures, "demo"), target, { recursive: true })
cpSync(join(fixtures, "media"), join(target, "media"), { recursive: true })
