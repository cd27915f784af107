// A loopback port nothing listens on, for a child process (a replay bridge) the test starts.
import { createServer } from "node:net"

/** A port the system just handed out on 127.0.0.1 and released again. */
export const freePort = (): Promise<number> =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0))
    })
  })
