/**
 * Where media bytes come from: WhatsApp's media servers over HTTPS in the live bridge, local files
 * in replay mode. A message names its own media location, and anyone can send the user a message,
 * so which hosts may be asked is part of the service: the live one allows WhatsApp's hosts only.
 */
import { Agent, get } from "node:https"
import type { Readable } from "node:stream"
import { DEF_MEDIA_HOST, DEFAULT_ORIGIN } from "@whiskeysockets/baileys"
import { Context, Effect, Layer } from "effect"

export interface MediaResponse {
  readonly status: number
  /** The declared length of the body, when the server sent one. */
  readonly length: number | undefined
  readonly body: Readable
}

export interface MediaCdnShape {
  /** Whether this CDN may be asked for `url` at all (scheme, host, port, no credentials). */
  readonly allows: (url: URL) => boolean
  /** The host to build a URL on from a message's `directPath` when the message names none. */
  readonly defaultHost: string
  /** Starts a GET; the body must be consumed or destroyed. Aborting `signal` ends the transfer. */
  readonly get: (url: URL, signal: AbortSignal) => Promise<MediaResponse>
}

export class MediaCdn extends Context.Tag("@whatsapp-mcp/bridge/MediaCdn")<MediaCdn, MediaCdnShape>() {}

/** WhatsApp's media host, the one Baileys builds URLs on. */
export const WhatsAppMediaHost: string = DEF_MEDIA_HOST

/**
 * WhatsApp serves media from `whatsapp.net` hosts (`mmg.whatsapp.net` in every recorded message);
 * the domain is WhatsApp's, so any of its names may be asked, over HTTPS on the default port.
 */
export const isWhatsAppMediaUrl = (url: URL): boolean =>
  url.protocol === "https:" &&
  url.port === "" &&
  url.username === "" &&
  url.password === "" &&
  (url.hostname === "whatsapp.net" || url.hostname.endsWith(".whatsapp.net"))

export interface LiveMediaCdnOptions {
  /**
   * The agent connections go through. Tests pass one that dials a local server; the default
   * resolves and verifies WhatsApp's certificates as any HTTPS client does.
   */
  readonly agent?: Agent
}

const defaultAgent = () => new Agent({ keepAlive: true, maxSockets: 4, timeout: 60_000 })

/**
 * HTTPS through Node's own HTTP client (not the undici inside Node, whose HTTP/1 parser can throw
 * an uncatchable assertion when a server closes mid-body): every failure arrives as an error event
 * on the request or the body, where the download handles it.
 */
export const makeLive = (agent: Agent): MediaCdnShape => ({
  allows: isWhatsAppMediaUrl,
  defaultHost: WhatsAppMediaHost,
  get: (url, signal) =>
    new Promise<MediaResponse>((resolve, reject) => {
      // Only the URL this bridge chose is fetched: https.get follows no redirect.
      const request = get(
        url,
        { agent, signal, headers: { Origin: DEFAULT_ORIGIN }, timeout: 60_000 },
        (response) => {
          const declared = Number(response.headers["content-length"])
          resolve({
            status: response.statusCode ?? 0,
            length: Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined,
            body: response,
          })
        },
      )
      request.on("timeout", () => request.destroy(new Error("the media server stopped answering")))
      request.on("error", reject)
    }),
})

export const live = (options: LiveMediaCdnOptions = {}): Layer.Layer<MediaCdn> =>
  options.agent !== undefined
    ? Layer.succeed(MediaCdn, makeLive(options.agent))
    : Layer.scoped(
        MediaCdn,
        Effect.map(
          Effect.acquireRelease(Effect.sync(defaultAgent), (agent) => Effect.sync(() => agent.destroy())),
          makeLive,
        ),
      )
