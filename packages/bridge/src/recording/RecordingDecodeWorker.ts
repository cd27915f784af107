/**
 * The worker thread of `readRecording(file, { decodeInWorker: true })`: reads the file and does the
 * costly half of decoding (JSON, then WAProto revival of every message and its encoding to bytes),
 * so the thread that stores the events only decodes bytes. At most `window` lines are in flight:
 * the reader acknowledges each one it takes, and this thread waits when none are left.
 */
import { closeSync, openSync, readSync } from "node:fs"
import { StringDecoder } from "node:string_decoder"
import { parentPort, workerData } from "node:worker_threads"
import { carriesMessages } from "./BaileysEvent.js"
import { MalformedLine } from "./RecordedLine.js"
import { reviveRecordedMessages } from "./RecordingDecoder.js"
import type { WorkerItem, WorkerOptions } from "./RecordingDecodeWorkerProtocol.js"
import { parseRecordingLine } from "./RecordingLineParser.js"
import { packMessages } from "./WireMessages.js"

const port = parentPort
if (port === null) throw new Error("RecordingDecodeWorker runs only as a worker thread")
const { file, window, chunkBytes } = workerData as WorkerOptions

let credits = window
let wake: (() => void) | undefined
port.on("message", () => {
  credits += 1
  wake?.()
  wake = undefined
})

const send = async (item: WorkerItem, transfer: ReadonlyArray<ArrayBuffer> = []): Promise<void> => {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve))
  credits -= 1
  port.postMessage(item, [...transfer])
}

type Decoded = { item: WorkerItem; transfer?: Array<ArrayBuffer> }

/** One line turned into what the reader needs; a line this thread cannot finish goes as text. */
const decode = (text: string, line: number): Decoded | undefined => {
  const parsed = parseRecordingLine(text, file, line)
  if (parsed === undefined) return undefined
  if (parsed instanceof MalformedLine) return { item: { kind: "malformed", line, reason: parsed.reason } }
  if (!carriesMessages(parsed.name)) return { item: { kind: "text", line, text } }
  const revived = reviveRecordedMessages(parsed)
  if ("reason" in revived) return { item: { kind: "malformed", line, reason: revived.reason } }
  try {
    const packed = packMessages(revived.messages)
    // the messages travel as bytes; an empty list keeps their key where it was
    const rest = { ...(parsed.data as Record<string, unknown>), messages: [] }
    return {
      item: { kind: "event", line, name: parsed.name, rest, packed },
      transfer: [packed.bytes.buffer as ArrayBuffer, packed.ends.buffer as ArrayBuffer],
    }
  } catch {
    // WAProto could not encode a message: the reader decodes the whole line itself
    return { item: { kind: "text", line, text } }
  }
}

const run = async (): Promise<void> => {
  let fd: number
  try {
    fd = openSync(file, "r")
  } catch (error) {
    return send({ kind: "failed", message: error instanceof Error ? error.message : String(error) })
  }
  try {
    const chunk = Buffer.allocUnsafe(chunkBytes)
    const text = new StringDecoder("utf8")
    let pending = ""
    let line = 0
    const emit = async (content: string) => {
      line += 1
      const decoded = decode(content, line)
      if (decoded !== undefined) await send(decoded.item, decoded.transfer)
    }
    for (;;) {
      let read: number
      try {
        read = readSync(fd, chunk, 0, chunk.length, null)
      } catch (error) {
        return send({ kind: "failed", message: error instanceof Error ? error.message : String(error) })
      }
      if (read === 0) break
      pending += text.write(chunk.subarray(0, read))
      let start = 0
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
        await emit(pending.slice(start, end))
        start = end + 1
      }
      pending = pending.slice(start)
    }
    pending += text.end()
    if (pending.length > 0) await emit(pending)
    await send({ kind: "end" })
  } finally {
    closeSync(fd)
  }
}

void run()
