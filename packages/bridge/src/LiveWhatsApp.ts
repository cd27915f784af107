/**
 * WhatsApp itself, as the live bridge and `bridge logout` reach it: the socket factory, the lookup
 * of the current WhatsApp Web version, and the time WhatsApp was last heard from, kept in the store.
 * The replay bridge uses a simulated socket instead, and tests replace this one module.
 */
import { Layer } from "effect"
import * as LastHeard from "./socket/LastHeard.js"
import * as LiveSocketFactory from "./socket/LiveSocketFactory.js"
import * as WaWebVersion from "./socket/WaWebVersion.js"

/** Reads and writes through the store (messages for retries, the stored version, last heard). */
export const layer = Layer.mergeAll(LiveSocketFactory.layer, WaWebVersion.live, LastHeard.storedInStore)
