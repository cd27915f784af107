/**
 * Prepares a voice note: any common audio file becomes Ogg/Opus mono (what WhatsApp's own voice
 * notes are), with its duration and the 64-bar waveform the chat shows. Uses the ffmpeg that
 * `@ffmpeg-installer/ffmpeg` ships, so it works on a fresh machine.
 */
import { execFile } from "node:child_process"
import { createWriteStream } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { promisify } from "node:util"
import ffmpeg from "@ffmpeg-installer/ffmpeg"
import { BridgeError } from "@whatsapp-mcp/core/api"
import { Effect } from "effect"

const run = promisify(execFile)

export interface VoiceNote {
  /** The Ogg/Opus file to send (removed when the scope closes). */
  readonly path: string
  readonly seconds: number
  readonly waveform: Uint8Array
}

const conversionFailed = (detail: string) =>
  new BridgeError({
    code: "conversion_failed",
    field: "path",
    message: `The file could not be converted to a voice note (${detail}). Send a common audio format (mp3, m4a, wav, ogg, opus, flac).`,
  })

/** 64 bars, 0–100, from the loudness of 64 equal slices of 16-bit mono PCM. */
export const waveformFromPcm = (pcm: Buffer): Uint8Array => {
  const samples = Math.floor(pcm.length / 2)
  const bars = new Uint8Array(64)
  if (samples === 0) return bars
  const levels: Array<number> = []
  const per = Math.max(1, Math.floor(samples / 64))
  for (let bar = 0; bar < 64; bar++) {
    let sum = 0
    let count = 0
    for (let i = bar * per; i < Math.min(samples, (bar + 1) * per); i++) {
      sum += Math.abs(pcm.readInt16LE(i * 2))
      count++
    }
    levels.push(count === 0 ? 0 : sum / count)
  }
  const loudest = Math.max(...levels)
  levels.forEach((level, i) => {
    bars[i] = loudest === 0 ? 0 : Math.round((level / loudest) * 100)
  })
  return bars
}

const parseDuration = (ffmpegOutput: string): number | undefined => {
  const match = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(ffmpegOutput)
  if (match === null) return undefined
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])
}

/**
 * Converts the audio `source` gives in a private temporary directory that is removed with the
 * scope. The bytes are copied there first: ffmpeg then reads what was checked, not a path that may
 * name something else by then, and may seek in it (an m4a keeps its index at the end).
 */
export const prepareVoiceNote = (source: () => Readable) =>
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "whatsapp-voice-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true })),
    )
    const input = join(dir, "input")
    yield* Effect.tryPromise({
      try: () => pipeline(source(), createWriteStream(input, { flags: "wx", mode: 0o600 })),
      catch: () => conversionFailed("the file could not be read"),
    })
    const output = join(dir, "voice.ogg")
    const converted = yield* Effect.tryPromise({
      try: (signal) =>
        run(
          ffmpeg.path,
          [
            ...["-hide_banner", "-nostdin", "-y", "-i", input, "-vn", "-map_metadata", "-1"],
            ...["-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "32k", "-application", "voip"],
            ...["-f", "ogg", output],
          ],
          { signal, maxBuffer: 4 * 1024 * 1024 },
        ),
      catch: (error) => {
        const stderr = String((error as { stderr?: unknown }).stderr ?? error)
        const last = stderr.trim().split("\n").pop() ?? "ffmpeg failed"
        return conversionFailed(last.slice(0, 200))
      },
    })
    const seconds = parseDuration(converted.stderr)
    const pcm = yield* Effect.tryPromise({
      try: (signal) =>
        run(
          ffmpeg.path,
          ["-hide_banner", "-nostdin", "-i", output, "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
          {
            signal,
            encoding: "buffer",
            maxBuffer: 256 * 1024 * 1024,
          },
        ),
      catch: () => conversionFailed("could not read back the converted audio"),
    })
    const samples = pcm.stdout.length / 2
    return {
      path: output,
      seconds: Math.max(1, Math.round(seconds ?? samples / 8000)),
      waveform: waveformFromPcm(pcm.stdout),
    } satisfies VoiceNote
  })
