/**
 * `bridge anonymize IN --out OUT`: the `--record --anonymize` rules applied offline to a recording
 * someone already has, so it can be attached to a bug report or kept as a fixture. One salt covers
 * the whole file, so a person keeps one pseudonym everywhere; order, structure and times are kept.
 */
import { readFile, rename, writeFile } from "node:fs/promises"
import { Data, Effect } from "effect"
import { describeError } from "../logging/ErrorDescription.js"
import { makeAnonymizer, type RecordingAnonymizer } from "./RecordingAnonymizer.js"

export class AnonymizeFailed extends Data.TaggedError("AnonymizeFailed")<{ readonly message: string }> {}

export interface AnonymizeSummary {
  readonly lines: number
}

/**
 * Every line of `text` anonymised. A line that is not JSON is not copied (it could hold anything):
 * all such lines are named, and nothing is returned, so no half-anonymised file is ever written.
 */
export const anonymizeText = (
  text: string,
  file: string,
  anonymizer: RecordingAnonymizer = makeAnonymizer(),
): Effect.Effect<string, AnonymizeFailed> =>
  Effect.suspend(() => {
    const problems: Array<string> = []
    const out = text.split("\n").map((line, i) => {
      try {
        return anonymizer.line(line)
      } catch (error) {
        problems.push(`${file}:${i + 1}: not a JSON line (${describeError(error)})`)
        return ""
      }
    })
    return problems.length === 0
      ? Effect.succeed(out.join("\n"))
      : Effect.fail(
          new AnonymizeFailed({
            message: `${problems.join("\n")}\nnothing was written: fix or remove these lines (every line must be one JSON event, a // comment or blank), then run again.`,
          }),
        )
  })

/** Reads IN, writes OUT (through a temporary file, so OUT is never left half written). */
export const anonymizeCommand = (options: {
  readonly input: string
  readonly output: string
}): Effect.Effect<AnonymizeSummary, AnonymizeFailed> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(options.input, "utf8"),
      catch: (error) =>
        new AnonymizeFailed({ message: `cannot read ${options.input}: ${(error as Error).message}` }),
    })
    const anonymized = yield* anonymizeText(text, options.input)
    const partial = `${options.output}.partial`
    yield* Effect.tryPromise({
      try: async () => {
        await writeFile(partial, anonymized, { mode: 0o600 })
        await rename(partial, options.output)
      },
      catch: (error) =>
        new AnonymizeFailed({ message: `cannot write ${options.output}: ${(error as Error).message}` }),
    })
    return {
      lines: text.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("//")).length,
    }
  })
