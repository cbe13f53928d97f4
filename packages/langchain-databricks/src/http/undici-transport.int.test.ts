import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabricksAbortError, DatabricksConnectionError, DatabricksTimeoutError } from "../errors.js";
import type { TransportRequest } from "./transport.js";
import { UndiciTransport } from "./undici-transport.js";

let server: Server;
let origin: string;
const sockets = new Set<import("node:net").Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/hang") return; // never answers
    if (req.url === "/drip") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      return; // body never completes
    }
    res.writeHead(200, { "content-type": "application/json", "x-conn": String(req.socket.remotePort) });
    res.end('{"ok":true}');
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const req = (path: string, over: Partial<TransportRequest> = {}): TransportRequest => ({
  origin,
  path,
  method: "GET",
  headers: {},
  body: undefined,
  signal: undefined,
  timeoutMs: 5_000,
  stream: false,
  ...over,
});

describe("UndiciTransport (real loopback server)", () => {
  const t = new UndiciTransport();
  it("reuses keep-alive connections", async () => {
    const ports = new Set<unknown>();
    for (let i = 0; i < 10; i++) {
      const r = await t.send(req("/ok"));
      ports.add(r.headers["x-conn"]);
      await r.text();
    }
    // undici may replace the very first socket once; after that every request rides the same connection.
    expect(ports.size).toBeLessThanOrEqual(2);
  });
  it("times out waiting for headers", async () => {
    await expect(t.send(req("/hang", { timeoutMs: 100 }))).rejects.toBeInstanceOf(DatabricksTimeoutError);
  });
  it("bounds the whole attempt, including a body that never completes", async () => {
    const res = await t.send(req("/drip", { timeoutMs: 150 }));
    await expect(res.text()).rejects.toBeInstanceOf(DatabricksTimeoutError);
  });
  it("aborts on the caller's signal", async () => {
    const ac = new AbortController();
    const p = t.send(req("/hang", { signal: ac.signal }));
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(DatabricksAbortError);
  });
  it("reports refused connections as transient connection errors", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const e = (await t
      .send(req("/", { origin: `http://127.0.0.1:${port}` }))
      .catch((x: unknown) => x)) as DatabricksConnectionError;
    expect(e).toBeInstanceOf(DatabricksConnectionError);
    expect(e.transient).toBe(true);
  });
});
