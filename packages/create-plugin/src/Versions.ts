/**
 * The versions a scaffolded plugin is written against: the ones this repository builds and tests
 * the runtime with (the effect packages installed for it, the root's TypeScript, vitest and Node
 * types, and the runtime's peer ranges). A test in the repository fails when they drift apart.
 */

/** Exact versions for the plugin's own development: effect 4 and other 3.x lines do not work. */
export const devDependencies = {
  "@effect/sql": "0.52.1",
  "@types/node": "20.19.43",
  effect: "3.22.4",
  typescript: "5.9.3",
  vitest: "3.2.7",
} as const

/** What the server running the plugin must provide: the runtime's own peer ranges. */
export const peerRanges = {
  "@effect/sql": "~0.52.1",
  effect: "~3.22.4",
} as const
