import { afterEach, describe, expect, test } from "vitest";
import { trimAtStop, validateDriverProxyRequest } from "./request.js";
import { type DriverProxyServer, serveDriverProxyApp } from "./server.js";

/** A promise with its resolve function (Promise.withResolvers is Node 22+). */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const servers: DriverProxyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...args: Parameters<typeof serveDriverProxyApp>) {
  const server = await serveDriverProxyApp(args[0], { host: "127.0.0.1", port: 0, ...args[1] });
  servers.push(server);
  return server;
}

const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${url}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });

describe("serveDriverProxyApp", () => {
  test("calls fn(prompt, stop, kwargs) and returns a JSON string with the stop sequence trimmed", async () => {
    const seen: unknown[] = [];
    const server = await serve((prompt, stop, kwargs) => {
      seen.push({ prompt, stop, kwargs });
      return `${prompt} is fine. More text`;
    });
    const res = await post(server.url, { prompt: "你好吗？", stop: ["."], temperature: 0.1 });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toBe("你好吗？ is fine");
    expect(seen).toEqual([{ prompt: "你好吗？", stop: ["."], kwargs: { temperature: 0.1 } }]);
  });

  test("async and streaming (async iterable) functions", async () => {
    const asyncServer = await serve(async (prompt) => prompt.toUpperCase());
    expect(await (await post(asyncServer.url, { prompt: "abc" })).json()).toBe("ABC");
    const streaming = await serve(async function* (prompt) {
      yield "a";
      yield "b";
      yield prompt;
    });
    expect(await (await post(streaming.url, { prompt: "c" })).json()).toBe("abc");
  });

  test.each([
    ["not json", /must be JSON/],
    [[1, 2], /JSON object/],
    [{ stop: ["x"] }, /"prompt" is required/],
    [{ prompt: 3 }, /"prompt" is required/],
    [{ prompt: "x", stop: "." }, /"stop" must be an array of strings/],
  ])("invalid body %j -> 400 with a clear message", async (body, message) => {
    const server = await serve(() => "unused");
    const res = await post(server.url, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  test("wrong method / path, oversized bodies, and function errors do not crash the server", async () => {
    const server = await serve(
      (prompt) => {
        if (prompt === "boom") throw new Error("model exploded");
        return "ok";
      },
      { maxBodyBytes: 100 },
    );
    expect((await fetch(`${server.url}/`)).status).toBe(405);
    expect((await fetch(`${server.url}/other`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await post(server.url, { prompt: "x".repeat(200) })).status).toBe(413);
    const failed = await post(server.url, { prompt: "boom" });
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as { error: string; request_id: string };
    expect(body.error).toBe(`Model function failed; see the server log for request ${body.request_id}.`);
    expect(failed.headers.get("x-request-id")).toBe(body.request_id);
    expect(failed.headers.get("x-databricks-app-error")).toBe("model");
    expect(body).toMatchObject({ error_code: "MODEL_ERROR" });
    expect(await (await post(server.url, { prompt: "fine" })).json()).toBe("ok");
  });

  test("binds 0.0.0.0 by default, port 0 picks a free port, close() is graceful", async () => {
    const server = await serveDriverProxyApp(() => "hi", { port: 0 });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await (await post(server.url, { prompt: "x" })).json()).toBe("hi");
    await server.close();
    // Closed means closed: the port refuses connections.
    await expect(post(server.url, { prompt: "x" })).rejects.toMatchObject({
      message: "fetch failed",
      cause: { code: "ECONNREFUSED" },
    });
  });

  test("a thrown error's message stays in the server log: the 500 body is generic, with the request id", async () => {
    const logged: [unknown, string][] = [];
    const server = await serve(
      () => {
        throw new Error("upstream said: Bearer dapi-secret-123");
      },
      { onError: (e, id) => logged.push([e, id]) },
    );
    const res = await post(server.url, { prompt: "x" });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("dapi-secret-123");
    const { request_id } = JSON.parse(text) as { request_id: string };
    expect(logged).toHaveLength(1);
    const [error, id] = logged[0] ?? [];
    expect(id).toBe(request_id);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("dapi-secret-123");
  });

  test("a call past timeoutMs answers 504 and aborts the function's signal", async () => {
    let seen: AbortSignal | undefined;
    const server = await serve(
      (_p, _s, _k, signal) => {
        seen = signal;
        return new Promise<string>(() => {}); // never settles on its own
      },
      { timeoutMs: 50 },
    );
    const res = await post(server.url, { prompt: "x" });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: string }).error).toBe(
      "The model function did not answer within 50 ms.",
    );
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toMatchObject({ name: "AbortError", why: "timeout" });
  });

  test("a caller that disconnects aborts the function's signal", async () => {
    const aborted = deferred<unknown>();
    const started = deferred<void>();
    const server = await serve((_p, _s, _k, signal) => {
      signal.addEventListener("abort", () => aborted.resolve(signal.reason));
      started.resolve();
      return new Promise<string>(() => {});
    });
    const caller = new AbortController();
    const req = post(server.url, { prompt: "x" }, { signal: caller.signal }).catch((e: unknown) => e);
    await started.promise;
    caller.abort();
    await req;
    expect(await aborted.promise).toMatchObject({ why: "disconnect" });
  });

  test("over maxConcurrency: 503 with Retry-After, and the running calls are unaffected", async () => {
    const release = deferred<void>();
    let calls = 0;
    const started = deferred<void>();
    const server = await serve(
      async () => {
        if (++calls === 2) started.resolve();
        await release.promise;
        return "done";
      },
      { maxConcurrency: 2 },
    );
    const first = [post(server.url, { prompt: "a" }), post(server.url, { prompt: "b" })];
    await started.promise;
    const busy = await post(server.url, { prompt: "c" });
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(((await busy.json()) as { error: string }).error).toBe(
      "Busy: 2 requests are already running. Retry after 1 second.",
    );
    release.resolve();
    for (const r of await Promise.all(first)) expect(await r.json()).toBe("done");
    expect(calls).toBe(2);
  });

  test("close() resolves within its grace period while a call hangs; the hung caller gets 503", async () => {
    const started = deferred<void>();
    let signal: AbortSignal | undefined;
    const server = await serveDriverProxyApp(
      (_p, _s, _k, s) => {
        signal = s;
        started.resolve();
        return new Promise<string>(() => {});
      },
      { host: "127.0.0.1", port: 0, closeGraceMs: 100 },
    );
    const hung = post(server.url, { prompt: "x" });
    await started.promise;
    const closed = server.close();
    const res = await hung;
    await closed;
    expect(res.status).toBe(503);
    expect(signal?.reason).toMatchObject({ why: "shutdown" });
  });

  test("invalid port is a config error", async () => {
    await expect(serveDriverProxyApp(() => "x", { port: 70000 })).rejects.toThrow(/Invalid port/);
  });
});

describe("request helpers", () => {
  test("trimAtStop cuts at the earliest stop sequence", () => {
    expect(trimAtStop("a. b! c", [".", "!"])).toBe("a");
    expect(trimAtStop("abc", undefined)).toBe("abc");
    expect(trimAtStop("abc", [""])).toBe("abc");
  });

  test("null stop is treated as absent", () => {
    const r = validateDriverProxyRequest('{"prompt":"p","stop":null}');
    expect(r).toEqual({ ok: true, request: { prompt: "p" } });
  });
});
