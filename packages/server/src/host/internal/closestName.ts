/** "Did you mean": the known name a mistyped one most likely meant, for messages about config keys and names. */
import { closest, distance } from "fastest-levenshtein"

/** The closest of `names` to a mistyped `name`, when one is close enough to be what was meant. */
export const closestName = (name: string, names: Iterable<string>): string | undefined => {
  const candidates = [...names]
  if (candidates.length === 0) return undefined
  const best = closest(
    name.toLowerCase(),
    candidates.map((c) => c.toLowerCase()),
  )
  const original = candidates.find((c) => c.toLowerCase() === best)
  return original !== undefined &&
    distance(name.toLowerCase(), best) <= Math.max(2, Math.floor(best.length / 3))
    ? original
    : undefined
}
