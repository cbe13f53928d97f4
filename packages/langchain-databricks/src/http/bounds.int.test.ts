import { createServer as createHttpServer, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { startEchoOAuthServer } from "../../test-support/echo-oauth.js";
import {
  InternalError,
  ResponseTooLargeError,
  StreamError,
  StreamIdleTimeoutError,
  TimeoutError,
  UnauthenticatedError,
} from "../errors.js";
import { DatabricksHttpClient } from "./client.js";

const TOKEN = "dapi0123456789abcdef0123456789abcdef";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A loopback HTTP server; `handler` runs per request. Counts requests and closed connections. */
async function serve(handler: (res: ServerResponse, n: number) => void) {
  const stats = { requests: 0, closed: 0, bytesWritten: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    handler(res, stats.requests++);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => {
      stats.closed++;
      stats.bytesWritten += s.bytesWritten;
      sockets.delete(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats };
}

/** Writes `chunk` for ever, as fast as the client reads, until the connection goes. */
function endless(res: ServerResponse, chunk: string): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
}

const client = (host: string, extra: Record<string, unknown> = {}) =>
  new DatabricksHttpClient({ host, token: TOKEN, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra });

describe("maxResponseBytes", () => {
  test("a 200 declaring 10 GiB is refused from Content-Length before any body byte, once, not retried", async () => {
    const { url, stats } = await serve((res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(10 * 1024 ** 3),
        "x-request-id": "req-big",
      });
      res.write("{"); // and then nothing: the client must not wait for the rest
    });
    const err = await client(url)
      .request({ method: "GET", path: "/api/2.0/big" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err).toMatchObject({ status: 200, requestId: "req-big", maxResponseBytes: 64 * 1024 * 1024 });
    expect((err as Error).message).toContain("declares 10737418240 bytes");
    expect(stats.requests).toBe(1);
  });

  test("an endless chunked 200 stops at the bound (per-call option), the connection is closed", async () => {
    const { url, stats } = await serve((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      endless(res, "x".repeat(16 * 1024));
    });
    const err = await client(url, { maxResponseBytes: 1 << 30 })
      .request({ method: "GET", path: "/api/2.0/endless", maxResponseBytes: 1024 * 1024 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as Error).message).toContain("passed `maxResponseBytes` (1048576) while being read");
    await expect.poll(() => stats.closed).toBe(1);
    expect(stats.requests).toBe(1);
    console.log(
      `[figures] endless 200, 1 MiB bound: server wrote ${stats.bytesWritten} bytes before the close`,
    );
  });

  test("endless 500 error bodies: each attempt reads 64 KiB at most, the retries end with a typed error", async () => {
    const { url, stats } = await serve((res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      endless(res, "INTERNAL_ERROR: oops ".repeat(1000));
    });
    const err = await client(url, { maxRetries: 2 })
      .request({ method: "GET", path: "/api/2.0/fails" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect(stats.requests).toBe(3);
    expect((err as Error).message.length).toBeLessThan(3_000);
    await expect.poll(() => stats.closed).toBe(3);
    console.log(`[figures] endless 500 x 3 attempts: server wrote ${stats.bytesWritten} bytes in all`);
  });

  test("the option is validated", () => {
    expect(() => new DatabricksHttpClient({ maxResponseBytes: -1 })).toThrow(/maxResponseBytes/);
    expect(() => new DatabricksHttpClient({ streamIdleTimeoutMs: 0 })).toThrow(/streamIdleTimeoutMs/);
    expect(() => new DatabricksHttpClient({ streamIdleTimeoutMs: Infinity })).toThrow(/up to 2147483647/);
    expect(() => new DatabricksHttpClient({ maxResponseBytes: Infinity })).not.toThrow();
  });
});

describe("streams: idle timeout, headers deadline, line bound", () => {
  test("a stream that goes silent after one event fails with StreamIdleTimeoutError", async () => {
    const { url } = await serve((res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"n":1}\n\n');
    });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const e of client(url, { streamIdleTimeoutMs: 200 }).stream({
        method: "POST",
        path: "/serving-endpoints/x/invocations",
        body: {},
      }))
        seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ n: 1 }]);
    expect(err).toBeInstanceOf(StreamIdleTimeoutError);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toContain("sent nothing for 200 ms");
  });

  test("timeout covers trickled header lines for streams (and plain requests)", async () => {
    let linesWritten = 0;
    const timers = new Set<ReturnType<typeof setInterval>>();
    const server = createNetServer((socket) => {
      socket.on("data", () => {
        if (timers.size > 0 && socket.bytesWritten > 0) return;
        socket.write("HTTP/1.1 200 OK\r\n");
        const t = setInterval(() => {
          linesWritten++;
          socket.write(`x-trickle-${linesWritten}: y\r\n`);
        }, 50);
        timers.add(t);
        socket.on("close", () => {
          clearInterval(t);
          timers.delete(t);
        });
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(async () => {
      for (const t of timers) clearInterval(t);
      await new Promise<void>((r) => server.close(() => r()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = client(url, { timeout: 400, maxRetries: 0 });
    const started = performance.now();
    const streamErr = await (async () => {
      for await (const _ of c.stream({
        method: "POST",
        path: "/serving-endpoints/x/invocations",
        body: {},
      })) {
        // never reached
      }
    })().catch((e: unknown) => e);
    const streamElapsed = performance.now() - started;
    expect(streamErr).toBeInstanceOf(TimeoutError);
    expect(streamErr).not.toBeInstanceOf(StreamIdleTimeoutError);
    // The trickle outlived several 50 ms gaps, so a per-gap timer would never have fired; the deadline did.
    expect(linesWritten).toBeGreaterThan(3);
    expect(streamElapsed).toBeGreaterThanOrEqual(400);
    console.log(
      `[figures] trickled headers, timeout 400 ms: TimeoutError after ${Math.round(streamElapsed)} ms, ${linesWritten} header lines`,
    );
    const plainErr = await c.request({ method: "GET", path: "/api/2.0/x" }).catch((e: unknown) => e);
    expect(plainErr).toBeInstanceOf(TimeoutError);
  });

  test("an endless SSE line is a StreamError at the line bound, never a RangeError", async () => {
    const { url, stats } = await serve((res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: ");
      endless(res, "a".repeat(64 * 1024));
    });
    const err = await (async () => {
      for await (const _ of client(url).stream({
        method: "POST",
        path: "/serving-endpoints/x/invocations",
      })) {
        // never reached
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect((err as Error).message).toContain("exceeds 8388608 characters");
    await expect.poll(() => stats.closed).toBe(1);
  });
});

describe("redaction end to end", () => {
  test("an OAuth token endpoint echoing the request: no form of the client secret in the error", async () => {
    const echo = await startEchoOAuthServer();
    closers.push(echo.close);
    const clientId = "6d7f1f3c-1111-2222-3333-444455556666";
    const clientSecret = "dose0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d";
    const c = new DatabricksHttpClient({ host: echo.url, clientId, clientSecret, maxRetries: 0 });
    const err = await c.request({ method: "GET", path: "/api/2.0/clusters/list" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthenticatedError);
    const text = `${(err as Error).message}\n${(err as Error).stack}\n${JSON.stringify(err)}`;
    expect(text).toContain("Rejected request");
    expect(text).toContain("[REDACTED]");
    expect(text).not.toContain(clientSecret);
    expect(text).not.toContain(Buffer.from(`${clientId}:${clientSecret}`).toString("base64").slice(0, 40));
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/]{8,}/);
  });
});
