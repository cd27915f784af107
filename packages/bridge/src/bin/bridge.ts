#!/usr/bin/env node
// The bridge daemon's command line. Not implemented yet: it says so instead of pretending to work.
console.error(
  "whatsapp-bridge: not implemented yet. Ingestion and the WhatsApp connection land in their own issues.",
)
process.exit(2)
