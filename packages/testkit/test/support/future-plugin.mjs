// A plugin built for a plugin API version this runtime does not implement.
import notes from "./path-plugin.mjs"

export default { ...notes, name: "future", apiVersion: 99, tools: [] }
