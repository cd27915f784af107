#!/usr/bin/env node
// The `create-whatsapp-mcp-plugin` command (`npm init whatsapp-mcp-plugin DIR` runs it too).
import { main } from "./CreatePlugin.js"

process.exitCode = main(process.argv.slice(2))
