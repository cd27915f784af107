#!/usr/bin/env node
// The bridge's command line: turns argv into one program (BridgePrograms.ts for the daemons and
// logout, their own modules for ingest and anonymize), runs it, and reports a failure as one
// message, never a stack, with the exit status.
import { spawn } from "node:child_process"
import { statSync } from "node:fs"
import { homedir } from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { setFlagsFromString } from "node:v8"
import * as Commands from "@whatsapp-mcp/core/commands"
import { Cause, Effect, Exit, Fiber, Logger, LogLevel } from "effect"
import { RotatingLogFile } from "../logging/RotatingLogFile.js"

// V8 lets its old generation grow to several times what is live before it collects, and both of
// the bridge's threads allocate fast while a long history is stored. Growing it by at most 30% at
// a time keeps resident memory near the live heap, for no measurable CPU. Unlike a heap cap, it
// cannot make an unusually large event fail. Read by V8 at each collection, so setting it here
// covers both threads.
setFlagsFromString("--heap-growing-percent=30")

// Everything the bridge creates (store files, SQLite's -wal and -shm, logs, media) is the user's
// alone, even where a library creates it without a mode.
process.umask(0o077)

// Each subcommand loads only its own program: `ingest` never pays for the socket, the HTTP server
// or the pairing code, and every command starts faster.
const programs = () => import("../BridgePrograms.js")

// The command as the user runs it: `pnpm bridge` in the repository, `whatsapp-bridge` installed.
const name = Commands.current.bridge
const indent = " ".repeat(name.length + 3)
const usage = `usage:
  ${name} [--store DIR] [--port N] [--pair-phone DIGITS]
${indent}[--allowed-file-roots DIR[,DIR...]]
      link and run against WhatsApp
  ${name} --replay FILE... [--store DIR] [--port N] [--media DIR]
${indent}[--allowed-file-roots DIR...] [--then FILE [--after SECONDS]]
      no phone: ingest FILE, then serve the same API over a simulated socket
  ${name} logout [--store DIR]
      unlink this device and wipe the session
  ${name} ingest FILE... [--store DIR]
      store recorded event streams and exit
  ${name} anonymize IN --out OUT
      write IN's recording anonymised to OUT (the rules of --record --anonymize)

  --store DIR          the store directory (default ./store)
  --port N             HTTP port on 127.0.0.1 (default 8080)
  --pair-phone DIGITS  link with a pairing code for this number instead of a QR code
  --allowed-file-roots DIR[,DIR...]
                       folders the bridge may send files from (repeatable); without it the bridge
                       sends no files. Give the same folders as plugins.send.allowedFileRoots
  --media DIR          with --replay: a folder of the recording's encrypted media to serve
                       (repeatable); without it only files sent during the replay download
  --then FILE          with --replay: events that arrive while it runs, delivered by the simulated
                       socket --after SECONDS (default 5) after it connects, as if just received
  --max-media-mb N     largest media file a download fetches, in MiB (default 100, at most 2048);
                       a larger one is refused before a byte is fetched
  --record FILE        also write every event received to FILE (replaced), in the fixture format
  --anonymize          with --record: replace numbers, LIDs, names, text and media keys, so the
                       recording can be attached to a bug report
  --log-level LEVEL    debug, info (default), warning, error or none; trace adds Baileys' own
                       debug log (verbose, may show message metadata)
  --log-file FILE      write the log to FILE instead of stderr, rotating at 10 MiB (FILE.1…FILE.5)`

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

/** The exit status of a program's end, its failure said as one message (or, if unforeseen, in full). */
const report = <A, E extends { readonly message: string }>(
  name: string,
  exit: Exit.Exit<A, E>,
  onSuccess: (value: A) => number,
): number => {
  if (Exit.isSuccess(exit)) return onSuccess(exit.value)
  if (Cause.isInterruptedOnly(exit.cause)) return 0
  const failure = Cause.failureOption(exit.cause)
  console.error(
    `${name}: ${failure._tag === "Some" ? failure.value.message : `unexpected failure: ${Cause.pretty(exit.cause)}`}`,
  )
  return 1
}

/**
 * Runs a program until it ends or the user stops it (Ctrl-C, SIGTERM): the fiber is interrupted so
 * that the store, the session and the lock are closed properly. A failure is one line on stderr.
 */
const runToEnd = async <E extends { readonly message: string }>(
  name: string,
  program: Effect.Effect<unknown, E>,
): Promise<number> => {
  const fiber = Effect.runFork(Logger.withMinimumLogLevel(program, logLevel))
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    console.error(`${name}: stopping…`)
    Effect.runFork(Fiber.interrupt(fiber))
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  return report(name, await Effect.runPromise(Fiber.await(fiber)), () => 0)
}

const port = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    return exitWith(2, `bridge: --port "${raw}" is not a port number (0-65535).`)
  }
  return value
}

/** WhatsApp itself carries files up to 2 GB, so no larger limit can be of use. */
const maxMediaMb = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!/^[0-9]+(\.[0-9]+)?$/.test(raw) || !(value > 0) || value > 2048) {
    return exitWith(
      2,
      `bridge: --max-media-mb "${raw}" is not a size in MiB: give a number of MiB above 0 and at most 2048.`,
    )
  }
  return Math.floor(value * 1024 * 1024)
}

const ingest: Subcommand = async (args) => {
  const parsed = parse(" ingest", args, { store: { type: "string", default: "./store" } } as const)
  if (parsed.positionals.length === 0)
    exitWith(2, `bridge ingest: name at least one FILE to ingest.\n${usage}`)
  const { ingestCommand } = await import("../ingest/IngestCommand.js")
  const exit = await Effect.runPromiseExit(
    ingestCommand({
      files: parsed.positionals.map(fromUser),
      storeDirectory: fromUser(String(parsed.values.store)),
    }),
  )
  return report("bridge ingest", exit, (summary) => summary.exitCode)
}

const anonymize: Subcommand = async (args) => {
  const parsed = parse(" anonymize", args, { out: { type: "string" } } as const)
  const [input, ...extra] = parsed.positionals
  const output = parsed.values.out as string | undefined
  if (input === undefined || extra.length > 0 || output === undefined)
    exitWith(
      2,
      `bridge anonymize: give one recording and where to write it: anonymize IN --out OUT.\n${usage}`,
    )
  const { anonymizeCommand } = await import("../recording/AnonymizeCommand.js")
  const exit = await Effect.runPromiseExit(
    anonymizeCommand({ input: fromUser(input ?? ""), output: fromUser(output ?? "") }),
  )
  return report("bridge anonymize", exit, (written) => {
    console.error(`bridge anonymize: ${written.lines} event(s) written to ${output}`)
    return 0
  })
}

const logoutCommand: Subcommand = async (args) => {
  const parsed = parse(" logout", args, { store: { type: "string", default: "./store" } } as const)
  if (parsed.positionals.length > 0)
    exitWith(2, `bridge logout: unexpected "${parsed.positionals[0]}".\n${usage}`)
  const { logout } = await programs()
  return runToEnd("bridge logout", logout(fromUser(String(parsed.values.store))))
}

/** A folder option, repeated or comma-separated (`~` is the home folder): each must be an existing directory. */
const directories = (
  flag: string,
  raw: ReadonlyArray<string> | undefined,
): ReadonlyArray<string> | undefined => {
  if (raw === undefined) return undefined
  const dirs = raw
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "")
    .map((value) =>
      value === "~" || value.startsWith("~/") ? path.join(homedir(), value.slice(1)) : fromUser(value),
    )
  for (const dir of dirs) {
    // A path that cannot be read is as unusable as a missing one; both get the same message.
    const isDirectory = statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true
    if (!isDirectory)
      exitWith(2, `bridge: ${flag}: ${dir} is not an existing directory. Create it, or fix the path.`)
  }
  return dirs
}

/** `--then FILE [--after SECONDS]`: the recording delivered while a replay runs, and when. */
const laterFile = (
  file: string | undefined,
  after: string | undefined,
): { readonly file: string; readonly afterSeconds: number } | undefined => {
  if (file === undefined) {
    if (after !== undefined) exitWith(2, "bridge: --after says when --then's events arrive: add --then FILE.")
    return undefined
  }
  const seconds = after === undefined ? 5 : /^\d+(\.\d+)?$/.test(after) ? Number(after) : Number.NaN
  if (!(seconds >= 0 && seconds <= 3600))
    exitWith(2, `bridge: --after "${after}" is not a number of seconds from 0 to 3600.`)
  return { file: fromUser(file), afterSeconds: seconds }
}

/** The log files (`--log-file`, rotated), which no send may read under another name. */
const logFiles = (): ReadonlyArray<string> => {
  const file = process.env.WHATSAPP_BRIDGE_LOG_FILE
  return file === undefined || file === "" ? [] : RotatingLogFile.files(file)
}

const daemon: Subcommand = async (args) => {
  const parsed = parse("", args, {
    store: { type: "string", default: "./store" },
    port: { type: "string" },
    "pair-phone": { type: "string" },
    replay: { type: "string", multiple: true },
    media: { type: "string", multiple: true },
    // biome-ignore lint/suspicious/noThenProperty: parseArgs names each option by its flag, and this one is --then
    then: { type: "string" },
    after: { type: "string" },
    record: { type: "string" },
    anonymize: { type: "boolean", default: false },
    "allowed-file-roots": { type: "string", multiple: true },
    "max-media-mb": { type: "string" },
  } as const)
  const storeDir = fromUser(String(parsed.values.store))
  const roots = directories(
    "--allowed-file-roots",
    parsed.values["allowed-file-roots"] as Array<string> | undefined,
  )
  const files = {
    ...(roots === undefined ? {} : { fileRoots: roots }),
    protectedFiles: logFiles(),
  }
  const chosenPort = port(parsed.values.port as string | undefined)
  const maxMediaBytes = maxMediaMb(parsed.values["max-media-mb"] as string | undefined)
  const mediaLimit = maxMediaBytes === undefined ? {} : { maxMediaBytes }
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
    const media = directories("--media", parsed.values.media as Array<string> | undefined)
    const then = laterFile(
      parsed.values.then as string | undefined,
      parsed.values.after as string | undefined,
    )
    const { runReplayBridge } = await programs()
    return runToEnd(
      "bridge",
      runReplayBridge({
        storeDir,
        files: replay.map(fromUser),
        ...(media === undefined ? {} : { mediaRoots: media }),
        ...(then === undefined ? {} : { then }),
        ...files,
        ...record,
        ...mediaLimit,
        ...(chosenPort === undefined ? {} : { port: chosenPort }),
      }),
    )
  }
  if (parsed.values.media !== undefined)
    exitWith(2, "bridge: --media serves a recording's media: it applies to --replay only.")
  if (parsed.values.then !== undefined || parsed.values.after !== undefined)
    exitWith(
      2,
      "bridge: --then and --after deliver recorded events to a replay: they apply to --replay only.",
    )
  const pairPhone = parsed.values["pair-phone"] as string | undefined
  const { runBridge } = await programs()
  return runToEnd(
    "bridge",
    runBridge({
      storeDir,
      ...(chosenPort === undefined ? {} : { port: chosenPort }),
      ...(pairPhone === undefined ? {} : { pairPhone }),
      ...files,
      ...record,
      ...mediaLimit,
    }),
  )
}

const subcommands: Record<string, Subcommand> = { ingest, anonymize, logout: logoutCommand }

// --log-level and --log-file apply to every subcommand, so they are taken out before dispatch.
const takeOption = (args: Array<string>, name: string): string | undefined => {
  const at = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`))
  if (at < 0) return undefined
  const [flag] = args.splice(at, 1)
  if (flag?.includes("=")) return flag.slice(name.length + 1)
  const [value] = args.splice(at, 1)
  return value === undefined || value.startsWith("--")
    ? exitWith(2, `bridge: ${name} needs a value.\n${usage}`)
    : value
}
const argv = process.argv.slice(2)
const levels: Record<string, [LogLevel.LogLevel, string]> = {
  trace: [LogLevel.Trace, "debug"],
  debug: [LogLevel.Debug, "warn"],
  info: [LogLevel.Info, "warn"],
  warning: [LogLevel.Warning, "warn"],
  error: [LogLevel.Error, "error"],
  none: [LogLevel.None, "silent"],
}
const levelName = takeOption(argv, "--log-level") ?? "info"
const level = Object.hasOwn(levels, levelName) ? levels[levelName] : undefined
if (level === undefined)
  exitWith(2, `bridge: --log-level "${levelName}" is not one of ${Object.keys(levels).join(", ")}.`)
const [logLevel, baileysLevel] = level ?? [LogLevel.Info, "warn"]
process.env.WHATSAPP_BRIDGE_LOG_LEVEL ??= baileysLevel
const logFile = takeOption(argv, "--log-file")
if (logFile !== undefined) {
  // Baileys' logger writes to file descriptor 2 directly, so the whole bridge runs as a child whose
  // stderr this process rotates into the file; signals pass through so Ctrl-C still stops it cleanly.
  const log = new RotatingLogFile(fromUser(logFile))
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] ?? "", "--log-level", levelName, ...argv],
    {
      stdio: ["inherit", "inherit", "pipe"],
      env: { ...process.env, WHATSAPP_BRIDGE_LOG_FILE: log.file },
    },
  )
  child.stderr?.on("data", (chunk: Buffer) => log.write(chunk))
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal))
  child.on("exit", (code, signal) => {
    log.close()
    process.exit(code ?? (signal === null ? 1 : 128))
  })
} else {
  await main(argv)
}

async function main(argv: ReadonlyArray<string>): Promise<never> {
  const [first, ...rest] = argv
  if (first === "--help" || first === "-h" || first === "help") exitWith(0, usage)
  const sub = first !== undefined && Object.hasOwn(subcommands, first) ? subcommands[first] : undefined
  const code = await (sub ? sub(rest) : daemon(argv))
  return process.exit(code)
}
