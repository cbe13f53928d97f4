/** `spec/conformance-cases.md`, custom (pyfunc-style) model invocations and traffic split: cases 51-59. */
import { describe, expect, it } from "vitest";
import {
  asArray,
  createReady,
  customEndpoint,
  dig,
  expectError,
  servedEntity,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";

/** Echo model: one prediction per record, so tests can see exactly what the server handed the model. */
const echo = {
  predict: (records: unknown[], params?: unknown) =>
    records.map((r) => ({ record: r, params: params ?? null })),
};

const FORMAT_PREFIX =
  "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}.";

describe("custom model invocations", () => {
  const h = useEmulator({ models: { "cat.sch.m": echo, "cat.sch.other": echo } });
  const invoke = (body: unknown, raw?: string) =>
    h.call("POST", "/serving-endpoints/ep1/invocations", body, raw === undefined ? {} : { raw });

  it("case 51: dataframe_split -> 200 {predictions} and served-model-name: m-1", async () => {
    await createReady(h, customEndpoint("ep1"));
    const res = await invoke({ dataframe_split: { columns: ["a"], data: [[1]] } });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("served-model-name")).toBe("m-1");
    const predictions = asArray(dig(res.json, "predictions"));
    expect(predictions).toHaveLength(1);
    expect(dig(predictions[0], "record")).toEqual({ a: 1 });
  });

  it("case 51b: dataframe_split with several rows and columns maps each row to a record", async () => {
    const res = await invoke({
      dataframe_split: {
        columns: ["a", "b"],
        data: [
          [1, "x"],
          [2, "y"],
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(asArray(dig(res.json, "predictions")).map((p) => dig(p, "record"))).toEqual([
      { a: 1, b: "x" },
      { a: 2, b: "y" },
    ]);
  });

  it("case 52: dataframe_records -> 200 predictions", async () => {
    const res = await invoke({ dataframe_records: [{ a: 1 }, { a: 2 }] });
    expect(res.status, res.text).toBe(200);
    expect(asArray(dig(res.json, "predictions"))).toHaveLength(2);
    expect(res.headers.get("served-model-name")).toBe("m-1");
  });

  it("case 53: instances -> 200", async () => {
    const res = await invoke({ instances: [[1, 2]] });
    expect(res.status, res.text).toBe(200);
    expect(asArray(dig(res.json, "predictions")).length).toBeGreaterThan(0);
  });

  it("case 53b: inputs -> 200", async () => {
    const res = await invoke({ inputs: { a: [1] } });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "predictions")).toBeDefined();
  });

  it("case 53c: inputs with params -> 200 and params reach the model", async () => {
    const res = await invoke({ inputs: { a: [1] }, params: { k: 1 } });
    expect(res.status, res.text).toBe(200);
    const first = asArray(dig(res.json, "predictions"))[0];
    expect(dig(first, "params")).toEqual({ k: 1 });
  });

  it("case 54: two input fields -> 400 BAD_REQUEST 'The input must be a JSON dictionary with exactly one...'", async () => {
    const res = await invoke({ dataframe_records: [{ a: 1 }], instances: [[1]] });
    const body = expectError(res, 400, "BAD_REQUEST");
    expect(String(body.message).startsWith(FORMAT_PREFIX)).toBe(true);
  });

  it("case 54b: none of the input fields -> 400 BAD_REQUEST with the same prefix", async () => {
    const res = await invoke({ params: { k: 1 } });
    const body = expectError(res, 400, "BAD_REQUEST");
    expect(String(body.message).startsWith(FORMAT_PREFIX)).toBe(true);
  });

  it("case 55: top-level list -> 400 BAD_REQUEST 'Received a list'", async () => {
    const res = await invoke([1, 2, 3]);
    const body = expectError(res, 400, "BAD_REQUEST");
    expect(String(body.message)).toContain("Received a list");
  });

  it("case 56: body 'not json' -> 400 BAD_REQUEST", async () => {
    const res = await invoke(undefined, "not json");
    expectError(res, 400, "BAD_REQUEST");
  });

  it("case 57: unknown endpoint -> 404 RESOURCE_DOES_NOT_EXIST with RequestInfo detail", async () => {
    const res = await h.call("POST", "/serving-endpoints/nope/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    const body = expectError(
      res,
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Endpoint with name 'nope' does not exist.",
    );
    expect(dig(body, "details", 0, "@type")).toBe("type.googleapis.com/google.rpc.RequestInfo");
  });

  it("case 58: served-models/m-1/invocations -> 200 with served-model-name m-1 even when traffic goes elsewhere", async () => {
    await createReady(h, {
      name: "split",
      config: {
        served_entities: [servedEntity("a"), servedEntity("b", "cat.sch.other")],
        traffic_config: {
          routes: [
            { served_model_name: "a", traffic_percentage: 100 },
            { served_model_name: "b", traffic_percentage: 0 },
          ],
        },
      },
    });
    const res = await h.call("POST", "/serving-endpoints/split/served-models/b/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("served-model-name")).toBe("b");
    const direct = await h.call("POST", "/serving-endpoints/ep1/served-models/m-1/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expect(direct.status, direct.text).toBe(200);
    expect(direct.headers.get("served-model-name")).toBe("m-1");
  });

  it("case 58b: served-models path with an unknown served model -> 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const res = await h.call("POST", "/serving-endpoints/split/served-models/ghost/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 59: traffic split 100/0 between a and b -> 20 invocations all served by a", async () => {
    const seen = new Set<string | null>();
    for (let i = 0; i < 20; i++) {
      const res = await h.call("POST", "/serving-endpoints/split/invocations", {
        dataframe_records: [{ a: i }],
      });
      expect(res.status, res.text).toBe(200);
      seen.add(res.headers.get("served-model-name"));
    }
    expect([...seen]).toEqual(["a"]);
  });

  it("case 59b: an endpoint serving an unregistered entity answers with an error envelope, not 200", async () => {
    const res = await h.call(
      "POST",
      "/api/2.0/serving-endpoints",
      customEndpoint("unloaded", "cat.sch.missing"),
    );
    expect(res.status, res.text).toBe(200);
    await waitForEndpoint(h, "unloaded");
    const inv = await h.call("POST", "/serving-endpoints/unloaded/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expect(inv.status).toBeGreaterThanOrEqual(400);
    expectError(inv, inv.status);
  });
});
