/**
 * Turns what a user or model types into an FTS5 expression that can never be a syntax error: every
 * word becomes a quoted string (so AND, NEAR, parentheses, colons and quotes are plain text), all
 * words must appear, and a word ending in `*` matches as a prefix. Accents and case are ignored by
 * the index's tokenizer (`unicode61 remove_diacritics 2`), on the query as on the text.
 */
import { Either } from "effect"

/** Words as unicode61 sees them: runs of letters, digits and combining marks. */
const word = /[\p{L}\p{N}\p{M}]+(\*)?/gu

/** More words than this add nothing to a search and only slow it down. */
const maxWords = 16

/** The FTS5 expression for a query, or Left with the reason there is nothing to search for. */
export const build = (query: string): Either.Either<string, string> => {
  const terms: Array<string> = []
  for (const found of query.normalize("NFC").matchAll(word)) {
    const text = found[0]
    const prefix = text.endsWith("*")
    const bare = prefix ? text.slice(0, -1) : text
    // The word holds only letters, digits and marks, so it needs no escaping inside the quotes.
    terms.push(prefix ? `"${bare}"*` : `"${bare}"`)
    if (terms.length === maxWords) break
  }
  if (terms.length === 0) {
    return Either.left(
      `"${query.slice(0, 80)}" has no words to search for; give one or more words (end a word with * to match its beginning).`,
    )
  }
  return Either.right(terms.join(" "))
}
