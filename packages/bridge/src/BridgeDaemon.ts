/**
 * Assembles the bridge: token, session, connection supervisor, actions and the loopback HTTP
 * server, over a socket factory (live or replay) and a store. The command line runs the programs
 * this module exports.
 */
import { NodeContext } from "@effect/platform-node"
import { DefaultBridgePort } from "@whatsapp-mcp/core/api"
import { Data, Effect, Layer } from "effect"
import * as OperatorConsole from "./pairing/OperatorConsole.js"
import * as IdempotencyLedger from "./send/IdempotencyLedger.js"
import * as BridgeHttpServer from "./server/BridgeHttpServer.js"
import { loadOrCreateToken } from "./server/BridgeToken.js"
import * as SocketActions from "./server/SocketActions.js"
import * as SessionStore from "./session/SessionStore.js"
import * as WhatsAppConnection from "./socket/WhatsAppConnection.js"

/** The bridge could not start; the message says why and what to do. */
export class BridgeStartError extends Data.TaggedError("BridgeStartError")<{ readonly message: string }> {}

export interface BridgeAssemblyOptions {
  readonly storeDir: string
  /** Default 8080; 0 picks a free port. */
  readonly port?: number
  readonly mode: "live" | "replay"
  readonly connection?: WhatsAppConnection.ConnectionOptions
  /** Directories files may be sent from (`--allowed-file-roots`); default none: no file is sent. */
  readonly fileRoots?: ReadonlyArray<string>
  /** Files never sent under any name besides the store's own (the bridge's log files). */
  readonly protectedFiles?: ReadonlyArray<string>
  readonly sendsPerMinute?: number
  /** Largest media file downloaded, in bytes. */
  readonly maxMediaBytes?: number
  /** Where the linked-device session lives; default `<store>/session.db`. */
  readonly session?: Layer.Layer<SessionStore.SessionStore>
}

/**
 * The bridge on top of a socket factory, a store (ingestion sink and reads) and a media CDN
 * (WhatsApp's, or replay's stand-in). Provides the
 * running HTTP server (its address) and the connection (its status).
 */
export const assemble = (options: BridgeAssemblyOptions) => {
  const session = options.session ?? SessionStore.layer(options.storeDir)
  const connection = WhatsAppConnection.layer(options.connection ?? {}).pipe(
    Layer.provide(Layer.mergeAll(session, OperatorConsole.layer(options.storeDir, options.mode))),
  )
  const actions = SocketActions.layer({
    mode: options.mode,
    storeDir: options.storeDir,
    ...(options.fileRoots === undefined ? {} : { fileRoots: options.fileRoots }),
    ...(options.protectedFiles === undefined ? {} : { protectedFiles: options.protectedFiles }),
    ...(options.sendsPerMinute === undefined ? {} : { sendsPerMinute: options.sendsPerMinute }),
    ...(options.maxMediaBytes === undefined ? {} : { maxMediaBytes: options.maxMediaBytes }),
  }).pipe(Layer.provide(IdempotencyLedger.layer(options.storeDir)))
  const server = Layer.unwrapScoped(
    Effect.gen(function* () {
      const token = yield* loadOrCreateToken(options.storeDir).pipe(
        Effect.provide(NodeContext.layer),
        Effect.mapError((error) => new BridgeStartError({ message: error.message })),
      )
      const port = options.port ?? DefaultBridgePort
      return BridgeHttpServer.layer({ token, port }).pipe(
        Layer.catchAll((error) =>
          Layer.fail(
            new BridgeStartError({
              message: `Cannot listen on 127.0.0.1:${port} (${String(error.cause ?? error)}): is another bridge running? Stop it or pick another port with --port.`,
            }),
          ),
        ),
      )
    }),
  )
  return server.pipe(Layer.provide(actions), Layer.provideMerge(connection))
}

/** Prints where the bridge listens and where its token is. */
export const announce = (mode: "live" | "replay", storeDir: string) =>
  Effect.gen(function* () {
    const server = yield* BridgeHttpServer.BridgeHttpServer
    yield* Effect.sync(() =>
      process.stderr.write(
        `whatsapp-bridge (${mode}) listening on ${server.url}; bearer token in ${storeDir}/bridge-token\n`,
      ),
    )
  })
