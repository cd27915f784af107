/** The {{plugin-name}} plugin for whatsapp-mcp: which chats were busiest in a time window. */
import { Plugin } from "@whatsapp-mcp/runtime"
import { messageCounts } from "./tools/message-counts.js"

export default Plugin.make({
  name: "{{plugin-name}}",
  version: "0.1.0",
  description: "Which chats were busiest in a time window.",
  tools: [messageCounts],
})
