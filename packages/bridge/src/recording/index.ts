/**
 * Recorded Baileys event streams (JSON Lines, see ARCHITECTURE.md "Recorded fixtures"): reading
 * them back as live-shaped events, writing them, and the Baileys constructors fixture builders use.
 */
export * from "./BaileysConstructors.js"
export * from "./BaileysEvent.js"
export * from "./RecordedLine.js"
export * from "./RecordingDecoder.js"
export * from "./RecordingEncoder.js"
export { type ParsedLine, parseRecordingLine } from "./RecordingLineParser.js"
export * from "./RecordingReader.js"
export * from "./RecordingTimeShift.js"
export * from "./RecordingWriter.js"
export * from "./SocketEventPipeline.js"
