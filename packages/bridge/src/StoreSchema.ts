/** The store schema: table and column names the read side relies on. Loads no Baileys. */
export const StoreSchemaVersion = 1
