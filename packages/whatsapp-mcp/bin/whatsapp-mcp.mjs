#!/usr/bin/env node
// `whatsapp-mcp`: the MCP server (the bundle of @whatsapp-mcp/server, started through its code
// cache), or `whatsapp-mcp demo …`, the replay bridge on sample chats. Only a name is looked at
// here, so that the server starts as fast as from its own bundle.
if (process.argv[2] === "demo") await import("../src/Demo.mjs")
else await import("@whatsapp-mcp/server/bin")
