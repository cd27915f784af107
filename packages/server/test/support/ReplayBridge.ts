// A replay bridge as a child process, for tests that need one running beside the server.
import { type ChildProcess, spawn } from "node:child_process"

/**
 * Starts `node …args` (a bridge command line with `--replay`), adds it to `children` for the test
 * file to stop, and resolves once it listens; fails with its log if it exits first.
 */
export const startReplayBridge = (
  args: ReadonlyArray<string>,
  children: Array<ChildProcess>,
): Promise<ChildProcess> =>
  new Promise<ChildProcess>((ready, failed) => {
    const child = spawn(process.execPath, [...args], { stdio: ["ignore", "ignore", "pipe"] })
    children.push(child)
    let log = ""
    child.stderr?.on("data", (chunk) => {
      log += chunk
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(log)) ready(child)
    })
    child.on("exit", (code) => failed(new Error(`replay bridge exited with ${code}:\n${log}`)))
  })
