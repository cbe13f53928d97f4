import { describe, expect, it } from "vitest";
import { DatabricksAbortError, DatabricksConnectionError, DatabricksTimeoutError } from "../errors.js";
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
});
