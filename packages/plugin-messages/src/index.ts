/** The messages plugin: search messages and read conversations; what needs attention, as a resource. */
import { Plugin } from "@whatsapp-mcp/runtime"
import { attentionResource } from "./AttentionResource.js"
import { getMessageContext } from "./tools/get-message-context.js"
import { listMessages } from "./tools/list-messages.js"
import { loadOlderMessages } from "./tools/load-older-messages.js"

export default Plugin.make({
  name: "messages",
  version: "0.1.0",
  description:
    "Search WhatsApp messages, read the conversation around them, and load older history from the phone.",
  tools: [listMessages, getMessageContext, loadOlderMessages],
  resources: [attentionResource],
})
