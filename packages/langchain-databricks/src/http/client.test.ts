import { describe, expect, it } from "vitest";
import type { ConfigIo } from "../auth/io.js";
import {
  BadRequestError,
  DatabricksAbortError,
  DatabricksConnectionError,
  DatabricksStreamError,
  DatabricksTimeoutError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  RequestLimitExceededError,
  TemporarilyUnavailableError,
  UnauthenticatedError,
} from "../errors.js";
import { DatabricksHttpClient, type HttpClientExtras } from "./client.js";
import type { Transport, TransportRequest, TransportResponse } from "./transport.js";

const TOKEN = "dapi-unit-secret-0123456789";
const io: ConfigIo = {
  env: {},
  readFile: async () => undefined,
  homeDir: async () => "/h",
  runCli: async () => undefined,
};

type Reply = { status: number; headers?: Record<string, string>; body?: string; chunks?: string[] } | Error;

/** Queue-based fake transport: records requests, answers from a script. */
function fakeTransport(
  script: Array<Reply | ((r: TransportRequest) => Reply)>,
): Transport & { requests: TransportRequest[] } {
  const requests: TransportRequest[] = [];
  return {
    requests,
    async send(req) {
      requests.push({ ...req, headers: { ...req.headers } });
      const next = script.shift();
      if (!next) throw new Error("fake transport: no more replies");
      const r = typeof next === "function" ? next(req) : next;
      if (r instanceof Error) throw r;
      const enc = new TextEncoder();
      const res: TransportResponse = {
        status: r.status,
        headers: r.headers ?? { "content-type": "application/json" },
        text: async () => r.body ?? "",
        body: () => ({
          async *[Symbol.asyncIterator]() {
            for (const c of r.chunks ?? [r.body ?? ""]) {
              if (c === "!reset") throw new DatabricksConnectionError("reset");
              yield enc.encode(c);
            }
          },
        }),
        discard: () => undefined,
      };
      return res;
    },
    async close() {},
  };
}

function client(
  script: Parameters<typeof fakeTransport>[0],
  extra: Partial<HttpClientExtras> = {},
  opts = {},
) {
  const transport = fakeTransport(script);
  const delays: number[] = [];
  const http = new DatabricksHttpClient(
    { host: "https://ws.example.com", token: TOKEN, ...opts },
    { io, transport, sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...extra },
  );
  return { http, transport, delays };
}

const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describe("DatabricksHttpClient.request", () => {
  it("sends JSON with auth, UA and content-type, and parses the response", async () => {
    const { http, transport } = client([ok({ a: 1 })]);
    expect(
      await http.request({ method: "POST", path: "/serving-endpoints/a%20b/invocations", body: { x: 1 } }),
    ).toEqual({ a: 1 });
    const r = transport.requests[0]!;
    expect(r.origin).toBe("https://ws.example.com");
    expect(r.path).toBe("/serving-endpoints/a%20b/invocations");
    expect(r.body).toBe('{"x":1}');
    expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["user-agent"]).toMatch(/^langchain-databricks\/\d+\.\d+\.\d+ .*auth\/pat$/);
    expect(r.timeoutMs).toBe(120_000);
  });
  it("encodes query parameters and returns {} for an empty body", async () => {
    const { http, transport } = client([{ status: 200, body: "" }]);
    expect(
      await http.request({
        method: "GET",
        path: "/api/2.0/secrets/get",
        query: { scope: "a b", key: "k&1", skip: undefined },
      }),
    ).toEqual({});
    expect(transport.requests[0]!.path).toBe("/api/2.0/secrets/get?scope=a%20b&key=k%261");
  });
  it("retries 503 with backoff and returns the eventual success", async () => {
    const { http, transport, delays } = client([
      { status: 503, body: "" },
      { status: 502, body: "" },
      ok({ done: true }),
    ]);
    expect(await http.request({ method: "POST", path: "/x", body: {} })).toEqual({ done: true });
    expect(transport.requests).toHaveLength(3);
    expect(delays).toEqual([250, 500]); // full jitter with random 0.5: 0.5 * 500, 0.5 * 1000
  });
  it("honours Retry-After and retries a 429 without it", async () => {
    const { http, delays } = client([
      {
        status: 429,
        headers: { "retry-after": "2" },
        body: '{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow"}',
      },
      { status: 429, body: "" },
      ok({}),
    ]);
    await http.request({ method: "POST", path: "/x" });
    expect(delays).toEqual([2000, 500]);
  });
  it("throws the last Databricks error when retries run out", async () => {
    const { http, transport } = client(
      [
        { status: 503, body: '{"error_code":"TEMPORARILY_UNAVAILABLE","message":"first"}' },
        { status: 503, body: '{"error_code":"TEMPORARILY_UNAVAILABLE","message":"last"}' },
      ],
      {},
      { maxRetries: 1 },
    );
    const e = await http.request({ method: "POST", path: "/x", endpoint: "ep" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TemporarilyUnavailableError);
    expect((e as Error).message).toContain("last");
    expect(transport.requests).toHaveLength(2);
  });
  it("does not retry 4xx; per-call maxRetries overrides", async () => {
    const { http, transport } = client([
      { status: 404, body: '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no"}' },
    ]);
    await expect(http.request({ method: "GET", path: "/x" })).rejects.toBeInstanceOf(NotFoundError);
    expect(transport.requests).toHaveLength(1);
    const c2 = client([{ status: 500, body: "" }]);
    await expect(c2.http.request({ method: "GET", path: "/x", maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalError,
    );
    expect(c2.transport.requests).toHaveLength(1);
  });
  it("retries network errors before a response, not timeouts", async () => {
    const { http, transport } = client([new DatabricksConnectionError("ECONNRESET"), ok({ ok: 1 })]);
    expect(await http.request({ method: "POST", path: "/x" })).toEqual({ ok: 1 });
    expect(transport.requests).toHaveLength(2);
    const t = client([new DatabricksTimeoutError("slow")]);
    await expect(t.http.request({ method: "POST", path: "/x" })).rejects.toBeInstanceOf(
      DatabricksTimeoutError,
    );
    expect(t.transport.requests).toHaveLength(1);
  });
  it("aborts before any I/O when the signal is already aborted", async () => {
    const { http, transport } = client([ok({})]);
    await http.resolveConfig();
    const ac = new AbortController();
    ac.abort();
    const e = await http.request({ method: "GET", path: "/x", signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksAbortError);
    expect((e as Error).message.startsWith("Cancel")).toBe(true);
    expect(transport.requests).toHaveLength(0);
  });
  it("refreshes credentials once on 401 / 403 'Invalid access token', never on PERMISSION_DENIED", async () => {
    let n = 0;
    const tokenProvider = () => `tok-${++n}-xxxxxxxx`;
    const transport = fakeTransport([
      { status: 403, body: '{"error_code":403,"message":"Invalid access token."}' },
      ok({ fine: true }),
      { status: 403, body: '{"error_code":"PERMISSION_DENIED","message":"nope"}' },
      { status: 401, body: "" },
      { status: 401, body: "" },
    ]);
    const http = new DatabricksHttpClient(
      { host: "https://ws.example.com", tokenProvider },
      { io, transport },
    );
    expect(await http.request({ method: "GET", path: "/x" })).toEqual({ fine: true });
    expect(transport.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer tok-1-xxxxxxxx",
      "Bearer tok-2-xxxxxxxx",
    ]);
    await expect(http.request({ method: "GET", path: "/y" })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(transport.requests).toHaveLength(3);
    await expect(http.request({ method: "GET", path: "/z" })).rejects.toMatchObject({ status: 401 });
    expect(transport.requests).toHaveLength(5); // one refresh-and-retry, then give up
  });
  it("follows redirects, dropping Authorization when the origin changes", async () => {
    const { http, transport } = client([
      { status: 307, headers: { location: "/moved" }, body: "" },
      { status: 302, headers: { location: "https://other.example.com/final?x=1" }, body: "" },
      ok({ end: true }),
    ]);
    expect(await http.request({ method: "POST", path: "/start", body: { a: 1 } })).toEqual({ end: true });
    const [a, b, c] = transport.requests;
    expect(a!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(b!.path).toBe("/moved");
    expect(b!.method).toBe("POST");
    expect(b!.headers.authorization).toBe(`Bearer ${TOKEN}`); // same origin: kept
    expect(c!.origin).toBe("https://other.example.com");
    expect(c!.path).toBe("/final?x=1");
    expect(c!.method).toBe("GET");
    expect(c!.body).toBeUndefined();
    expect(c!.headers.authorization).toBeUndefined();
  });
  it("stops after 5 redirects and refuses http downgrades", async () => {
    const loop = Array.from({ length: 7 }, () => ({
      status: 302,
      headers: { location: "/again" },
      body: "",
    }));
    const { http, transport } = client(loop, {}, { maxRetries: 0 });
    await expect(http.request({ method: "GET", path: "/x" })).rejects.toThrow(/Too many redirects/);
    expect(transport.requests).toHaveLength(6);
    const d = client([{ status: 301, headers: { location: "http://evil.example.com/" }, body: "" }]);
    await expect(d.http.request({ method: "GET", path: "/x" })).rejects.toThrow(/plain http/);
  });
  it("never puts the token in errors, even when the server echoes it", async () => {
    const { http } = client([
      { status: 400, body: `{"error_code":"BAD_REQUEST","message":"bad header Bearer ${TOKEN}"}` },
    ]);
    const e = (await http.request({ method: "GET", path: "/x" }).catch((x: unknown) => x)) as Error;
    const dump = `${e.message} ${JSON.stringify(e)} ${String(e.stack)} ${JSON.stringify(http)}`;
    expect(dump).not.toContain(TOKEN);
    expect(e.message).toContain("[REDACTED]");
  });
  it("redacts every occurrence of a token the server echoes more than once", async () => {
    const { http } = client([
      {
        status: 400,
        body: `{"error_code":"BAD_REQUEST","message":"got ${TOKEN}; expected not ${TOKEN}"}`,
      },
    ]);
    const e = (await http.request({ method: "GET", path: "/x" }).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.message).toBe("got [REDACTED]; expected not [REDACTED] (HTTP 400 BAD_REQUEST from GET /x).");
  });
  it("requestWithMeta exposes status and headers", async () => {
    const { http } = client([ok({ p: [1] }, { "served-model-name": "m-1" })]);
    const r = await http.requestWithMeta({ method: "POST", path: "/x" });
    expect(r).toMatchObject({ status: 200, data: { p: [1] }, headers: { "served-model-name": "m-1" } });
  });
  it("returns text for responseType text and fails clearly on non-JSON", async () => {
    const { http } = client([
      { status: 200, body: "plain" },
      { status: 200, body: "<html>" },
    ]);
    expect(await http.request({ method: "GET", path: "/openapi", responseType: "text" })).toBe("plain");
    await expect(http.request({ method: "GET", path: "/x" })).rejects.toThrow(/not JSON/);
  });
  it("validates options synchronously and resolves lazily (no I/O in the constructor)", async () => {
    expect(() => new DatabricksHttpClient({ timeout: -1 })).toThrow(/timeout/);
    expect(() => new DatabricksHttpClient({ maxRetries: 1.5 })).toThrow(/maxRetries/);
    const transport = fakeTransport([]);
    const http = new DatabricksHttpClient({}, { io, transport });
    expect(transport.requests).toHaveLength(0);
    await expect(http.resolveConfig()).rejects.toThrow(/DATABRICKS_HOST/);
  });
});

describe("DatabricksHttpClient.stream", () => {
  const sse = (chunks: string[]): Reply => ({
    status: 200,
    headers: { "content-type": "text/event-stream" },
    chunks,
  });
  it("yields parsed events until [DONE] and asks for text/event-stream", async () => {
    const { http, transport } = client([sse(['data: {"i":1}\n\nda', 'ta: {"i":2}\n\ndata: [DONE]\n\n'])]);
    const out: unknown[] = [];
    for await (const x of http.stream({ method: "POST", path: "/s", body: { stream: true } })) out.push(x);
    expect(out).toEqual([{ i: 1 }, { i: 2 }]);
    expect(transport.requests[0]!.headers.accept).toBe("text/event-stream");
    expect(transport.requests[0]!.stream).toBe(true);
  });
  it("retries before the first event, never after one was yielded", async () => {
    const before = client([sse(["!reset"]), sse(['data: {"i":1}\n\n'])]);
    const got: unknown[] = [];
    for await (const x of before.http.stream({ method: "POST", path: "/s" })) got.push(x);
    expect(got).toEqual([{ i: 1 }]);
    expect(before.transport.requests).toHaveLength(2);

    const after = client([sse(['data: {"i":1}\n\n', "!reset"]), sse(['data: {"i":1}\n\n'])]);
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const x of after.http.stream({ method: "POST", path: "/s" })) seen.push(x);
      })(),
    ).rejects.toBeInstanceOf(DatabricksConnectionError);
    expect(seen).toEqual([{ i: 1 }]);
    expect(after.transport.requests).toHaveLength(1);
  });
  it("retries an error status before streaming; surfaces in-band errors typed", async () => {
    const { http, transport } = client([
      { status: 429, headers: { "retry-after": "1" }, body: "" },
      sse(['data: {"error":{"message":"quota","code":"REQUEST_LIMIT_EXCEEDED"}}\n\n']),
    ]);
    await expect(
      (async () => {
        for await (const _ of http.stream({ method: "POST", path: "/s" })) {
          /* drain */
        }
      })(),
    ).rejects.toBeInstanceOf(RequestLimitExceededError);
    expect(transport.requests).toHaveLength(2);
  });
  it("yields a plain JSON response once; flags truncation when [DONE] is expected", async () => {
    const { http } = client([ok({ whole: true }), sse(['data: {"i":1}\n\n'])]);
    const out: unknown[] = [];
    for await (const x of http.stream({ method: "POST", path: "/s" })) out.push(x);
    expect(out).toEqual([{ whole: true }]);
    await expect(
      (async () => {
        for await (const _ of http.stream({ method: "POST", path: "/s", expectDone: true })) {
          /* drain */
        }
      })(),
    ).rejects.toBeInstanceOf(DatabricksStreamError);
  });
});

describe("DatabricksHttpClient stream completion", () => {
  const drain = async (it: AsyncIterable<unknown>) => {
    const out: unknown[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  it("a 200 stream reply that is neither SSE nor JSON and has no events is a typed error", async () => {
    const { http } = client([
      { status: 200, headers: { "content-type": "text/plain" }, body: "upstream hiccup" },
    ]);
    const e = await drain(http.stream({ method: "POST", path: "/s", endpoint: "ep" })).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DatabricksStreamError);
    expect((e as Error).message).toMatch(/ended before completion/);
    expect((e as Error).message).toMatch(/text\/plain/);
  });
  it("an SSE body under another content-type still streams", async () => {
    const { http } = client([
      { status: 200, headers: { "content-type": "text/plain" }, body: 'data: {"i":1}\n\ndata: [DONE]\n\n' },
    ]);
    expect(await drain(http.stream({ method: "POST", path: "/s", expectDone: true }))).toEqual([{ i: 1 }]);
  });
  it("isFinalEvent completes an expectDone stream without [DONE]; without either it is truncated", async () => {
    const final = (p: unknown) => (p as { type?: string }).type === "response.completed";
    const sse = (body: string): Reply => ({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      body,
    });
    const { http } = client([
      sse('data: {"type":"delta"}\n\ndata: {"type":"response.completed"}\n\n'),
      sse('data: {"type":"delta"}\n\n'),
    ]);
    const req = { method: "POST" as const, path: "/s", expectDone: true, isFinalEvent: final };
    expect(await drain(http.stream(req))).toHaveLength(2);
    const e = await drain(http.stream(req)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksStreamError);
    expect((e as Error).message).toMatch(/ended before completion/);
  });
});

describe("DatabricksHttpClient abort during config and credentials", () => {
  const countingIo = (runCli: ConfigIo["runCli"] = async () => undefined) => {
    const calls = { readFile: 0, runCli: 0 };
    const cio: ConfigIo = {
      env: {},
      readFile: async () => {
        calls.readFile++;
        return undefined;
      },
      homeDir: async () => "/h",
      runCli: async (args, timeoutMs) => {
        calls.runCli++;
        return runCli(args, timeoutMs);
      },
    };
    return { cio, calls };
  };

  it("a pre-aborted signal throws DatabricksAbortError before config resolution (no file read, no CLI)", async () => {
    const { cio, calls } = countingIo();
    const transport = fakeTransport([ok({})]);
    // No token: resolution would read ~/.databrickscfg and spawn the CLI.
    const http = new DatabricksHttpClient({ host: "https://ws.example.com" }, { io: cio, transport });
    const e = await http
      .request({ method: "GET", path: "/x", signal: AbortSignal.abort() })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksAbortError);
    expect(calls).toEqual({ readFile: 0, runCli: 0 });
    expect(transport.requests).toHaveLength(0);
    const s = await (async () => {
      for await (const _ of http.stream({ method: "POST", path: "/s", signal: AbortSignal.abort() })) {
        /* drain */
      }
    })().catch((x: unknown) => x);
    expect(s).toBeInstanceOf(DatabricksAbortError);
    expect(calls).toEqual({ readFile: 0, runCli: 0 });
  });

  it("aborting while the CLI is being asked for a token rejects at once", async () => {
    let release!: () => void;
    let cliAsked!: () => void;
    const asked = new Promise<void>((r) => {
      cliAsked = r;
    });
    const { cio } = countingIo(
      () =>
        new Promise((resolve) => {
          cliAsked();
          release = () =>
            resolve({
              code: 0,
              stdout: JSON.stringify({
                access_token: "cli-tok-123456789",
                token_type: "Bearer",
                expiry: "2999-01-01T00:00:00Z",
              }),
              stderr: "",
            });
        }),
    );
    const transport = fakeTransport([ok({ after: true })]);
    const http = new DatabricksHttpClient({ host: "https://ws.example.com" }, { io: cio, transport });
    const ac = new AbortController();
    const pending = http.request({ method: "GET", path: "/x", signal: ac.signal }).catch((x: unknown) => x);
    await asked; // the request is now waiting on the CLI
    ac.abort();
    expect(await pending).toBeInstanceOf(DatabricksAbortError);
    expect(transport.requests).toHaveLength(0);
    // The shared resolution was not cancelled: the next caller gets it.
    release();
    expect(await http.request({ method: "GET", path: "/x" })).toEqual({ after: true });
  });

  it("an aborted caller stops waiting for a shared OAuth refresh; others still get the token", async () => {
    let releaseToken!: () => void;
    const gate = new Promise<void>((r) => {
      releaseToken = r;
    });
    let tokenRequested!: () => void;
    const refreshing = new Promise<void>((r) => {
      tokenRequested = r;
    });
    const transport: Transport & { requests: TransportRequest[] } = {
      requests: [],
      async send(req) {
        transport.requests.push(req);
        const enc = new TextEncoder();
        let body: string;
        if (req.path.startsWith("/oidc/.well-known")) {
          body = JSON.stringify({ token_endpoint: "https://ws.example.com/oidc/v1/token" });
        } else if (req.path === "/oidc/v1/token") {
          // A signal here would mean one caller's abort could cancel everyone's refresh.
          expect(req.signal).toBeUndefined();
          tokenRequested();
          await gate;
          body = JSON.stringify({ access_token: "m2m-tok-abcdefgh", token_type: "Bearer", expires_in: 3600 });
        } else {
          body = JSON.stringify({ path: req.path, auth: req.headers.authorization });
        }
        return {
          status: 200,
          headers: { "content-type": "application/json" },
          text: async () => body,
          body: () => ({
            async *[Symbol.asyncIterator]() {
              yield enc.encode(body);
            },
          }),
          discard: () => undefined,
        };
      },
      async close() {},
    };
    const http = new DatabricksHttpClient(
      { host: "https://ws.example.com", clientId: "cid", clientSecret: "csecret" },
      { io, transport },
    );
    const ac = new AbortController();
    const a = http.request({ method: "GET", path: "/a", signal: ac.signal }).catch((x: unknown) => x);
    const b = http.request({ method: "GET", path: "/b" });
    await refreshing; // both callers now wait on the one token request
    ac.abort();
    expect(await a).toBeInstanceOf(DatabricksAbortError);
    releaseToken();
    expect(await b).toEqual({ path: "/b", auth: "Bearer m2m-tok-abcdefgh" });
    expect(transport.requests.filter((r) => r.path === "/oidc/v1/token")).toHaveLength(1);
    expect(transport.requests.some((r) => r.path === "/a")).toBe(false);
  });

  it("the OAuth token request honours Retry-After on 429", async () => {
    const { http, delays } = client(
      [
        ok({ token_endpoint: "https://ws.example.com/oidc/v1/token" }),
        { status: 429, headers: { "retry-after": "7" }, body: "" },
        ok({ access_token: "m2m-tok-abcdefgh", token_type: "Bearer", expires_in: 3600 }),
        ok({ done: true }),
      ],
      {},
      { token: undefined, clientId: "cid", clientSecret: "csecret", retry: { maxRetryAfterMs: 60_000 } },
    );
    expect(await http.request({ method: "GET", path: "/x" })).toEqual({ done: true });
    expect(delays).toEqual([7000]);
  });

  it("the OAuth token request retries exactly the policy's statuses (a 408 is retried, a 501 is not)", async () => {
    const m2m = { token: undefined, clientId: "cid", clientSecret: "csecret" };
    const discovery = ok({ token_endpoint: "https://ws.example.com/oidc/v1/token" });
    const token = ok({ access_token: "m2m-tok-abcdefgh", token_type: "Bearer", expires_in: 3600 });
    const retried = client([discovery, { status: 408, body: "" }, token, ok({ done: true })], {}, m2m);
    expect(await retried.http.request({ method: "GET", path: "/x" })).toEqual({ done: true });
    expect(retried.transport.requests.filter((r) => r.path === "/oidc/v1/token")).toHaveLength(2);

    const notRetried = client([discovery, { status: 501, body: "" }], {}, m2m);
    await expect(notRetried.http.request({ method: "GET", path: "/x" })).rejects.toMatchObject({
      status: 501,
    });
    expect(notRetried.transport.requests.filter((r) => r.path === "/oidc/v1/token")).toHaveLength(1);

    const custom = client(
      [discovery, { status: 501, body: "" }, token, ok({ done: true })],
      {},
      {
        ...m2m,
        retry: { statuses: [501] },
      },
    );
    expect(await custom.http.request({ method: "GET", path: "/x" })).toEqual({ done: true });
  });
});

describe("tokenProvider failures", () => {
  const secret = "dapi-provider-secret-42424242";
  it("a synchronous throw becomes a typed error that does not quote the provider's message", async () => {
    const transport = fakeTransport([ok({})]);
    const http = new DatabricksHttpClient(
      {
        host: "https://ws.example.com",
        tokenProvider: () => {
          throw new Error(`vault said no for ${secret}`);
        },
      },
      { io, transport },
    );
    const e = await http.request({ method: "GET", path: "/x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnauthenticatedError);
    expect((e as Error).message).toMatch(/tokenProvider/);
    expect(JSON.stringify(e)).not.toContain(secret);
    expect(String(e)).not.toContain(secret);
    expect((e as Error).cause).toBeUndefined();
    expect(transport.requests).toHaveLength(0);
  });
  it("a rejected promise or a non-string is typed too", async () => {
    for (const tokenProvider of [
      async () => {
        throw new Error(secret);
      },
      (() => 42) as unknown as () => string,
    ]) {
      const http = new DatabricksHttpClient(
        { host: "https://ws.example.com", tokenProvider },
        { io, transport: fakeTransport([ok({})]) },
      );
      const e = await http.request({ method: "GET", path: "/x" }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnauthenticatedError);
      expect(String(e)).not.toContain(secret);
    }
  });
});
