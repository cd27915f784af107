import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { describeAge, noticeLine } from "../../src/host/internal/ConnectionNotice.js"
import { connectingHealth } from "../support/BridgeHealth.js"

describe("the stale-store notice", () => {
  it("says ages the way a person does", () => {
    expect(describeAge(5)).toBe("under a minute")
    expect(describeAge(60)).toBe("1 minute")
    expect(describeAge(2 * 3600 + 59)).toBe("2 hours")
    expect(describeAge(3 * 86400 + 7200)).toBe("3 days")
  })

  it("names a reconnecting bridge and an empty store", () => {
    const line = noticeLine(
      Option.some({ ...connectingHealth, connection: "reconnecting", pairing: "paired", reconnects: 2 }),
      null,
      1_780_000_000,
    )
    expect(line).toEqual(
      Option.some(
        "WhatsApp is not connected (reconnecting): no messages stored yet; newer messages may be missing.",
      ),
    )
  })

  it("gives the newest stored message's age when the bridge does not answer", () => {
    expect(noticeLine(Option.none(), 1_780_000_000 - 3 * 86_400, 1_780_000_000)).toEqual(
      Option.some(
        "WhatsApp is not connected (the bridge is not running or not answering): newest stored message 3 days old; newer messages may be missing.",
      ),
    )
  })
})
