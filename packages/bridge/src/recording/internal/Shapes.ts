/**
 * The checks a recorded line's payload gets while it is revived, each naming where a value is
 * wrong.
 */

/** Thrown while walking one payload; the decoder turns it into a MalformedLine's reason. */
export class ShapeProblem {
  constructor(readonly reason: string) {}
}

export const fail = (reason: string): never => {
  throw new ShapeProblem(reason)
}

export type JsonRecord = Record<string, unknown>

export const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)

export const record = (value: unknown, at: string): JsonRecord =>
  isRecord(value) ? value : fail(`${at} must be an object`)

export const array = (value: unknown, at: string): Array<unknown> =>
  Array.isArray(value) ? value : fail(`${at} must be an array`)

export const string = (value: unknown, at: string): string =>
  typeof value === "string" ? value : fail(`${at} must be a string`)

export const optional = <A>(value: unknown, at: string, check: (value: unknown, at: string) => A): void => {
  if (value !== undefined && value !== null) check(value, at)
}

export const boolean = (value: unknown, at: string): boolean =>
  typeof value === "boolean" ? value : fail(`${at} must be true or false`)

export const number = (value: unknown, at: string): number =>
  typeof value === "number" ? value : fail(`${at} must be a number`)

export const messageKey = (value: unknown, at: string): JsonRecord => {
  const key = record(value, at)
  string(key.remoteJid, `${at}.remoteJid`)
  string(key.id, `${at}.id`)
  optional(key.fromMe, `${at}.fromMe`, boolean)
  return key
}
