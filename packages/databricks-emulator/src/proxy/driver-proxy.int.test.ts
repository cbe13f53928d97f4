import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

describe("driver proxy", () => {
  let emu: EmulatorHandle;
  let app: Server;
  let port: number;
  const seen: { method?: string; url?: string; body: string; auth?: string }[] = [];
  beforeAll(async () => {
    app = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body, auth: req.headers.authorization });
        if (req.url === "/stream") {
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("one,");
          setImmediate(() => res.end("two"));
          return;
        }
        res.writeHead(req.method === "PUT" ? 201 : 200, {
          "content-type": "application/json",
          "x-app": "yes",
        });
        res.end(JSON.stringify("generated text"));
      });
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    port = (app.address() as AddressInfo).port;
    emu = await startEmulator({ clusters: ["1234-567890-abcdefgh"], driverProxyPorts: [1024, 65535] });
  });
  afterAll(async () => {
    await emu.close();
    await new Promise((r) => app.close(r));
  });

  it("forwards method, path, query and body; returns status, headers and body verbatim", async () => {
    const res = await call(emu, "POST", `/driver-proxy-api/o/0/${emu.defaultClusterId}/${port}`, {
      prompt: "hi",
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
    expect(res.text).toBe('"generated text"');
    expect(res.headers.get("x-app")).toBe("yes");
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: "POST", url: "/", body: '{"prompt":"hi"}' });
    // The caller's Databricks credential is not handed to the app.
    expect(last.auth).toBeUndefined();
    const put = await call(
      emu,
      "PUT",
      `/driver-proxy-api/o/${emu.workspaceId}/1234-567890-abcdefgh/${port}/v1/x?a=1`,
      {},
    );
    expect(put.status).toBe(201);
    expect(seen.at(-1)).toMatchObject({ method: "PUT", url: "/v1/x?a=1" });
  });

  it("streams chunked responses through", async () => {
    const res = await call(emu, "GET", `/driver-proxy-api/o/0/${emu.defaultClusterId}/${port}/stream`);
    expect(res.text).toBe("one,two");
  });

  it("requires auth and answers envelopes for unknown clusters and closed ports", async () => {
    const path = `/driver-proxy-api/o/0/${emu.defaultClusterId}/${port}`;
    expect((await call(emu, "POST", path, {}, { token: null })).status).toBe(401);
    expect((await call(emu, "POST", path, {}, { token: "bad" })).status).toBe(403);
    const unknown = await call(emu, "POST", `/driver-proxy-api/o/0/nope-cluster/${port}`, {});
    expect(unknown.status).toBe(400);
    expect(String(unknown.json.message)).toContain("nope-cluster");
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const down = await call(emu, "POST", `/driver-proxy-api/o/0/${emu.defaultClusterId}/${closed}`, {});
    expect(down.status).toBe(502);
    expect(down.json.error_code).toBe("BAD_GATEWAY");
    emu.registerCluster("0000-111111-newclust");
    const fresh = await call(emu, "POST", `/driver-proxy-api/o/0/0000-111111-newclust/${port}`, {});
    expect(fresh.status).toBe(200);
  });
});
