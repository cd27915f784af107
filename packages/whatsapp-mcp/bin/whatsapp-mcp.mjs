#!/usr/bin/env node
// `whatsapp-mcp`: the MCP server (the bundle of @whatsapp-mcp/server, started through its code
// cache), or `whatsapp-mcp demo …`, the replay bridge on sample chats, or `whatsapp-mcp doctor …`
// (also `checkup`, the repository's word for it), the check of the whole setup. Only a name is
// looked at here, so that the server starts as fast as from its own bundle.
const subcommand = process.argv[2]
if (subcommand === "demo") await import("../src/Demo.mjs")
else if (subcommand === "doctor" || subcommand === "checkup") await import("../src/Doctor.mjs")
else await import("@whatsapp-mcp/server/bin")
