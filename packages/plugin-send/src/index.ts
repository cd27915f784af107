/** The send plugin: everything that changes something on WhatsApp, within the user's limits. */
import { Plugin } from "@whatsapp-mcp/runtime"
import { SendOptions } from "./SendOptions.js"
import * as SendPolicy from "./SendPolicy.js"
import { markMessagesRead } from "./tools/mark-messages-read.js"
import { sendAudioMessage } from "./tools/send-audio-message.js"
import { sendFile } from "./tools/send-file.js"
import { sendMessage } from "./tools/send-message.js"
import { sendReaction } from "./tools/send-reaction.js"

export { SendOptions } from "./SendOptions.js"

export default Plugin.make({
  name: "send",
  version: "0.1.0",
  description: "Send messages, files and voice notes, react, and mark messages read.",
  options: SendOptions,
  layer: SendPolicy.layer,
  tools: [sendMessage, sendFile, sendAudioMessage, sendReaction, markMessagesRead],
})
