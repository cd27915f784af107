/**
 * An example third-party plugin, written only against the runtime's public API: an unread digest
 * tool and a catch-up prompt. Load it with `"plugins": { "./examples/plugin-digest": true }`.
 */
import { Plugin } from "@whatsapp-mcp/runtime"
import { catchUp } from "./prompts/catch-up.js"
import { unreadDigest } from "./tools/unread-digest.js"

export default Plugin.make({
  name: "digest",
  version: "0.1.0",
  description: "What needs my attention: unread chats with their latest messages.",
  tools: [unreadDigest],
  prompts: [catchUp],
})
