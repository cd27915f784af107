/**
 * The bridge's `--log-file`: appends to FILE and, once it passes a size, shifts it to FILE.1 (FILE.1
 * to FILE.2…) keeping a few old files, so a bridge run by launchd or cron never fills the disk.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs"

export interface RotatingLogFileOptions {
  /** Rotate once the file would grow past this many bytes; default 10 MiB. */
  readonly maxBytes?: number
  /** How many rotated files to keep (FILE.1 … FILE.n); default 5. */
  readonly keep?: number
}

const defaultKeep = 5

export class RotatingLogFile {
  /** The log file and every rotated file it may leave behind. */
  static files(file: string, keep = defaultKeep): ReadonlyArray<string> {
    return [file, ...Array.from({ length: keep }, (_, n) => `${file}.${n + 1}`)]
  }

  private fd: number
  private size: number
  private readonly maxBytes: number
  private readonly keep: number

  constructor(
    readonly file: string,
    options: RotatingLogFileOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024
    this.keep = Math.max(1, options.keep ?? defaultKeep)
    this.fd = openSync(file, "a", 0o600)
    this.size = fstatSync(this.fd).size
  }

  write(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate()
    writeSync(this.fd, bytes)
    this.size += bytes.length
  }

  close(): void {
    closeSync(this.fd)
  }

  private rotate(): void {
    closeSync(this.fd)
    rmSync(`${this.file}.${this.keep}`, { force: true })
    for (let n = this.keep - 1; n >= 1; n--) {
      if (existsSync(`${this.file}.${n}`)) renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`)
    }
    renameSync(this.file, `${this.file}.1`)
    this.fd = openSync(this.file, "a", 0o600)
    this.size = 0
  }
}
