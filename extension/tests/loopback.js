// A loopback HTTP server standing in for whatever listens on the agent's port.

import { createServer } from "node:http";

// A request left unanswered is dropped after this long, so a client with no deadline of
// its own fails its test rather than holding the whole run open.
const DROP_AFTER_MS = 10_000;

/**
 * @param {(path: string, body: object|null) => Promise<[number, object]|[number, object, object]>} handler
 *   the status and JSON reply (and, optionally, extra response headers); a promise that never
 *   settles means the request is never answered.
 * @param {{port?: number, keepAlive?: boolean}} options  `port` to take a given port (another
 *   listener's, once it closed), or 0 for any free one; `keepAlive: false` closes each
 *   connection after its reply, so a client that reuses none notices no close when this
 *   listener stops, and its next request simply reaches whatever listens then (as a browser
 *   does, which retries a request a stale pooled connection dropped).
 */
export async function listen(handler, { port = 0, keepAlive = true } = {}) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      const parsed = body ? JSON.parse(body) : null;
      seen.push({ path: req.url, auth: req.headers.authorization ?? null, body: parsed });
      const [status, reply, headers = {}] = await handler(req.url, parsed);
      const connection = keepAlive ? {} : { Connection: "close" };
      res.writeHead(status, { "Content-Type": "application/json", ...connection, ...headers });
      res.end(JSON.stringify(reply));
    });
  });
  server.on("connection", (socket) => socket.setTimeout(DROP_AFTER_MS, () => socket.destroy()));
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    seen,
    close: () => {
      // Requests left hanging would keep close() waiting for ever.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
