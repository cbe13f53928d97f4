/**
 * Bad input never crashes, hangs or leaks internals: invalid JSON, wrong types, oversized bodies, unknown
 * routes (`spec/conformance-cases.md` case 83 and `spec/errors.md` 1.4), bad names. Every answer is the error envelope and the server keeps
 * serving afterwards.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import {
  asRecord,
  createReady,
  customEndpoint,
  dig,
  expectError,
  expectNoStack,
  servedEntity,
  useEmulator,
} from "../../test-support/conformance.js";

const LLAMA = "databricks-meta-llama-3-3-70b-instruct";
const model = { predict: (records: unknown) => (Array.isArray(records) ? records.map(() => 1) : [1]) };

describe("unknown routes", () => {
  const h = useEmulator();

  it("case 83: GET /api/2.0/serving-endpoints-x -> 404 ENDPOINT_NOT_FOUND 'No API found for ...'", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints-x");
    expectError(res, 404, "ENDPOINT_NOT_FOUND", "No API found for 'GET /serving-endpoints-x'");
  });

  it("case 83b: the method is part of the message (POST /api/2.0/clusters/get-delete)", async () => {
    const res = await h.call("POST", "/api/2.0/clusters/get-delete", {});
    expectError(res, 404, "ENDPOINT_NOT_FOUND", "No API found for 'POST /clusters/get-delete'");
  });

  it("case 83c: an unknown API version segment -> 404 {error: 'Bad Target: <path>'}", async () => {
    const res = await h.call("GET", "/api/2.2/sql/endpoints");
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: "Bad Target: /api/2.2/sql/endpoints" });
  });

  it("case 83d: unknown paths outside /api also get a JSON 404, never an HTML page or a stack", async () => {
    const res = await h.call("GET", "/definitely/not/here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
    expectNoStack(res.text);
  });
});

describe("malformed bodies", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, bodyLimit: 64 * 1024 });
  const create = (raw: string) => h.call("POST", "/api/2.0/serving-endpoints", undefined, { raw });

  it("invalid JSON on a control-plane POST -> 400 envelope", async () => {
    const res = await create('{"name": "x",');
    const body = expectError(res, 400);
    expect(["BAD_REQUEST", "MALFORMED_REQUEST", "INVALID_PARAMETER_VALUE"]).toContain(body.error_code);
  });

  it("empty body and JSON null on create -> 400 envelope", async () => {
    expectError(await create(""), 400);
    expectError(await create("null"), 400);
    expectError(await create("[]"), 400);
    expectError(await create('"ep"'), 400);
  });

  it("wrong types in create -> 400 INVALID_PARAMETER_VALUE naming the field", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 123 }, /name/],
      [{ name: "t1", config: "not-an-object" }, /config/],
      [{ name: "t2", config: { served_entities: { entity_name: "cat.sch.m" } } }, /served_entities/],
      [
        {
          name: "t3",
          config: {
            served_entities: [
              {
                entity_name: "cat.sch.m",
                entity_version: "1",
                workload_size: "Small",
                scale_to_zero_enabled: "yes",
              },
            ],
          },
        },
        /scale_to_zero_enabled/,
      ],
      [
        {
          name: "t4",
          config: {
            served_entities: [servedEntity("a")],
            traffic_config: { routes: [{ served_entity_name: "a", traffic_percentage: "lots" }] },
          },
        },
        /traffic_percentage/,
      ],
      [{ name: "t5", tags: "team=ml" }, /tags/],
    ];
    for (const [body, field] of cases) {
      const res = await h.call("POST", "/api/2.0/serving-endpoints", body);
      const err = expectError(res, 400, "INVALID_PARAMETER_VALUE");
      expect(String(err.message), JSON.stringify(body)).toMatch(field);
    }
  });

  it("wrong types across the other APIs -> 400 envelope whose message names the field", async () => {
    await h.call("POST", "/api/2.0/secrets/scopes/create", { scope: "types" });
    await createReady(h, customEndpoint("types-ep"));
    const cases: Array<[string, string, unknown, RegExp]> = [
      ["POST", "/api/2.0/secrets/scopes/create", { scope: ["a"] }, /scope/],
      ["POST", "/api/2.0/secrets/put", { scope: "types", key: "k", string_value: 123 }, /string_value/],
      [
        "POST",
        "/api/2.0/secrets/put",
        { scope: "types", key: "k", bytes_value: "not base64!!" },
        /bytes_value/,
      ],
      [
        "POST",
        "/api/2.0/secrets/acls/put",
        { scope: "types", principal: 7, permission: "READ" },
        /principal/,
      ],
      ["PATCH", "/api/2.0/serving-endpoints/types-ep/tags", { add_tags: "x" }, /add_tags/],
      ["PATCH", "/api/2.0/serving-endpoints/types-ep/tags", { add_tags: [{ value: "x" }] }, /key/],
      ["PUT", "/api/2.0/serving-endpoints/types-ep/ai-gateway", { rate_limits: {} }, /rate_limits/],
      ["PUT", "/api/2.0/serving-endpoints/types-ep/config", { served_entities: "x" }, /served_entities/],
      [
        "POST",
        `/serving-endpoints/${LLAMA}/invocations`,
        { messages: [{ role: "wizard", content: "x" }] },
        /role/,
      ],
      [
        "POST",
        `/serving-endpoints/${LLAMA}/invocations`,
        { messages: [{ role: "user", content: "x" }], stream: "yes" },
        /stream/,
      ],
      [
        "POST",
        `/serving-endpoints/${LLAMA}/invocations`,
        { messages: [{ role: "user", content: "x" }], n: 9 },
        /"?n"?/,
      ],
      ["POST", "/serving-endpoints/databricks-gte-large-en/invocations", { input: 5 }, /input/],
      ["POST", "/serving-endpoints/types-ep/invocations", { dataframe_split: "x" }, /dataframe_split/],
      ["POST", "/serving-endpoints/types-ep/invocations", { dataframe_records: "x" }, /dataframe_records/],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.call(method, path, body);
      const err = expectError(res, 400);
      expect(String(err.message), `${method} ${path} ${JSON.stringify(body)}`).toMatch(field);
    }
  });

  it("int64 as a numeric string is accepted (traffic_percentage '100')", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "numstr",
      config: {
        served_entities: [servedEntity("a")],
        traffic_config: { routes: [{ served_entity_name: "a", traffic_percentage: "100" }] },
      },
    });
    expect(res.status, res.text).toBe(200);
    const routes = dig(res.json, "pending_config", "traffic_config", "routes", 0, "traffic_percentage");
    expect(routes).toBe(100);
  });

  it("unknown control-plane fields are tolerated (mlflow sends extras)", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "extras",
      is_feature_serving: false,
    });
    expect(res.status, res.text).toBe(200);
  });

  it("bad endpoint names -> 400 INVALID_PARAMETER_VALUE (spaces, slash, unicode, empty, 1000 chars)", async () => {
    for (const name of ["has space", "a/b", "café", "", "x".repeat(1000), "semi;colon"]) {
      const res = await h.call("POST", "/api/2.0/serving-endpoints", { name });
      expectError(res, 400, "INVALID_PARAMETER_VALUE");
    }
  });

  it("a __proto__ key in a body neither crashes nor pollutes", async () => {
    const res = await create(
      '{"name":"proto","__proto__":{"polluted":true},"tags":[{"key":"a","value":"b"}]}',
    );
    expect([200, 400]).toContain(res.status);
    expectNoStack(res.text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("deeply nested JSON is answered (200 or 400), not a crash", async () => {
    const deep = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    const res = await h.call("POST", "/serving-endpoints/numstr/invocations", undefined, {
      raw: `{"inputs":${deep}}`,
    });
    expect(res.status).toBeLessThan(500);
    expectNoStack(res.text);
  });

  it("oversized body (over bodyLimit) -> 413 envelope", async () => {
    const big = JSON.stringify({ name: "big", description: "x".repeat(70 * 1024) });
    const res = await create(big);
    expectError(res, 413);
  });

  it("invalid JSON on a chat invocation -> 400 BAD_REQUEST", async () => {
    const res = await h.call(
      "POST",
      "/serving-endpoints/databricks-meta-llama-3-3-70b-instruct/invocations",
      undefined,
      {
        raw: "{messages:",
      },
    );
    expectError(res, 400, "BAD_REQUEST");
  });

  it("missing query parameters on secrets/get -> 400 envelope", async () => {
    const res = await h.call("GET", "/api/2.0/secrets/get");
    expectError(res, 400);
  });

  it("broken percent-encoding in a path -> 4xx envelope", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints/%E0%A4%A");
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectError(res, res.status);
  });

  it("a client that disconnects mid-body does not hurt the server", async () => {
    const url = new URL(h.emu.url);
    await new Promise<void>((resolve) => {
      const sock = connect(Number(url.port), url.hostname, () => {
        sock.write(
          "POST /api/2.0/serving-endpoints HTTP/1.1\r\n" +
            `Host: ${url.host}\r\nAuthorization: Bearer ${h.emu.token}\r\n` +
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
            '{"name":"half',
        );
        sock.destroy();
        resolve();
      });
      sock.on("error", () => resolve());
    });
    const res = await h.call("GET", "/api/2.0/serving-endpoints/half");
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("after all of the above the server still serves normally", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints");
    expect(res.status).toBe(200);
    asRecord(res.json);
    const inv = await h.call(
      "POST",
      "/serving-endpoints/databricks-meta-llama-3-3-70b-instruct/invocations",
      {
        messages: [{ role: "user", content: "still there?" }],
      },
    );
    expect(inv.status, inv.text).toBe(200);
  });
});
