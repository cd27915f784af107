/** `~` and `~/…` in paths users write in the config file, read as their home directory. */
import { join } from "node:path"

export const expandHome = (
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string => (path === "~" || path.startsWith("~/") ? join(env.HOME ?? "~", path.slice(1)) : path)
