// Module hooks: the bridge's one import of WhatsApp itself (src/LiveWhatsApp.ts) resolves to the
// simulated one instead, through the rest of the chain so that tsx still compiles it.
const simulated = new URL("./SimulatedWhatsApp.ts", import.meta.url).href

export const resolve = async (specifier, context, next) =>
  /(^|\/)LiveWhatsApp\.js$/.test(specifier) && context.parentURL?.includes("/packages/bridge/src/")
    ? next(simulated, context)
    : next(specifier, context)
