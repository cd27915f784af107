// Plugins that exercise every path of the runtime: success, typed failure, defect, cancellation,
// progress, options with a Layer, and a tool that writes.
import { SqlClient } from "@effect/sql"
import { Params, Plugin, Prompt, Resource, Tool, ToolContext, ToolError } from "@whatsapp-mcp/runtime"
import { Context, Effect, Layer, Schema } from "effect"

export const interrupted = { count: 0 }

const echo = Tool.make({
  name: "echo",
  title: "Echo",
  description: "Repeats the text.",
  input: Schema.Struct({
    text: Params.BoundedString(100).annotations({ description: "What to repeat." }),
    times: Params.withDefault(Schema.Int.pipe(Schema.between(1, 5)), 1, "How often."),
  }),
  output: Schema.Struct({ echoed: Schema.String }),
  annotations: Tool.readOnly,
  render: ({ echoed }) => `echo: ${echoed}`,
  handler: ({ text, times }) =>
    Effect.succeed({ echoed: Array.from({ length: times }, () => text).join(" ") }),
})

const failTyped = Tool.make({
  name: "fail_typed",
  title: "Fail",
  description: "Always fails with a typed error.",
  input: Schema.Struct({}),
  output: Schema.Struct({}),
  annotations: Tool.readOnly,
  render: () => "",
  handler: () => Effect.fail(new ToolError({ message: "The chat 123@g.us does not exist: use list_chats." })),
})

const crash = Tool.make({
  name: "crash",
  title: "Crash",
  description: "Dies with a defect whose details must not reach the model.",
  input: Schema.Struct({}),
  output: Schema.Struct({}),
  annotations: Tool.readOnly,
  render: () => "",
  handler: () => Effect.die(new Error("secret internal detail")),
})

const waitForever = Tool.make({
  name: "wait_forever",
  title: "Wait",
  description: "Never finishes unless cancelled.",
  input: Schema.Struct({}),
  output: Schema.Struct({}),
  annotations: Tool.readOnly,
  render: () => "",
  handler: () =>
    Effect.never.pipe(
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          interrupted.count++
        }),
      ),
    ),
})

const slowWithProgress = Tool.make({
  name: "count_to_three",
  title: "Count",
  description: "Reports progress three times.",
  input: Schema.Struct({}),
  output: Schema.Struct({ counted: Schema.Int }),
  annotations: Tool.readOnly,
  render: ({ counted }) => `${counted}`,
  handler: () =>
    Effect.gen(function* () {
      for (let i = 1; i <= 3; i++) yield* ToolContext.progress(i, 3, `step ${i}`)
      return { counted: 3 }
    }),
})

const badOutput = Tool.make({
  name: "bad_output",
  title: "Bad output",
  description: "Returns a value its output Schema rejects.",
  input: Schema.Struct({}),
  output: Schema.Struct({ n: Schema.Int }),
  annotations: Tool.readOnly,
  render: () => "",
  handler: () => Effect.succeed({ n: 1.5 }),
})

const countRows = Tool.make({
  name: "count_rows",
  title: "Count rows",
  description: "Counts the messages in the store.",
  input: Schema.Struct({}),
  output: Schema.Struct({ rows: Schema.Int }),
  annotations: Tool.readOnly,
  render: ({ rows }) => `${rows} rows`,
  handler: () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM messages`
      return { rows: row?.n ?? 0 }
    }).pipe(Effect.orDie),
})

export const testPlugin = Plugin.make({
  name: "test",
  version: "1.0.0",
  description: "Exercises the runtime.",
  tools: [echo, failTyped, crash, waitForever, slowWithProgress, badOutput, countRows],
})

class Greeting extends Context.Tag("test/Greeting")<
  Greeting,
  { readonly greet: (name: string) => string }
>() {}

const greet = Tool.make({
  name: "greet",
  title: "Greet",
  description: "Greets someone with the configured greeting.",
  input: Schema.Struct({ name: Schema.String }),
  output: Schema.Struct({ greeting: Schema.String }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  render: ({ greeting }) => greeting,
  handler: ({ name }) => Effect.map(Greeting, (g) => ({ greeting: g.greet(name) })),
})

export const greeterPlugin = Plugin.make({
  name: "greeter",
  version: "1.0.0",
  description: "Has options and a Layer of its own.",
  options: Schema.Struct({ greeting: Schema.optionalWith(Schema.String, { default: () => "Hello" }) }),
  tools: [greet],
  layer: ({ greeting }) => Layer.succeed(Greeting, { greet: (name) => `${greeting}, ${name}!` }),
})

const item = Resource.make({
  uriTemplate: "test://item/{id}",
  name: "item",
  title: "Item",
  description: "An item by id.",
  mimeType: "text/markdown",
  list: Effect.succeed([
    { uri: "test://item/1", name: "First" },
    { uri: "test://item/caf%C3%A9", name: "Café" },
  ]),
  read: ({ id }) =>
    id === "missing"
      ? Effect.fail(new ToolError({ message: "No item missing: list the resources first." }))
      : Effect.succeed({ text: `# Item ${id}` }),
})

const summarise = Prompt.make({
  name: "summarise",
  title: "Summarise",
  description: "Summarise a topic.",
  arguments: Schema.Struct({
    topic: Schema.String.annotations({ description: "What to summarise." }),
    style: Schema.optional(Schema.String.annotations({ description: "How." })),
  }),
  messages: ({ topic, style }) =>
    Effect.succeed([
      {
        role: "user" as const,
        text: `Summarise ${topic}${style === undefined ? "" : ` in a ${style} style`}.`,
      },
    ]),
})

export const libraryPlugin = Plugin.make({
  name: "library",
  version: "1.0.0",
  description: "Has a resource template and a prompt.",
  tools: [],
  resources: [item],
  prompts: [summarise],
})
