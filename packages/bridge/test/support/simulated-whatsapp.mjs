// `node --import tsx --import ./simulated-whatsapp.mjs src/bin/bridge.ts …`: the real command line,
// with WhatsApp replaced by the replay socket (see SimulatedWhatsApp.ts), so that commands which
// connect, such as `logout`, run end to end without the network.
import { register } from "node:module"

register("./simulated-whatsapp-hooks.mjs", import.meta.url)
