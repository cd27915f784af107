// Which plugins load and which tools are served: enablement, options, paths, versions, and the
// precedence readOnly > tools.exclude > plugin enablement.
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Plugin } from "@whatsapp-mcp/runtime"
import { Effect, Either, ModuleVersion } from "effect"
import { afterAll } from "vitest"
import { greeterPlugin, testPlugin } from "../../../testkit/test/support/TestPlugins.js"
import { type Config, PluginLoader } from "../../src/host/index.js"
import { pluginPackage, removePluginPackages } from "../support/PluginPackages.js"

const builtins: PluginLoader.Builtins = {
  test: async () => ({ default: testPlugin }),
  greeter: async () => ({ default: greeterPlugin }),
}

const config = (overrides: Partial<Config.Config> = {}): Config.Config => ({
  file: undefined,
  storeDir: "/tmp/none",
  bridgeUrl: "http://127.0.0.1:8080",
  tokenFile: "/tmp/none/bridge-token",
  timezone: "UTC",
  readOnly: false,
  plugins: [],
  excludeTools: [],
  baseDir: join(__dirname, "../../../testkit/test/support"),
  ...overrides,
})

const load = (overrides: Partial<Config.Config>) =>
  Effect.runPromise(Effect.either(PluginLoader.loadPlugins(config(overrides), builtins)))
const loadOk = async (overrides: Partial<Config.Config>) => Either.getOrThrow(await load(overrides))
const errorOf = async (overrides: Partial<Config.Config>) => {
  const result = await load(overrides)
  return Either.isLeft(result) ? result.left.message : "(loaded)"
}
const served = (plugins: ReadonlyArray<PluginLoader.LoadedPlugin>, overrides: Partial<Config.Config> = {}) =>
  PluginLoader.selectTools(plugins, config(overrides))

describe("loadPlugins", () => {
  it("enables every built-in plugin when the config says nothing", async () => {
    const plugins = await loadOk({})
    expect(plugins.map((p) => p.key)).toEqual(["test", "greeter"])
  })

  it("disables a built-in plugin set to false", async () => {
    const plugins = await loadOk({ plugins: [["greeter", false]] })
    expect(plugins.map((p) => p.key)).toEqual(["test"])
  })

  it("decodes a plugin's options with its own Schema", async () => {
    const plugins = await loadOk({ plugins: [["greeter", { greeting: "Hola" }]] })
    expect(plugins.find((p) => p.key === "greeter")?.options).toEqual({ greeting: "Hola" })
  })

  it("names the option key that is wrong", async () => {
    expect(await errorOf({ plugins: [["greeter", { greeting: 5 }]] })).toMatch(
      /^plugins\.greeter\.greeting: /m,
    )
    expect(await errorOf({ plugins: [["greeter", { greting: "typo" }]] })).toMatch(
      /^plugins\.greeter\.greting: /m,
    )
  })

  it("refuses an unknown plugin name and lists the built-in ones", async () => {
    expect(await errorOf({ plugins: [["contacs", true]] })).toMatch(
      /plugins\.contacs: unknown plugin "contacs"\. Built-in plugins are test, greeter/,
    )
  })

  it("suggests the built-in plugin a mistyped name meant, even when it is set to false", async () => {
    expect(await errorOf({ plugins: [["greter", false]] })).toMatch(
      /^plugins\.greter: unknown plugin "greter"\. Did you mean "greeter"\? Built-in plugins are test, greeter/,
    )
    expect(await errorOf({ plugins: [["gretere", true]] })).toMatch(/Did you mean "greeter"\?/)
    expect(await errorOf({ plugins: [["weather", false]] })).not.toMatch(/Did you mean/)
  })

  it("accepts false for a built-in plugin, an existing path or an installed package, and nothing else", async () => {
    const plugins = await loadOk({
      plugins: [
        ["greeter", false],
        ["./path-plugin.mjs", false],
        ["effect", false],
      ],
    })
    expect(plugins.map((p) => p.key)).toEqual(["test"])
    expect(await errorOf({ plugins: [["./missing-plugin.mjs", false]] })).toMatch(
      /^plugins\.\.\/missing-plugin\.mjs: .*missing-plugin\.mjs does not exist/,
    )
    expect(await errorOf({ plugins: [["@someone/not-installed", false]] })).toMatch(
      /^plugins\.@someone\/not-installed: no installed package "@someone\/not-installed"/,
    )
  })

  it("refuses options given to a plugin that takes none", async () => {
    expect(await errorOf({ plugins: [["test", { foo: 1 }]] })).toMatch(
      /^plugins\.test\.foo: unknown option: the plugin "test" takes no options; set it to true or false\./,
    )
  })

  it("suggests the option a mistyped key meant, and says what a wrong value should be", async () => {
    const message = await errorOf({ plugins: [["greeter", { greting: "Hi", greeting: 5 }]] })
    expect(message).toMatch(
      /^plugins\.greeter\.greting: unknown key "greting" \(did you mean "greeting"\?\)/m,
    )
    expect(message).toMatch(/^plugins\.greeter\.greeting: expected a string; found 5 \(a number\)$/m)
  })

  it("loads a third-party plugin by path, relative to the config file", async () => {
    const plugins = await loadOk({ plugins: [["./path-plugin.mjs", true]] })
    const notes = plugins.find((p) => p.key === "./path-plugin.mjs")
    expect(notes?.plugin.name).toBe("notes")
    expect(notes?.plugin.tools.map((t) => t.name)).toEqual(["note_ping"])
  })

  it("says which path could not be found", async () => {
    expect(await errorOf({ plugins: [["./missing-plugin.mjs", true]] })).toMatch(
      /plugins\.\.\/missing-plugin\.mjs: the plugin could not be loaded: .*missing-plugin\.mjs does not exist/,
    )
  })

  it("refuses a plugin built for a newer plugin API version, naming both versions and what to do", async () => {
    expect(await errorOf({ plugins: [["./future-plugin.mjs", true]] })).toBe(
      `plugins../future-plugin.mjs: the plugin "future" was built for plugin API version 99, but this server implements plugin API version ${Plugin.ApiVersion}. Update whatsapp-mcp to a release that implements version 99, or install a release of the plugin built for version ${Plugin.ApiVersion}.`,
    )
  })

  it("refuses a module that does not export a plugin", async () => {
    expect(await errorOf({ plugins: [["./Stores.ts", true]] })).toMatch(/does not export a plugin/)
  })
})

describe("loadPlugins: the versions a plugin was made with", () => {
  afterAll(removePluginPackages)
  const server = ModuleVersion.getCurrentVersion()
  const [major, minor] = server.split(".").map(Number) as [number, number]
  const line = `${major}.${minor}`

  it("refuses a plugin whose own effect is another major version, before its code breaks on load", async () => {
    const dir = pluginPackage({ name: "next", effect: { stub: true, version: "4.0.1" } })
    expect(await errorOf({ plugins: [[dir, true]] })).toBe(
      `plugins.${dir}: the plugin uses effect 4.0.1 (${join(dir, "node_modules", "effect")}), but this server runs effect ${server}, and code made with one major version of effect does not run on another. Install effect ${line} in the plugin (\`npm install effect@~${server}\` in ${dir}), rebuild it, and start whatsapp-mcp again.`,
    )
  })

  it("refuses a plugin whose own effect is another major version even when its code loads", async () => {
    const dir = pluginPackage({ name: "old", effect: { copyOf: "installed", version: "2.4.19" } })
    const message = await errorOf({ plugins: [[dir, true]] })
    expect(message).toMatch(
      new RegExp(
        `^plugins\\.${literal(dir)}: the plugin "old" uses effect 2\\.4\\.19 .*this server runs effect ${literal(server)}`,
      ),
    )
    expect(message).toContain(`\`npm install effect@~${server}\` in ${dir}`)
  })

  it("refuses a plugin that bundles another major version of effect, from the version Plugin.make stamped", async () => {
    const dir = pluginPackage({ name: "bundled", effect: undefined, stampedEffectVersion: "4.0.0" })
    expect(await errorOf({ plugins: [[dir, true]] })).toMatch(
      new RegExp(
        `the plugin "bundled" uses effect 4\\.0\\.0, but this server runs effect ${literal(server)}`,
      ),
    )
  })

  it("refuses a plugin made with a newer minor version of effect than the server's", async () => {
    const dir = pluginPackage({
      name: "newer",
      effect: { copyOf: "installed", version: `${major}.${minor + 1}.0` },
    })
    expect(await errorOf({ plugins: [[dir, true]] })).toMatch(
      new RegExp(
        `the plugin "newer" uses effect ${major}\\.${minor + 1}\\.0 .*newer than this server's effect ${literal(server)}.*update whatsapp-mcp to a release built with effect ${major}\\.${minor + 1}\\.`,
      ),
    )
  })

  it("loads a plugin with its own copy of the server's line of effect, and says nothing", async () => {
    const dir = pluginPackage({ name: "twin", effect: { copyOf: "installed", version: `${line}.99` } })
    const loaded = (await loadOk({ plugins: [[dir, true]] })).find((p) => p.key === dir)
    expect(loaded?.plugin.tools.map((t) => t.name)).toEqual(["twin_ping"])
    expect(loaded?.warnings).toEqual([])
  })

  it("loads a plugin made with an older minor version of effect, with a warning that names both versions", async () => {
    const older = `${major}.${minor - 1}.0`
    // stamped by Plugin.make and found on disk alike: one warning
    const dir = pluginPackage({
      name: "older",
      effect: { copyOf: "installed", version: older },
      stampedEffectVersion: older,
    })
    const loaded = (await loadOk({ plugins: [[dir, true]] })).find((p) => p.key === dir)
    expect(loaded?.plugin.name).toBe("older")
    expect(loaded?.warnings).toEqual([
      `plugins.${dir}: warning: the plugin "older" uses effect ${older} (${join(dir, "node_modules", "effect")}) and this server runs effect ${server}; it is loaded, but plugins are tested with the server's line of effect. Install effect ${line} in the plugin (\`npm install effect@~${server}\` in ${dir}) and rebuild it.`,
    ])
  })

  it("loads the built-in plugins and plugins made with Plugin.make against the server's effect", async () => {
    const plugins = await loadOk({})
    for (const { plugin, warnings } of plugins) {
      expect(plugin.effectVersion).toBe(server)
      expect(warnings).toEqual([])
    }
  })

  it("refuses a plugin built for an older plugin API version, or one that does not say", async () => {
    const old = pluginPackage({ name: "legacy", effect: undefined, apiVersion: 0 })
    expect(await errorOf({ plugins: [[old, true]] })).toBe(
      `plugins.${old}: the plugin "legacy" was built for plugin API version 0, but this server implements plugin API version ${Plugin.ApiVersion}. Install a release of the plugin built for version ${Plugin.ApiVersion} (with the current @whatsapp-mcp/runtime), or rebuild it against that runtime.`,
    )
    const unsaid = pluginPackage({ name: "unsaid", effect: undefined, apiVersion: null })
    expect(await errorOf({ plugins: [[unsaid, true]] })).toBe(
      `plugins.${unsaid}: the plugin "unsaid" does not say which plugin API version it was built for. Make it with Plugin.make from @whatsapp-mcp/runtime, or give it apiVersion: ${Plugin.ApiVersion}.`,
    )
  })
})

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

describe("selectTools", () => {
  it("serves every tool of every enabled plugin", async () => {
    const tools = Either.getOrThrow(served(await loadOk({})))
    expect(tools.map((t) => t.tool.name)).toContain("greet")
    expect(tools.map((t) => t.tool.name)).toContain("echo")
  })

  it("drops excluded tools", async () => {
    const tools = Either.getOrThrow(served(await loadOk({}), { excludeTools: ["echo"] }))
    expect(tools.map((t) => t.tool.name)).not.toContain("echo")
  })

  it("drops every tool that changes something in read-only mode, whatever else is set", async () => {
    const tools = Either.getOrThrow(
      served(await loadOk({ plugins: [["greeter", { greeting: "Hi" }]] }), { readOnly: true }),
    )
    expect(tools.map((t) => t.tool.name)).not.toContain("greet")
    expect(tools.every((t) => t.tool.annotations.readOnlyHint)).toBe(true)
  })

  it("refuses an exclusion that names no tool, and lists the known ones", async () => {
    const result = served(await loadOk({}), { excludeTools: ["ecko"] })
    expect(Either.isLeft(result) && result.left.message).toMatch(
      /tools\.exclude: unknown tool "ecko"\. Known tools: .*echo/,
    )
  })

  it("accepts an exclusion of a known tool whose plugin is disabled", async () => {
    const plugins = await loadOk({ plugins: [["greeter", false]] })
    const result = PluginLoader.selectTools(plugins, config({ excludeTools: ["greet"] }), new Set(["greet"]))
    expect(Either.isRight(result)).toBe(true)
  })

  it("refuses two plugins that define the same tool", async () => {
    const plugins = await loadOk({})
    const twice = [...plugins, { ...plugins[0]!, key: "./copy-of-test" }]
    const result = served(twice)
    expect(Either.isLeft(result) && result.left.message).toMatch(
      /Two plugins define the tool "echo": "test" and "\.\/copy-of-test"/,
    )
  })
})
