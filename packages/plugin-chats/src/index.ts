/** The chats plugin: list and find chats, direct and group; chats as resources clients can attach. */
import { Plugin } from "@whatsapp-mcp/runtime"
import { chatResource } from "./ChatResource.js"
import { getChat } from "./tools/get-chat.js"
import { getContactChats } from "./tools/get-contact-chats.js"
import { getDirectChatByContact } from "./tools/get-direct-chat-by-contact.js"
import { getLastInteraction } from "./tools/get-last-interaction.js"
import { listChats } from "./tools/list-chats.js"

export default Plugin.make({
  name: "chats",
  version: "0.1.0",
  description: "List and find WhatsApp chats, direct and group.",
  tools: [listChats, getChat, getDirectChatByContact, getContactChats, getLastInteraction],
  resources: [chatResource],
})
