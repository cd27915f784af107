// What a client that reconnects with Last-Event-ID can get back from its session's event store, and
// what the bounds take away from one that comes back too late.
import { describe, expect, it } from "@effect/vitest"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { type Limits, SessionEventStore } from "../../src/host/internal/SessionEventStore.js"

const updated = (n: number): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/resources/updated",
  params: { uri: `whatsapp://chat/${n}` },
})
const answer = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { content: [] } })

const replay = async (store: SessionEventStore, lastEventId: string) => {
  const sent: Array<{ readonly id: string; readonly message: JSONRPCMessage }> = []
  const stream = await store.replayEventsAfter(lastEventId, {
    send: async (id, message) => {
      sent.push({ id, message })
    },
  })
  return { stream, sent }
}

const clock = () => {
  let now = 1_000_000
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

const limits: Limits = {
  maxEventsPerStream: 200,
  maxEventAgeMs: 5 * 60_000,
  maxBytesPerSession: 4 * 1024 * 1024,
}

describe("a session's event store", () => {
  it("replays what its stream sent after the client's last event, and nothing of other streams", async () => {
    const store = new SessionEventStore()
    const priming = await store.storeEvent("post-1", {} as JSONRPCMessage)
    await store.storeEvent("_GET_stream", updated(1))
    const answerId = await store.storeEvent("post-1", answer(7))
    const seen = await store.storeEvent("_GET_stream", updated(2))
    await store.storeEvent("_GET_stream", updated(3))

    // Its answer is kept: nothing more will come on that stream.
    expect(store.lookup(priming)).toEqual({ _tag: "Resumable", stream: "post-1", missed: 0, answered: true })
    const request = await replay(store, priming)
    expect(request.stream).toBe("post-1")
    // The priming event has no message to give again; the answer comes with its own id.
    expect(request.sent).toEqual([{ id: answerId, message: answer(7) }])

    const notifications = await replay(store, seen)
    expect(notifications.stream).toBe("_GET_stream")
    expect(notifications.sent.map((s) => s.message)).toEqual([updated(3)])
    expect(store.lookup(seen)).toEqual({
      _tag: "Resumable",
      stream: "_GET_stream",
      missed: 0,
      answered: false,
    })
  })

  it("does not know another session's event ids, nor made-up or malformed ones", async () => {
    const mine = new SessionEventStore()
    const theirs = new SessionEventStore()
    const own = await mine.storeEvent("_GET_stream", updated(1))
    const foreign = await theirs.storeEvent("_GET_stream", updated(2))
    expect(mine.lookup(foreign)).toEqual({ _tag: "Unknown" })
    await expect(replay(mine, foreign)).rejects.toThrow(/cannot be resumed/)
    // Same session, a sequence number never sent, and a stream never opened.
    const [tag, stream] = own.split(".")
    expect(mine.lookup(`${tag}.${stream}.99`)).toEqual({ _tag: "Unknown" })
    expect(mine.lookup(`${tag}.42.0`)).toEqual({ _tag: "Unknown" })
    for (const malformed of ["", "1", "abc.1.2", `${tag}.x.1`, `${own}\n`, `${own}.0`, "a".repeat(10_000)]) {
      expect(mine.lookup(malformed)).toEqual({ _tag: "Malformed" })
    }
  })

  it("keeps a stream's last 200 events: a client back after more is resumed and told how many it lost", async () => {
    const store = new SessionEventStore(limits)
    const ids: Array<string> = []
    for (let n = 0; n < 205; n++) ids.push(await store.storeEvent("_GET_stream", updated(n)))
    expect(store.size).toBe(200)
    expect(store.lookup(ids[0] as string)).toEqual({
      _tag: "Resumable",
      stream: "_GET_stream",
      missed: 4,
      answered: false,
    })
    const { sent } = await replay(store, ids[0] as string)
    expect(sent).toHaveLength(200)
    expect(sent[0]?.message).toEqual(updated(5))
    expect(store.lookup(ids[4] as string)).toEqual({
      _tag: "Resumable",
      stream: "_GET_stream",
      missed: 0,
      answered: false,
    })
  })

  it("forgets events after five minutes; an answered request's stream is then gone, the session's own stream stays", async () => {
    const time = clock()
    const store = new SessionEventStore(limits, time.now)
    const lastSeen = await store.storeEvent("_GET_stream", updated(1))
    const priming = await store.storeEvent("post-1", {} as JSONRPCMessage)
    await store.storeEvent("post-1", answer(3))
    const waiting = await store.storeEvent("post-2", {} as JSONRPCMessage)

    time.advance(5 * 60_000 + 1)
    expect(store.lookup(priming)).toEqual({ _tag: "Gone" })
    // Nothing was sent on it since: coming back late misses nothing.
    expect(store.lookup(lastSeen)).toEqual({
      _tag: "Resumable",
      stream: "_GET_stream",
      missed: 0,
      answered: false,
    })
    // A request still unanswered (waiting for the person's confirmation, say) can still be resumed.
    expect(store.lookup(waiting)).toEqual({ _tag: "Resumable", stream: "post-2", missed: 0, answered: false })
    expect(store.size).toBe(0)
    await store.storeEvent("post-2", answer(4))
    expect((await replay(store, waiting)).sent.map((s) => s.message)).toEqual([answer(4)])

    // Notifications sent while the client was away and then aged out are counted as lost.
    await store.storeEvent("_GET_stream", updated(2))
    time.advance(5 * 60_000 + 1)
    expect(store.lookup(lastSeen)).toEqual({
      _tag: "Resumable",
      stream: "_GET_stream",
      missed: 1,
      answered: false,
    })
  })

  it("holds at most its size bound of messages, the oldest going first, but always the newest", async () => {
    const store = new SessionEventStore({ ...limits, maxBytesPerSession: 10_000 })
    const big = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { text: "x".repeat(4_000) } })
    const first = await store.storeEvent("post-1", {} as JSONRPCMessage)
    await store.storeEvent("post-1", big(1))
    const second = await store.storeEvent("post-2", {} as JSONRPCMessage)
    await store.storeEvent("post-2", big(2))
    await store.storeEvent("post-3", {} as JSONRPCMessage)
    await store.storeEvent("post-3", big(3))
    // The first answer was pushed out, and with it its stream; the later two are still there.
    expect(store.lookup(first)).toEqual({ _tag: "Gone" })
    expect((await replay(store, second)).sent.map((s) => s.message)).toEqual([big(2)])
    const huge: JSONRPCMessage = { jsonrpc: "2.0", id: 9, result: { text: "y".repeat(50_000) } }
    const before = await store.storeEvent("post-9", {} as JSONRPCMessage)
    await store.storeEvent("post-9", huge)
    expect((await replay(store, before)).sent.map((s) => s.message)).toEqual([huge])
  })

  it("forgets everything when its session ends", async () => {
    const store = new SessionEventStore()
    const id = await store.storeEvent("_GET_stream", updated(1))
    await store.storeEvent("_GET_stream", updated(2))
    store.clear()
    expect(store.size).toBe(0)
    expect(store.lookup(id)).toEqual({ _tag: "Gone" })
  })
})
