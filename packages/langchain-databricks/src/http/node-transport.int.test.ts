import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabricksAbortError, DatabricksConnectionError, DatabricksTimeoutError } from "../errors.js";
import { NodeTransport } from "./node-transport.js";
import type { TransportRequest } from "./transport.js";

let server: Server;
let origin: string;
const sockets = new Set<import("node:net").Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/hang") return; // never answers
    if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let n = 0;
      const tick = setInterval(() => {
        if (res.destroyed) return clearInterval(tick);
        res.write(`data: ${n++}\n\n`);
      }, 5);
      res.on("close", () => clearInterval(tick));
      return; // endless until the client goes away
    }
    if (req.url === "/reset") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (req.url === "/echo") {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ method: req.method, body, length: req.headers["content-length"] }));
      });
      return;
    }
    if (req.url === "/headers") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(req.headers));
      return;
    }
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

describe("NodeTransport (real loopback server)", () => {
  const t = new NodeTransport();
  it("reuses keep-alive connections", async () => {
    const ports = new Set<unknown>();
    for (let i = 0; i < 10; i++) {
      const r = await t.send(req("/ok"));
      ports.add(r.headers["x-conn"]);
      await r.text();
    }
    expect(ports.size).toBe(1);
  });
  it("pool: concurrent calls get their own connections, all reused afterwards", async () => {
    const own = new NodeTransport({ ca: [] }); // a pool of its own
    try {
      // All four in flight at once: each response is read only after every request has its connection.
      const opened = await Promise.all(Array.from({ length: 4 }, () => own.send(req("/ok"))));
      const first: unknown[] = [];
      for (const r of opened) {
        await r.text();
        first.push(r.headers["x-conn"]);
      }
      expect(new Set(first).size).toBe(4);
      for (let round = 0; round < 3; round++) {
        const again = await Promise.all(
          Array.from({ length: 4 }, async () => {
            const r = await own.send(req("/ok"));
            await r.text();
            return r.headers["x-conn"];
          }),
        );
        for (const port of again) expect(first).toContain(port);
      }
    } finally {
      await own.close();
    }
  });
  it("pool: a connection the server closed while idle is dropped, and the next call opens a new one", async () => {
    const own = new NodeTransport({ ca: [] });
    try {
      const r1 = await own.send(req("/ok"));
      await r1.text();
      const port = r1.headers["x-conn"];
      const closed = [...sockets].filter((s) => String(s.remotePort) === port);
      expect(closed).toHaveLength(1);
      const gone = new Promise<void>((resolve) => closed[0]?.once("close", () => resolve()));
      closed[0]?.destroy();
      await gone;
      // Let the client side see the close (its socket leaves the pool on its own `close` event).
      const deadline = Date.now() + 5000;
      while (sockets.size > 0 && [...sockets].some((s) => String(s.remotePort) === port)) {
        if (Date.now() > deadline) throw new Error("server socket did not close");
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setImmediate(r));
      const r2 = await own.send(req("/ok"));
      expect(await r2.text()).toBe('{"ok":true}');
      expect(r2.headers["x-conn"]).not.toBe(port);
    } finally {
      await own.close();
    }
  });
  it("sends Host, Content-Length and the caller's headers once each (a caller's Host wins)", async () => {
    const body = JSON.stringify({ text: "héllo" });
    const sent = async (headers: Record<string, string>) =>
      JSON.parse(await (await t.send(req("/headers", { method: "POST", headers, body }))).text());
    const seen = await sent({ "x-trace": "1", "Content-Length": "999", authorization: "Bearer t" });
    expect(seen).toMatchObject({
      host: new URL(origin).host,
      "content-length": String(Buffer.byteLength(body)),
      "x-trace": "1",
      authorization: "Bearer t",
      connection: "keep-alive",
    });
    expect((await sent({ Host: "proxy.example:8443" })).host).toBe("proxy.example:8443");
    // Header values are still validated: no header injection through a caller's value.
    await expect(t.send(req("/headers", { headers: { "x-bad": "a\r\nx-injected: 1" } }))).rejects.toThrow(
      /Invalid character/,
    );
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
  it("sends the body with its byte length (multi-byte text included)", async () => {
    const body = JSON.stringify({ prompt: "你好吗？" });
    const r = await t.send(req("/echo", { method: "POST", body }));
    expect(JSON.parse(await r.text())).toEqual({
      method: "POST",
      body,
      length: String(Buffer.byteLength(body)),
    });
  });
  it("streams chunks, and a consumer that stops early closes the connection", async () => {
    const before = sockets.size;
    const r = await t.send(req("/stream", { stream: true }));
    let text = "";
    for await (const chunk of r.body()) {
      text += Buffer.from(chunk).toString();
      if (text.includes("data: 2")) break;
    }
    expect(text).toMatch(/^data: 0\n\ndata: 1\n\ndata: 2/);
    await expect.poll(() => sockets.size, { timeout: 2_000 }).toBeLessThanOrEqual(before);
  });
  it("a connection reset mid-stream is a transient connection error, not a shorter stream", async () => {
    const r = await t.send(req("/reset", { stream: true }));
    const seen: string[] = [];
    const e = await (async () => {
      for await (const chunk of r.body()) seen.push(Buffer.from(chunk).toString());
    })().catch((x: unknown) => x);
    expect(seen.join("")).toBe("data: 1\n\n");
    expect(e).toBeInstanceOf(DatabricksConnectionError);
    expect((e as DatabricksConnectionError).transient).toBe(true);
  });
  it("bounds each idle gap of a stream", async () => {
    const r = await t.send(req("/drip", { stream: true, timeoutMs: 150 }));
    const e = await (async () => {
      for await (const _ of r.body());
    })().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksTimeoutError);
  });
  it("aborting mid-stream ends the iteration with an abort error", async () => {
    const ac = new AbortController();
    const r = await t.send(req("/stream", { stream: true, signal: ac.signal }));
    const e = await (async () => {
      for await (const _ of r.body()) ac.abort();
    })().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksAbortError);
  });
});
