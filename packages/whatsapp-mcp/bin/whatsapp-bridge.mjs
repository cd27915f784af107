#!/usr/bin/env node
// `whatsapp-bridge`: the bridge daemon and its subcommands (pairing, `--replay`, `ingest`,
// `logout`), from the bundle of @whatsapp-mcp/bridge.
await import("@whatsapp-mcp/bridge/bin")
