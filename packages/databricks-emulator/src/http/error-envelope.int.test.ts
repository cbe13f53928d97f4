/**
 * Trust boundary 7 (issue 14): every error is the Databricks envelope with a 4xx where the caller is at fault,
 * including Node's HTTP parser errors (which never reach a route), bad percent-escapes anywhere in a URL or in
 * OIDC Basic credentials, and bodies nested deep enough to overflow a recursive walk.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import { FOUNDATION_MODELS } from "../engines/index.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const CHAT = FOUNDATION_MODELS.find((f) => f.task === "llm/v1/chat")!.endpointName;

/** Writes `raw` on a fresh TCP connection and returns everything the server sends until it closes. */
const rawRequest = (port: number, raw: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let out = "";
    socket.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
    socket.write(raw);
  });

const parse = (response: string) => {
  const [head = "", body = ""] = response.split("\r\n\r\n");
  return {
    status: Number(head.split(" ")[1]),
    head: head.toLowerCase(),
    json: JSON.parse(body) as Record<string, unknown>,
  };
};

/** A tool whose parameters schema is `levels` deep, built as text (JSON.stringify itself overflows on it). */
const deepToolBody = (levels: number, extra: Record<string, unknown> = {}): string => {
  const schema = `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${"}}".repeat(levels)}`;
  const tool = `{"type":"function","function":{"name":"f","parameters":${schema}}}`;
  const rest = JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...extra }).slice(1);
  return `{"tools":[${tool}],${rest}`;
};

describe("error envelope everywhere", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({});
  });
  afterAll(async () => {
    await emu?.close();
  });

  it.each([
    ["an invalid header line", "GET /api/2.0/serving-endpoints HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"],
    ["a garbage request line", "FOO\r\n\r\n"],
    [
      "an invalid Content-Length",
      "POST /serving-endpoints/x/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
    ],
  ])("answers %s from Node's parser with the 400 envelope", async (_what, raw) => {
    const res = parse(await rawRequest(emu.port, raw));
    expect(res.status).toBe(400);
    expect(res.head).toContain("content-type: application/json");
    expect(res.json).toEqual({
      error_code: "BAD_REQUEST",
      message: "Malformed HTTP request: the request line, headers or body framing could not be parsed.",
    });
  });

  it("answers oversized headers with the 431 envelope", async () => {
    const raw = `GET /api/2.0/serving-endpoints HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`;
    const res = parse(await rawRequest(emu.port, raw));
    expect(res.status).toBe(431);
    expect(res.json).toEqual({ error_code: "BAD_REQUEST", message: "Request headers are too large." });
  });

  it.each([
    ["a control-plane path", "GET", "/api/2.0/serving-endpoints/%E0%A4%A"],
    ["a data-plane path", "POST", "/serving-endpoints/%E0%A4%A/invocations"],
    ["a driver-proxy cluster id", "POST", "/driver-proxy-api/o/0/%E0%A4%A/7777/"],
  ])("answers a bad percent-escape in %s with the 400 envelope", async (_what, method, path) => {
    const res = await call(emu, method, path, method === "POST" ? {} : undefined);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error_code: "BAD_REQUEST",
      message: "Malformed request URL: check its percent-encoding.",
    });
  });

  it("answers a bad percent-escape in OIDC Basic credentials with 400 invalid_request", async () => {
    const res = await fetch(`${emu.url}/oidc/v1/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from("client%ZZ:secret%E0%A4%A").toString("base64")}`,
      },
      body: "grant_type=client_credentials&scope=all-apis",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: "Malformed percent-encoding in the Basic credentials.",
    });
  });

  it("answers a 20,000-level tool schema with the 400 envelope, on the serving and OpenAI-compatible routes", async () => {
    const headers = { "content-type": "application/json" };
    const native = await call(emu, "POST", `/serving-endpoints/${CHAT}/invocations`, undefined, {
      raw: deepToolBody(20_000),
      headers,
    });
    expect(native.status).toBe(400);
    expect(native.json).toMatchObject({
      error_code: "BAD_REQUEST",
      message: "Request body is nested more than 100 levels deep.",
    });
    const openai = await call(emu, "POST", "/serving-endpoints/chat/completions", undefined, {
      raw: deepToolBody(20_000, { model: CHAT }),
      headers,
    });
    expect(openai.status).toBe(400);
    expect(openai.json.error_code).toBe("BAD_REQUEST");
    const local = await call(emu, "POST", "/local-openai/v1/chat/completions", undefined, {
      raw: deepToolBody(20_000, { model: "gpt-4o-mini" }),
      headers,
    });
    expect(local.status).toBe(400);
    expect(local.json).toMatchObject({
      error: { message: "Request body is nested more than 100 levels deep." },
    });
  });

  it("still serves a realistic nested tool schema", async () => {
    const res = await call(emu, "POST", `/serving-endpoints/${CHAT}/invocations`, undefined, {
      raw: deepToolBody(10),
      headers: { "content-type": "application/json" },
    });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
  });
});
