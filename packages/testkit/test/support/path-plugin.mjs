// A third-party plugin written in plain JavaScript, loaded by path from a config file.
import { Effect, Schema } from "effect"

export default {
  _tag: "Plugin",
  name: "notes",
  version: "0.1.0",
  description: "A plugin loaded by path.",
  apiVersion: 1,
  options: Schema.Struct({}),
  tools: [
    {
      _tag: "Tool",
      name: "note_ping",
      title: "Ping",
      description: "Answers pong.",
      input: Schema.Struct({}),
      output: Schema.Struct({ answer: Schema.String }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      render: ({ answer }) => answer,
      handler: () => Effect.succeed({ answer: "pong" }),
    },
  ],
}
