// Pictures in tool results: only a tool that declares images sends image content, only within
// its declaration, and the declaration is what clients (and toolsnaps) see in tools/list.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Plugin, Tool, ToolImage } from "@whatsapp-mcp/runtime"
import { mountPromise } from "@whatsapp-mcp/testkit"
import { Effect, Schema } from "effect"
import { makeStoreDir } from "../../../testkit/test/support/Stores.js"

// a 1×1 PNG
const pixel =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

const pictureTool = (name: string, images: ToolImage.Declaration | undefined, sent: ToolImage.Image) =>
  Tool.make({
    name,
    title: name,
    description: "Answers with a picture.",
    input: Schema.Struct({}),
    output: Schema.Struct({ caption: Schema.String }),
    annotations: Tool.readOnly,
    ...(images === undefined ? {} : { images }),
    render: ({ caption }) => caption,
    handler: () => Effect.succeed(ToolImage.withImages({ caption: "a dot" }, [sent])),
  })

const declared: ToolImage.Declaration = { mimeTypes: ["image/png"], maxBytes: 1000, maxEdge: 10 }
const plugin = Plugin.make({
  name: "pictures",
  version: "0.1.0",
  description: "Tools answering with pictures.",
  tools: [
    pictureTool("declared", declared, { data: pixel, mimeType: "image/png" }),
    pictureTool("undeclared", undefined, { data: pixel, mimeType: "image/png" }),
    pictureTool("wrong_type", declared, { data: pixel, mimeType: "image/gif" }),
    pictureTool("too_large", { ...declared, maxBytes: 20 }, { data: pixel, mimeType: "image/png" }),
  ],
})

let mounted: Awaited<ReturnType<typeof mountPromise>>
beforeAll(async () => {
  mounted = await mountPromise({ plugins: [plugin], storeDir: makeStoreDir(0) })
})
afterAll(() => mounted.close())

const call = async (name: string) => {
  const result = await mounted.client.callTool({ name, arguments: {} })
  const content = result.content as Array<{ type: string; text?: string; data?: string; mimeType?: string }>
  return { result, content, images: content.filter((c) => c.type === "image") }
}

describe("pictures in tool results", () => {
  it("publish a tool's image declaration in its listing, and none for a tool without one", async () => {
    const { tools } = await mounted.client.listTools()
    const byName = new Map(tools.map((t) => [t.name, t]))
    expect(byName.get("declared")?._meta).toEqual({
      [ToolImage.MetaKey]: { mimeTypes: ["image/png"], maxBytes: 1000, maxEdge: 10 },
    })
    expect(byName.get("undeclared")?._meta).toBeUndefined()
  })

  it("reach the client as image content from a tool that declares them, after the text", async () => {
    const { result, content, images } = await call("declared")
    expect(result.isError).toBeFalsy()
    expect(content[0]).toEqual({ type: "text", text: "a dot" })
    expect(images).toEqual([{ type: "image", data: pixel, mimeType: "image/png" }])
    expect(result.structuredContent).toEqual({ caption: "a dot" })
  })

  it("never reach the client from a tool that does not declare them", async () => {
    const { result, images } = await call("undeclared")
    expect(result.isError).toBeFalsy()
    expect(images).toEqual([])
    expect(result.structuredContent).toEqual({ caption: "a dot" })
    expect(mounted.logs.join("\n")).toMatch(/undeclared returned pictures but does not declare images/)
  })

  it("are left out, with a line that says why, when outside the declaration", async () => {
    const wrongType = await call("wrong_type")
    expect(wrongType.images).toEqual([])
    expect(wrongType.content.map((c) => c.text).join("\n")).toMatch(
      /A picture was left out of this result: its type image\/gif is not one the tool declares \(image\/png\)/,
    )
    const tooLarge = await call("too_large")
    expect(tooLarge.images).toEqual([])
    expect(tooLarge.content.map((c) => c.text).join("\n")).toMatch(
      /is 70 bytes, more than the 20 the tool declares/,
    )
  })
})
