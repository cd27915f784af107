/**
 * What a search that found nothing tells the model: the most frequent words of the messages it
 * looked through. They show which languages those messages are written in, so the next query can
 * use their words ("dîner" where "dinner" found nothing).
 */

/** A word as the full-text index reads one: letters (with their accents) and digits, joined by ' or -. */
const wordPattern = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu

/** Shorter words are mostly articles and particles in any language: they say little about a chat. */
const minLength = 4

/** The `count` words that occur most often in `texts` (lower-cased, at least twice), most frequent first. */
export const frequentWords = (texts: ReadonlyArray<string>, count: number): ReadonlyArray<string> => {
  const counts = new Map<string, number>()
  for (const text of texts) {
    for (const [word] of text.toLowerCase().matchAll(wordPattern)) {
      if (Array.from(word).length < minLength || /^\d+$/.test(word)) continue
      counts.set(word, (counts.get(word) ?? 0) + 1)
    }
  }
  return [...counts]
    .filter(([, n]) => n >= 2)
    .sort(([a, n], [b, m]) => m - n || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, count)
    .map(([word]) => word)
}
