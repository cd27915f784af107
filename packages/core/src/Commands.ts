/**
 * The commands a message tells the user to run, as the user runs them: in a checkout of the
 * repository, through pnpm (`pnpm bridge`), or as installed (`whatsapp-bridge`, from `npm install -g
 * whatsapp-mcp`, npx, or the Claude Desktop bundle). A message that names a command the user does
 * not have sends them looking for it, and a model relays such messages word for word.
 */
import { existsSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export interface CommandNames {
  /** The bridge: pairing, `logout`, `--replay`, `ingest`. */
  readonly bridge: string
  /** The MCP server. */
  readonly mcp: string
  /** The bridge on sample chats, with no phone. */
  readonly demo: string
  /** The check of the whole setup. */
  readonly doctor: string
}

export const repository: CommandNames = {
  bridge: "pnpm bridge",
  mcp: "pnpm mcp",
  demo: "pnpm demo",
  // pnpm's own built-in `doctor` would shadow a script of that name.
  doctor: "pnpm checkup",
}

export const installed: CommandNames = {
  bridge: "whatsapp-bridge",
  mcp: "whatsapp-mcp",
  demo: "whatsapp-mcp demo",
  doctor: "whatsapp-mcp doctor",
}

/**
 * The names for a program whose code is the file `file`: the repository's when the file lies in a
 * checkout (a folder holding `pnpm-workspace.yaml`, whose packages are linked, so that their real
 * paths pass through no `node_modules`), the installed ones when it lies in a `node_modules` folder or anywhere else.
 */
export const forFile = (file: string): CommandNames => {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (basename(dir) === "node_modules") return installed
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return repository
    if (dirname(dir) === dir) return installed
  }
}

/**
 * The names for this process, judged by where this module's code lies: in a bundle, the bundle's
 * file, which is where the program is.
 */
export const current: CommandNames = forFile(fileURLToPath(import.meta.url))
