#!/usr/bin/env node
console.error("whatsapp-mcp: not implemented yet.")
process.exit(2)
