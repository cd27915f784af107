/** The contacts plugin: find people by name or number. */
import { Plugin } from "@whatsapp-mcp/runtime"
import { getContact } from "./tools/get-contact.js"
import { searchContacts } from "./tools/search-contacts.js"

export default Plugin.make({
  name: "contacts",
  version: "0.1.0",
  description: "Find WhatsApp contacts by name or number.",
  tools: [searchContacts, getContact],
})
