// A private npm registry on 127.0.0.1 for `pnpm test:outside`: verdaccio (pinned), holding this
// checkout's tarballs as if they were published, and passing every other package through to the
// public registry. Users' commands (`npm install -g whatsapp-mcp`, `npx -y whatsapp-mcp`) then run
// exactly as typed, with only the registry setting of a home directory's .npmrc pointing here. Our
// own names are never passed through: a package of the same name on the public registry can never
// stand in for ours.
import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

/** The version checked on Node 20 (later ones want Node 22). */
export const verdaccioVersion = "6.8.0"

const ownPackages = ["whatsapp-mcp", "@whatsapp-mcp/*", "create-whatsapp-mcp-plugin"]

const freePort = () =>
  new Promise((answer, failed) => {
    const probe = createServer()
    probe.once("error", failed)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => answer(port))
    })
  })

const config = (uplink) =>
  [
    "storage: ./storage",
    "auth:",
    "  htpasswd:",
    "    file: ./htpasswd",
    "uplinks:",
    "  public:",
    `    url: ${uplink}`,
    "    timeout: 120s",
    // one run's installs ask for the same packages: their metadata is fetched once
    "    maxage: 60m",
    "packages:",
    ...ownPackages.flatMap((name) => [`  '${name}':`, "    access: $all", "    publish: $authenticated"]),
    "  '**':",
    "    access: $all",
    "    proxy: public",
    "web:",
    "  enable: false",
    "max_body_size: 200mb",
    "log:",
    "  type: stdout",
    "  format: pretty",
    "  level: warn",
    "",
  ].join("\n")

/**
 * Installs verdaccio into `dir` (through `install`, which runs npm there), starts it on a free
 * loopback port and makes a publisher account. Returns its URL, the account's token and a `stop`.
 */
export const startLocalRegistry = async ({ dir, uplink, env, install }) => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "local-registry", private: true })}\n`)
  install(["install", `verdaccio@${verdaccioVersion}`], dir)
  writeFileSync(join(dir, "config.yaml"), config(uplink))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  const child = spawn(
    process.execPath,
    [
      join(dir, "node_modules/verdaccio/bin/verdaccio"),
      "--config",
      join(dir, "config.yaml"),
      "--listen",
      `127.0.0.1:${port}`,
    ],
    { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
  )
  let log = ""
  child.stdout.on("data", (chunk) => {
    log += chunk
  })
  child.stderr.on("data", (chunk) => {
    log += chunk
  })
  let exited = false
  child.on("exit", () => {
    exited = true
  })
  const stop = () => {
    if (!exited) child.kill()
  }
  // Ready when it answers; a registry that never does is reported with its own log.
  for (let attempt = 0; ; attempt++) {
    if (exited) throw new Error(`the local registry (verdaccio) stopped at start:\n${log}`)
    try {
      if ((await fetch(`${url}-/ping`)).ok) break
    } catch {
      // not listening yet
    }
    if (attempt >= 600) {
      stop()
      throw new Error(`the local registry (verdaccio) did not answer on ${url} within a minute:\n${log}`)
    }
    await sleep(100)
  }
  const account = await fetch(`${url}-/user/org.couchdb.user:newcomer`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "newcomer", password: "a-password-for-a-throwaway-registry" }),
  })
  const { token } = await account.json()
  if (!account.ok || typeof token !== "string") {
    stop()
    throw new Error(
      `the local registry (verdaccio) made no publisher account (HTTP ${account.status}):\n${log}`,
    )
  }
  return { url, token, stop, log: () => log }
}

/** The user-level .npmrc of a home whose npm installs from `url` and may publish there. */
export const npmrcFor = ({ url, token }) =>
  `registry=${url}\n${url.replace(/^https?:/, "")}:_authToken=${token}\n`
