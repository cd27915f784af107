// The test kit's check of what a model reads about each parameter: a description that says what the
// argument is, and no title that is a Schema filter's name.
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Params, Plugin, Tool } from "@whatsapp-mcp/runtime"
import { Effect, Schema } from "effect"
import { checkParameterDescriptions, mountPromise, ParameterDescriptionProblem } from "../src/index.js"

const pluginWith = <I>(input: Tool.InputSchema<I>) =>
  Plugin.make({
    name: "described",
    version: "1.0.0",
    description: "One tool whose parameters are under test.",
    tools: [
      Tool.make({
        name: "look_up",
        title: "Look up",
        description: "Looks something up.",
        input,
        output: Schema.Struct({}),
        annotations: Tool.readOnly,
        render: () => "",
        handler: () => Effect.succeed({}),
      }),
    ],
  })

const open: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})
const check = async <I>(input: Tool.InputSchema<I>) => {
  const mounted = await mountPromise({ plugins: [pluginWith(input)] })
  open.push(mounted)
  return checkParameterDescriptions(mounted.client)
}

describe("checkParameterDescriptions", () => {
  it("passes parameters built with Params and described for a model", async () => {
    await expect(
      check(
        Schema.Struct({
          chat_jid: Params.BoundedString(200).annotations({
            description: "The chat: group JID (…@g.us), or a phone number with country code.",
          }),
          after: Params.optional(Params.DateTimeInput, "Only messages at or after this time."),
          ids: Params.optional(Params.BoundedList(Params.BoundedString(200), 1000), "Message ids to mark."),
          kind: Params.optional(Schema.Literal("image", "video"), "Only this kind of media: image or video."),
          context: Params.withDefault(
            Params.IntBetween(0, 20),
            1,
            "How many messages around each hit (0-20).",
          ),
          limit: Params.limit(),
          page: Params.page,
        }),
      ),
    ).resolves.toBeUndefined()
  })

  it("names each parameter that has no description, only Schema's generic one, or a filter's name as title", async () => {
    const problem = check(
      Schema.Struct({
        query: Schema.optional(Schema.String.pipe(Schema.maxLength(500))),
        when: Schema.String.pipe(Schema.maxLength(64)).annotations({ description: "When it happened." }),
        times: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 5)), { default: () => 1 }),
        ids: Schema.optional(Schema.Array(Schema.String).pipe(Schema.maxItems(1000))),
        kind: Schema.optional(Schema.Literal("image", "video")),
      }),
    )
    await expect(problem).rejects.toThrow(ParameterDescriptionProblem)
    const message = await problem.catch((error: Error) => error.message)
    expect(message).toMatch(
      /^look_up\.query: the description "a string at most 500 character\(s\) long" is Schema's generic one/m,
    )
    expect(message).toMatch(/^look_up\.query: the title "maxLength\(500\)" is the name of a Schema filter/m)
    expect(message).toMatch(/^look_up\.when: the title "maxLength\(64\)" is the name of a Schema filter/m)
    expect(message).not.toMatch(/^look_up\.when: .*description/m)
    expect(message).toMatch(/^look_up\.times: the title "between\(1, 5\)" is the name of a Schema filter/m)
    expect(message).toMatch(/^look_up\.ids: the title "maxItems\(1000\)" is the name of a Schema filter/m)
    expect(message).toMatch(/^look_up\.kind: no description/m)
  })

  it("looks inside object parameters", async () => {
    await expect(
      check(
        Schema.Struct({
          filter: Params.optional(Schema.Struct({ from: Schema.String }), "Which messages to keep."),
        }),
      ),
    ).rejects.toThrow(/^look_up\.filter\.from: no description/m)
  })
})
