/**
 * One bridge per store: two would fight over the single linked-device connection (WhatsApp closes
 * one with 440 "replaced", forever) and both write the store. `<store>/bridge.pid` holds the running
 * bridge's process id; a stale file (its process gone) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { LockFileName } from "@whatsapp-mcp/core/store"
import { Data, Effect } from "effect"

export class BridgeLocked extends Data.TaggedError("BridgeLocked")<{ readonly message: string }> {}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else; that still counts as running.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Holds the lock for the scope's lifetime. The store directory must exist. */
export const acquireBridgeLock = (storeDir: string) => {
  const file = join(storeDir, LockFileName)
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 })
            return
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
            const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10)
            if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
              throw new BridgeLocked({
                message: `Another bridge (process ${pid}) is already running on ${storeDir}: WhatsApp allows one connection per linked device. Stop it first.`,
              })
            }
            rmSync(file, { force: true })
          }
        }
        throw new Error(`could not create ${file}`)
      },
      catch: (error) =>
        error instanceof BridgeLocked
          ? error
          : new BridgeLocked({ message: `Cannot lock the store ${storeDir} (${String(error)}).` }),
    }),
    () =>
      Effect.sync(() => {
        try {
          if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true })
        } catch {
          // Nothing to report: a lock file that is gone has nothing left to release, and one that
          // cannot be removed names this process, which is exiting; the next start finds that
          // process gone and takes the lock over.
        }
      }),
  )
}
