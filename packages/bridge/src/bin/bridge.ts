#!/usr/bin/env node
// The bridge's command line: picks the subcommand and reports failures as one line, never a stack.
import * as path from "node:path"
import { parseArgs } from "node:util"
import { Cause, Effect, Exit } from "effect"
import { ingestCommand } from "../ingest/IngestCommand.js"

const usage = `usage:
  bridge [--store DIR] [--port N] [--pair-phone DIGITS]   link and run against WhatsApp
  bridge logout [--store DIR]                             unlink this device
  bridge ingest FILE... [--store DIR]                     store recorded event streams and exit`

/** Relative paths are taken from where the user started `pnpm bridge`, not from pnpm's cwd. */
const fromUser = (file: string): string => path.resolve(process.env.INIT_CWD ?? process.cwd(), file)

const exitWith = (code: number, message?: string): never => {
  if (message !== undefined) console.error(message)
  process.exit(code)
}

type Subcommand = (args: ReadonlyArray<string>) => Promise<number>

const ingest: Subcommand = async (args) => {
  const parsed = (() => {
    try {
      return parseArgs({
        args: [...args],
        options: { store: { type: "string", default: "./store" } },
        allowPositionals: true,
      })
    } catch (error) {
      return exitWith(2, `bridge ingest: ${error instanceof Error ? error.message : String(error)}\n${usage}`)
    }
  })()
  if (parsed.positionals.length === 0)
    exitWith(2, `bridge ingest: name at least one FILE to ingest.\n${usage}`)
  const exit = await Effect.runPromiseExit(
    ingestCommand({
      files: parsed.positionals.map(fromUser),
      storeDirectory: fromUser(parsed.values.store),
    }),
  )
  if (Exit.isSuccess(exit)) return exit.value.exitCode
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    console.error(`bridge ingest: ${failure.value.message}`)
    return 1
  }
  console.error(`bridge ingest: unexpected failure: ${Cause.pretty(exit.cause)}`)
  return 1
}

const notYet =
  (what: string): Subcommand =>
  async () => {
    console.error(`bridge: ${what} is not implemented yet; only \`bridge ingest\` works in this version.`)
    return 2
  }

const subcommands: Record<string, Subcommand> = {
  ingest,
  logout: notYet("logout"),
}

const [first, ...rest] = process.argv.slice(2)
const run = first !== undefined && Object.hasOwn(subcommands, first) ? subcommands[first] : undefined
if (first === "--help" || first === "-h") exitWith(0, usage)
const code = await (run
  ? run(rest)
  : notYet("running against WhatsApp (and --replay)")(process.argv.slice(2)))
process.exit(code)
