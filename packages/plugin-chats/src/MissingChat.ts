/** The error for a chat the store does not have, saying how to find the right one. */
import { InvalidArgument } from "@whatsapp-mcp/runtime"

export const missingChat = (argument: string, input: string): InvalidArgument =>
  new InvalidArgument({
    argument,
    problem: `no chat with ${input} is in the store. Call list_chats (by name) or search_contacts (for a person's number) to find the right JID.`,
  })
