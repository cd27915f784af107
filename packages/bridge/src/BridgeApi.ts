/** HTTP contract of the bridge: the Schemas both the bridge server and the runtime client use. Loads no Baileys. */
export const BridgeApiVersion = 1
