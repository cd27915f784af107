// What the bridge's health endpoint answers, for tests that change only what they are about.
import type { Health } from "@whatsapp-mcp/core/api"

/** A bridge still connecting to WhatsApp for an unpaired device, with an empty store. */
export const connectingHealth: typeof Health.Encoded = {
  status: "ok",
  mode: "live",
  connection: "connecting",
  detail: null,
  pairing: "unpaired",
  own_jid: null,
  last_disconnect: null,
  reconnects: 0,
  store: { chats: 0, contacts: 0, messages: 0 },
  history_sync: { active: false, chunks: 0, messages: 0, progress: null },
}
