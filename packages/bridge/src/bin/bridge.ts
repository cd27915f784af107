#!/usr/bin/env node
// The bridge's command line: picks the subcommand and reports failures as one line, never a stack.
import { existsSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Cause, Effect, Exit, Fiber } from "effect"
import { logout, runBridge, runReplayBridge } from "../BridgePrograms.js"
import { ingestCommand } from "../ingest/IngestCommand.js"

const usage = `usage:
  bridge [--store DIR] [--port N] [--pair-phone DIGITS]   link and run against WhatsApp
  bridge --replay FILE... [--store DIR] [--port N]        no phone: ingest FILE, then serve the
         [--media DIR]                                    same API over a simulated socket
  bridge logout [--store DIR]                             unlink this device and wipe the session
  bridge ingest FILE... [--store DIR]                     store recorded event streams and exit

  --store DIR          the store directory (default ./store)
  --port N             HTTP port on 127.0.0.1 (default 8080)
  --pair-phone DIGITS  link with a pairing code for this number instead of a QR code
  --media DIR          encrypted media the replay CDN serves (default: the bundled fixtures)
  --record FILE        also write every event received to FILE (replaced), in the fixture format
  --anonymize          with --record: replace numbers, LIDs, names, text and media keys, so the
                       recording can be attached to a bug report`

/** Relative paths are taken from where the user started `pnpm bridge`, not from pnpm's cwd. */
const fromUser = (file: string): string => path.resolve(process.env.INIT_CWD ?? process.cwd(), file)

const exitWith = (code: number, message?: string): never => {
  if (message !== undefined) console.error(message)
  process.exit(code)
}

type Subcommand = (args: ReadonlyArray<string>) => Promise<number>

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>

const parse = <T extends Options>(command: string, args: ReadonlyArray<string>, options: T) => {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    return exitWith(
      2,
      `bridge${command}: ${error instanceof Error ? error.message : String(error)}\n${usage}`,
    )
  }
}

/**
 * Runs a program until it ends or the user stops it (Ctrl-C, SIGTERM): the fiber is interrupted so
 * that the store, the session and the lock are closed properly. A failure is one line on stderr.
 */
const runToEnd = async <E extends { readonly message: string }>(
  name: string,
  program: Effect.Effect<unknown, E>,
): Promise<number> => {
  const fiber = Effect.runFork(program)
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    console.error(`${name}: stopping…`)
    Effect.runFork(Fiber.interrupt(fiber))
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    console.error(`${name}: ${failure.value.message}`)
    return 1
  }
  console.error(`${name}: unexpected failure: ${Cause.pretty(exit.cause)}`)
  return 1
}

const port = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    return exitWith(2, `bridge: --port "${raw}" is not a port number (0-65535).`)
  }
  return value
}

const ingest: Subcommand = async (args) => {
  const parsed = parse(" ingest", args, { store: { type: "string", default: "./store" } } as const)
  if (parsed.positionals.length === 0)
    exitWith(2, `bridge ingest: name at least one FILE to ingest.\n${usage}`)
  const exit = await Effect.runPromiseExit(
    ingestCommand({
      files: parsed.positionals.map(fromUser),
      storeDirectory: fromUser(String(parsed.values.store)),
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

const logoutCommand: Subcommand = async (args) => {
  const parsed = parse(" logout", args, { store: { type: "string", default: "./store" } } as const)
  if (parsed.positionals.length > 0)
    exitWith(2, `bridge logout: unexpected "${parsed.positionals[0]}".\n${usage}`)
  return runToEnd("bridge logout", logout(fromUser(String(parsed.values.store))))
}

/** The demo media that ships with the repository, for `--replay` of the bundled recordings. */
const bundledMedia = (): ReadonlyArray<string> => {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../fixtures/media")
  return existsSync(dir) ? [dir] : []
}

const daemon: Subcommand = async (args) => {
  const parsed = parse("", args, {
    store: { type: "string", default: "./store" },
    port: { type: "string" },
    "pair-phone": { type: "string" },
    replay: { type: "string", multiple: true },
    media: { type: "string", multiple: true },
    record: { type: "string" },
    anonymize: { type: "boolean", default: false },
  } as const)
  const storeDir = fromUser(String(parsed.values.store))
  const chosenPort = port(parsed.values.port as string | undefined)
  const replay = [...((parsed.values.replay as Array<string> | undefined) ?? []), ...parsed.positionals]
  if ((parsed.values.replay as Array<string> | undefined) === undefined && parsed.positionals.length > 0) {
    exitWith(2, `bridge: unknown command "${parsed.positionals[0]}".\n${usage}`)
  }
  const recordFile = parsed.values.record as string | undefined
  if (recordFile === undefined && parsed.values.anonymize === true)
    exitWith(2, "bridge: --anonymize applies to a recording: add --record FILE.")
  const record =
    recordFile === undefined
      ? {}
      : { record: { file: fromUser(recordFile), anonymize: parsed.values.anonymize === true } }
  if (replay.length > 0) {
    if (parsed.values["pair-phone"] !== undefined)
      exitWith(2, "bridge: --pair-phone makes no sense with --replay.")
    const media = (parsed.values.media as Array<string> | undefined)?.map(fromUser) ?? bundledMedia()
    return runToEnd(
      "bridge",
      runReplayBridge({
        storeDir,
        files: replay.map(fromUser),
        mediaRoots: media,
        ...record,
        ...(chosenPort === undefined ? {} : { port: chosenPort }),
      }),
    )
  }
  const pairPhone = parsed.values["pair-phone"] as string | undefined
  return runToEnd(
    "bridge",
    runBridge({
      storeDir,
      ...(chosenPort === undefined ? {} : { port: chosenPort }),
      ...(pairPhone === undefined ? {} : { pairPhone }),
      ...record,
    }),
  )
}

const subcommands: Record<string, Subcommand> = { ingest, logout: logoutCommand }

const [first, ...rest] = process.argv.slice(2)
if (first === "--help" || first === "-h" || first === "help") exitWith(0, usage)
const sub = first !== undefined && Object.hasOwn(subcommands, first) ? subcommands[first] : undefined
const code = await (sub ? sub(rest) : daemon(process.argv.slice(2)))
process.exit(code)
