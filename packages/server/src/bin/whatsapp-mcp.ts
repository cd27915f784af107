#!/usr/bin/env node
// The MCP stdio server. stdout is the protocol: nothing else may write to it.
import { Main } from "@whatsapp-mcp/runtime"
import { builtins, builtinToolNames, info } from "../index.js"

await Main.main({ builtins, builtinToolNames, info })
