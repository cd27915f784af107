/**
 * Stands in for WhatsApp's media CDN in replay mode (the demo, the end-to-end tests): requests for
 * the replay media host are answered from local directories of encrypted files, so downloads run
 * the real decryption and checks with no network. It answers for that host alone, as the live CDN
 * answers for WhatsApp's hosts alone: a message naming any other server is refused the same way.
 */
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { basename, join, normalize } from "node:path"
import { Readable } from "node:stream"
import { Layer } from "effect"
import { MediaCdn, type MediaCdnShape } from "../media/MediaCdn.js"
import { ReplayMediaHost } from "./ReplaySocket.js"

/**
 * Looks for `<root>/<url path>`, then `<root>/<file name>`, then, for the recorded fixtures'
 * `fixture-<kind>-<name>.enc` paths, `<root>/<name>.enc`; never outside a root.
 */
const findFile = async (
  roots: ReadonlyArray<string>,
  pathname: string,
): Promise<{ readonly path: string; readonly size: number } | undefined> => {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, "")
  if (relative.split(/[/\\]/).includes("..")) return undefined
  for (const root of roots) {
    const name = basename(relative)
    const fixture = /^fixture-[a-z]+-(.+\.enc)$/.exec(name)?.[1]
    const candidates = [
      join(root, relative),
      join(root, name),
      ...(fixture === undefined ? [] : [join(root, fixture)]),
    ]
    for (const candidate of candidates) {
      const found = await stat(candidate).catch(() => undefined)
      if (found?.isFile()) return { path: candidate, size: found.size }
    }
  }
  return undefined
}

export const make = (roots: ReadonlyArray<string>): MediaCdnShape => ({
  allows: (url) =>
    url.protocol === "https:" &&
    url.hostname === ReplayMediaHost &&
    url.port === "" &&
    url.username === "" &&
    url.password === "",
  defaultHost: ReplayMediaHost,
  get: async (url, signal) => {
    const found = await findFile(roots, url.pathname)
    return found === undefined
      ? { status: 404, length: 0, body: Readable.from([]) }
      : { status: 200, length: found.size, body: createReadStream(found.path, { signal }) }
  },
})

/** The replay media CDN, serving `roots`. */
export const layer = (roots: ReadonlyArray<string>): Layer.Layer<MediaCdn> =>
  Layer.succeed(MediaCdn, make(roots))
