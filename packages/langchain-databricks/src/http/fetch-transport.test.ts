import { describe, expect, it } from "vitest";
import {
  DatabricksAbortError,
  DatabricksConnectionError,
  DatabricksTimeoutError,
  ResponseTooLargeError,
  StreamIdleTimeoutError,
} from "../errors.js";
import { FetchTransport } from "./fetch-transport.js";
import type { TransportRequest } from "./transport.js";

/** A fetch that never answers until its signal aborts (as a hung server would). */
const hangingFetch: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });

const req = (over: Partial<TransportRequest> = {}): TransportRequest => ({
  origin: "https://ws.example.com",
  path: "/x?token=should-not-appear",
  method: "GET",
  headers: { authorization: "Bearer secret-token-123" },
  body: undefined,
  signal: undefined,
  timeoutMs: 10,
  stream: false,
  ...over,
});

describe("FetchTransport", () => {
  it("times out a hung request with a typed error naming the target but not the query", async () => {
    const e = (await new FetchTransport(hangingFetch).send(req()).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(DatabricksTimeoutError);
    expect(e.message).toContain("GET https://ws.example.com/x");
    expect(e.message).not.toContain("should-not-appear");
  });
  it("aborts in flight on the caller's signal", async () => {
    const ac = new AbortController();
    const p = new FetchTransport(hangingFetch).send(req({ signal: ac.signal, timeoutMs: 60_000 }));
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(DatabricksAbortError);
  });
  it("maps fetch failures to transient connection errors", async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      });
    };
    const e = (await new FetchTransport(failing)
      .send(req())
      .catch((x: unknown) => x)) as DatabricksConnectionError;
    expect(e).toBeInstanceOf(DatabricksConnectionError);
    expect(e.transient).toBe(true);
    expect(e.message).toContain("ECONNREFUSED");
  });
  it("passes redirect: manual and returns lower-cased headers", async () => {
    let seen: RequestInit | undefined;
    const f: typeof fetch = async (_i, init) => {
      seen = init;
      return new Response("{}", { status: 200, headers: { "Served-Model-Name": "m" } });
    };
    const res = await new FetchTransport(f).send(req({ timeoutMs: 1000 }));
    expect(seen?.redirect).toBe("manual");
    expect(res.headers["served-model-name"]).toBe("m");
    expect(await res.text()).toBe("{}");
  });
  it("bounds idle gaps while streaming", async () => {
    const f: typeof fetch = async (_i, init) =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("data: 1\n\n"));
            init?.signal?.addEventListener("abort", () => c.error(new DOMException("aborted", "AbortError")));
          },
        }),
        { status: 200 },
      );
    const res = await new FetchTransport(f).send(req({ stream: true, timeoutMs: 20 }));
    const got: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const c of res.body()) got.push(c);
      })(),
    ).rejects.toBeInstanceOf(DatabricksTimeoutError);
    expect(got).toHaveLength(1);
  });
  it("maxBytes: refused from Content-Length, or while reading an endless body; truncate cuts error bodies", async () => {
    const declared: typeof fetch = async () =>
      new Response("{}", { status: 200, headers: { "content-length": "99999999999", "x-request-id": "r1" } });
    const big = await (await new FetchTransport(declared).send(req())).text(1024).catch((x: unknown) => x);
    expect(big).toBeInstanceOf(ResponseTooLargeError);
    expect(big).toMatchObject({ status: 200, requestId: "r1", maxResponseBytes: 1024 });
    let pulled = 0;
    const endless: typeof fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled++;
            c.enqueue(new Uint8Array(4096).fill(97));
          },
        }),
        { status: 500 },
      );
    const long = await (await new FetchTransport(endless).send(req())).text(10_000).catch((x: unknown) => x);
    expect(long).toBeInstanceOf(ResponseTooLargeError);
    expect(pulled).toBeLessThan(10);
    const cut = await (await new FetchTransport(endless).send(req())).text(10_000, true);
    expect(cut).toBe("a".repeat(10_000));
  });
  it("streams: idle gaps after the headers end with StreamIdleTimeoutError", async () => {
    const silent: typeof fetch = async (_input, init) =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode("data: 1\n\n"));
            init?.signal?.addEventListener("abort", () => c.error(new DOMException("aborted", "AbortError")));
          },
        }),
        { status: 200, headers: { "content-type": "text/event-stream" } },
      );
    const res = await new FetchTransport(silent).send(
      req({ stream: true, timeoutMs: 60_000, idleTimeoutMs: 20 }),
    );
    const chunks: Uint8Array[] = [];
    const err = await (async () => {
      for await (const c of res.body()) chunks.push(c);
    })().catch((x: unknown) => x);
    expect(chunks).toHaveLength(1);
    expect(err).toBeInstanceOf(StreamIdleTimeoutError);
  });
});
