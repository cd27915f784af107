/**
 * Stands in for WhatsApp's media CDN in replay mode (the demo, the end-to-end tests): requests to
 * the media host are answered from local directories of encrypted files, so downloads run Baileys'
 * real decrypt path with no network. Any other request goes to the real fetch untouched.
 */
import { readFile } from "node:fs/promises"
import { basename, join, normalize } from "node:path"
import { Effect, Layer } from "effect"
import { ReplayMediaHost } from "./ReplaySocket.js"

/**
 * Looks for `<root>/<url path>`, then `<root>/<file name>`, then, for the recorded fixtures'
 * `fixture-<kind>-<name>.enc` paths, `<root>/<name>.enc`; never outside a root.
 */
const findFile = async (roots: ReadonlyArray<string>, pathname: string): Promise<Buffer | undefined> => {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, "")
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
      const bytes = await readFile(candidate).catch(() => undefined)
      if (bytes !== undefined) return bytes
    }
  }
  return undefined
}

/** Intercepts the global fetch for the media host while the scope is open. */
export const layer = (roots: ReadonlyArray<string>): Layer.Layer<never> =>
  Layer.scopedDiscard(
    Effect.acquireRelease(
      Effect.sync(() => {
        const original = globalThis.fetch
        const replacement: typeof fetch = async (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input))
          if (url.hostname !== ReplayMediaHost) return original(input, init)
          const bytes = await findFile(roots, url.pathname)
          return bytes === undefined
            ? new Response("not found", { status: 404 })
            : new Response(new Uint8Array(bytes), {
                status: 200,
                headers: {
                  "content-type": "application/octet-stream",
                  "content-length": String(bytes.length),
                },
              })
        }
        globalThis.fetch = replacement
        return original
      }),
      (original) =>
        Effect.sync(() => {
          globalThis.fetch = original
        }),
    ),
  )
