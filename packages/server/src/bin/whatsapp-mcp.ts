#!/usr/bin/env node
// The MCP stdio server. stdout is the protocol: nothing else may write to it.
import { setFlagsFromString } from "node:v8"
import { Main } from "@whatsapp-mcp/runtime"
import { builtins, builtinToolNames, info } from "../index.js"

// The server lives as long as the client's session and sits next to it on the user's machine. By
// default V8 lets the old generation grow to several times what is live before collecting it, so
// resident memory climbed with every call (169 MB after 2,730 calls on a 1M-message store). Sizing
// the heap for memory keeps it near what is live; a read costs the same. Clients start the server
// with a plain `node`, so the flag is set here rather than on a command line; V8 reads it at each
// collection, so setting it at start is enough.
setFlagsFromString("--optimize-for-size")

await Main.main({ builtins, builtinToolNames, info })
