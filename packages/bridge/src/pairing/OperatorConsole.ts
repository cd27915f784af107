/**
 * What the person running the bridge sees: the pairing QR (in the terminal and as
 * `<store>/pairing-qr.png` for headless machines), a pairing code, history sync progress and
 * notices. Everything goes to stderr; stdout stays free.
 */
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { PairingQrFileName } from "@whatsapp-mcp/core/store"
import { Context, Effect, Layer } from "effect"
import QRCode from "qrcode"

export interface HistoryProgress {
  readonly chunks: number
  readonly messages: number
  readonly progress: number | null
  readonly done: boolean
}

export interface OperatorConsoleShape {
  readonly showQr: (qr: string) => Effect.Effect<void>
  readonly showPairingCode: (code: string) => Effect.Effect<void>
  /** Linked: the QR image is no longer needed and is removed. */
  readonly paired: (ownJid: string | null) => Effect.Effect<void>
  readonly historyProgress: (progress: HistoryProgress) => Effect.Effect<void>
  readonly notice: (message: string) => Effect.Effect<void>
}

export class OperatorConsole extends Context.Tag("@whatsapp-mcp/bridge/OperatorConsole")<
  OperatorConsole,
  OperatorConsoleShape
>() {}

const progressBar = (p: HistoryProgress): string => {
  const width = 30
  if (p.progress === null)
    return `History sync: ${p.chunks} chunks, ${p.messages} messages${p.done ? " (done)" : "…"}`
  const filled = Math.max(0, Math.min(width, Math.round((p.progress / 100) * width)))
  return `History sync [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.round(p.progress)}%  ${p.messages} messages`
}

/**
 * Writes to the given stream (stderr by default); the progress bar redraws in place only on a TTY.
 * A replay bridge marks its notices, so nobody reads "Connected to WhatsApp" as the real thing.
 */
export const make = (
  storeDir: string,
  stream: NodeJS.WriteStream = process.stderr,
  mode: "live" | "replay" = "live",
): OperatorConsoleShape => {
  const qrFile = join(storeDir, PairingQrFileName)
  const write = (text: string) => Effect.sync(() => void stream.write(text))
  let lastLoggedPercent = -1
  return {
    showQr: (qr) =>
      Effect.promise(async () => {
        const art = await QRCode.toString(qr, { type: "terminal", small: true })
        await QRCode.toFile(qrFile, qr, { type: "png", width: 400, margin: 2 })
        return art
      }).pipe(
        Effect.flatMap((art) =>
          write(
            `\nScan this QR code with WhatsApp on your phone: Settings → Linked devices → Link a device.\n${art}\n` +
              `(The same code is saved as ${qrFile}. It refreshes every ~20 seconds.)\n`,
          ),
        ),
        Effect.catchAllDefect((defect) => write(`Could not render the pairing QR code: ${String(defect)}\n`)),
      ),
    showPairingCode: (code) =>
      write(
        `\nPairing code: ${code}\nOn your phone: WhatsApp → Settings → Linked devices → Link a device → ` +
          `"Link with phone number instead", then enter the code.\n`,
      ),
    paired: (ownJid) =>
      Effect.promise(() => rm(qrFile, { force: true })).pipe(
        Effect.zipRight(write(`Linked to WhatsApp${ownJid === null ? "" : ` as ${ownJid}`}.\n`)),
      ),
    historyProgress: (p) =>
      Effect.suspend(() => {
        if (stream.isTTY) return write(`\r${progressBar(p)}${p.done ? "\n" : ""}`)
        // Not a terminal: one line per 10 %, so a log file stays readable.
        const percent = p.progress === null ? -1 : Math.floor(p.progress / 10) * 10
        if (!p.done && percent === lastLoggedPercent) return Effect.void
        lastLoggedPercent = percent
        return write(`${progressBar(p)}\n`)
      }),
    notice: (message) => write(`${mode === "replay" ? "(replay) " : ""}${message}\n`),
  }
}

export const layer = (storeDir: string, mode: "live" | "replay" = "live"): Layer.Layer<OperatorConsole> =>
  Layer.sync(OperatorConsole, () => make(storeDir, process.stderr, mode))
