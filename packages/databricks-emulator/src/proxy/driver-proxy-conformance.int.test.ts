/** `spec/conformance-cases.md`, cluster driver proxy: cases 107-112. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectError, useEmulator } from "../../test-support/conformance.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A stand-in for an app running on the cluster driver: records what it receives and answers with JSON. */
function startApp(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      if (req.url === "/teapot") {
        res.writeHead(418, { "Content-Type": "application/json", "X-App": "yes" });
        res.end(JSON.stringify({ error: "short and stout" }));
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json", "X-App": "yes" });
      res.end(JSON.stringify("generated text"));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, port: (server.address() as AddressInfo).port, seen }),
    );
  });
}

describe("driver proxy", () => {
  const h = useEmulator({ clusters: ["0123-456789-abcdefgh"], driverProxyPorts: [1024, 65535] });
  let app: Awaited<ReturnType<typeof startApp>>;
  const cluster = "0123-456789-abcdefgh";

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await new Promise((r) => app.server.close(r));
  });
  beforeEach(() => {
    app.seen.length = 0;
  });

  it("case 107: POST /driver-proxy-api/o/0/<cluster>/<port> -> app receives '/', its JSON comes back verbatim", async () => {
    const res = await h.call("POST", `/driver-proxy-api/o/0/${cluster}/${app.port}`, { prompt: "hi" });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe(JSON.stringify("generated text"));
    expect(res.headers.get("x-app")).toBe("yes");
    expect(app.seen).toHaveLength(1);
    expect(app.seen[0]!.method).toBe("POST");
    expect(app.seen[0]!.url).toBe("/");
    expect(JSON.parse(app.seen[0]!.body)).toEqual({ prompt: "hi" });
  });

  it("case 107b: the app's non-2xx status and body are passed through unchanged", async () => {
    const res = await h.call("POST", `/driver-proxy-api/o/0/${cluster}/${app.port}/teapot`, { prompt: "hi" });
    expect(res.status).toBe(418);
    expect(res.json).toEqual({ error: "short and stout" });
  });

  it("case 108: a /v1/chat/completions suffix reaches the app as /v1/chat/completions", async () => {
    const res = await h.call("POST", `/driver-proxy-api/o/0/${cluster}/${app.port}/v1/chat/completions`, {
      messages: [],
    });
    expect(res.status, res.text).toBe(200);
    expect(app.seen[0]!.url).toBe("/v1/chat/completions");
  });

  it("case 108b: GET with a query string is forwarded with its query", async () => {
    const res = await h.call("GET", `/driver-proxy-api/o/0/${cluster}/${app.port}/health?verbose=1`);
    expect(res.status, res.text).toBe(200);
    expect(app.seen[0]!.method).toBe("GET");
    expect(app.seen[0]!.url).toBe("/health?verbose=1");
  });

  it("case 109: without Authorization -> 401 envelope; with a bad token -> 403; the app never sees them", async () => {
    const url = `/driver-proxy-api/o/0/${cluster}/${app.port}`;
    expectError(await h.call("POST", url, { prompt: "hi" }, { token: null }), 401);
    expectError(
      await h.call("POST", url, { prompt: "hi" }, { token: "bogus" }),
      403,
      undefined,
      "Invalid access token.",
    );
    expect(app.seen).toHaveLength(0);
  });

  it("case 110: org id = workspace id behaves like org id 0", async () => {
    const res = await h.call("POST", `/driver-proxy-api/o/${h.emu.workspaceId}/${cluster}/${app.port}`, {
      prompt: "hi",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe(JSON.stringify("generated text"));
    expect(app.seen[0]!.url).toBe("/");
  });

  it("case 110b: the default cluster and a cluster registered at runtime both proxy", async () => {
    const viaDefault = await h.call("POST", `/driver-proxy-api/o/0/${h.emu.defaultClusterId}/${app.port}`, {
      prompt: "hi",
    });
    expect(viaDefault.status, viaDefault.text).toBe(200);
    h.emu.registerCluster("9999-000000-runtime1");
    const viaRuntime = await h.call("POST", `/driver-proxy-api/o/0/9999-000000-runtime1/${app.port}`, {
      prompt: "hi",
    });
    expect(viaRuntime.status, viaRuntime.text).toBe(200);
  });

  it("case 110c: an unknown cluster or a foreign org id -> non-2xx envelope, app not called", async () => {
    const unknown = await h.call("POST", `/driver-proxy-api/o/0/no-such-cluster/${app.port}`, {
      prompt: "hi",
    });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expectError(unknown, unknown.status);
    const foreign = await h.call("POST", `/driver-proxy-api/o/424242/${cluster}/${app.port}`, {
      prompt: "hi",
    });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expectError(foreign, foreign.status);
    expect(app.seen).toHaveLength(0);
  });

  it("case 111: the langchain Databricks LLM body {prompt, stop} arrives exactly as sent", async () => {
    const body = { prompt: "hi", stop: ["\n"] };
    const res = await h.call("POST", `/driver-proxy-api/o/0/${cluster}/${app.port}`, body);
    expect(res.status, res.text).toBe(200);
    expect(app.seen[0]!.body).toBe(JSON.stringify(body));
    expect(app.seen[0]!.headers["content-type"]).toMatch(/application\/json/);
  });

  it("case 112: a port with nothing listening -> 502/503 Databricks error envelope", async () => {
    const dead = await startApp();
    const port = dead.port;
    await new Promise((r) => dead.server.close(r));
    const res = await h.call("POST", `/driver-proxy-api/o/0/${cluster}/${port}`, { prompt: "hi" });
    expect([502, 503]).toContain(res.status);
    expectError(res, res.status);
  });
});
