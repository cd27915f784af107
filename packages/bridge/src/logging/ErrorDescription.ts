/**
 * How the bridge puts a caught failure into words for a log line or an error message: JavaScript
 * lets anything be thrown, and an Error's own message reads better than its `Error: …` string.
 */

/** An error's message, or the thrown value as text. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
