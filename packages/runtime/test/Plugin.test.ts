// What the type checker enforces on plugins, and what the loader accepts at run time.
import { createRequire } from "node:module"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, ModuleVersion, Schema } from "effect"
import { Plugin, Tool } from "../src/index.js"

class Weather extends Context.Tag("test/Weather")<Weather, { readonly today: string }>() {}

const forecast = Tool.make({
  name: "forecast",
  title: "Forecast",
  description: "Today's weather.",
  input: Schema.Struct({}),
  output: Schema.Struct({ today: Schema.String }),
  annotations: Tool.readOnly,
  render: ({ today }) => today,
  handler: () => Effect.map(Weather, (w) => ({ today: w.today })),
})

describe("Plugin.make", () => {
  it("gives a plugin whose tools need an unprovided service a type no loader accepts", () => {
    const broken = Plugin.make({ name: "weather", version: "1.0.0", description: "d", tools: [forecast] })
    // @ts-expect-error the Weather service is provided by nobody
    const asPlugin: Plugin.Any = broken
    expect(Plugin.isPlugin(asPlugin)).toBe(true)
  })

  it("stamps the plugin with the API version it was built for", () => {
    const plugin = Plugin.make({ name: "empty", version: "1.0.0", description: "d", tools: [] })
    expect(plugin.apiVersion).toBe(Plugin.ApiVersion)
    expect(Plugin.isPlugin(plugin)).toBe(true)
    expect(Plugin.isPlugin({ _tag: "Plugin" })).toBe(false)
  })

  it("stamps the plugin with the version of effect it was made with, which the server checks at start-up", () => {
    const plugin = Plugin.make({ name: "empty", version: "1.0.0", description: "d", tools: [] })
    const installed = createRequire(import.meta.url)("effect/package.json") as { version: string }
    expect(plugin.effectVersion).toBe(installed.version)
    expect(plugin.effectVersion).toBe(ModuleVersion.getCurrentVersion())
  })
})
