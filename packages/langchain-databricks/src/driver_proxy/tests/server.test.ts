import { afterEach, describe, expect, test } from "vitest";
import { trimAtStop, validateDriverProxyRequest } from "../request.js";
import { type DriverProxyServer, serveDriverProxyApp } from "../server.js";

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
    expect(((await failed.json()) as { error: string }).error).toContain("model exploded");
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
