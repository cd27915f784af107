/** The media plugin: download the media of messages. */
import { Plugin } from "@whatsapp-mcp/runtime"
import { downloadMedia } from "./tools/download-media.js"

export default Plugin.make({
  name: "media",
  version: "0.1.0",
  description: "Download photos, videos, audio and documents from messages.",
  tools: [downloadMedia],
})
