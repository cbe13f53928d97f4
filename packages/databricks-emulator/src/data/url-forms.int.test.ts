/**
 * Third-party clients send REST URLs with a trailing slash: MLflow's deployments client joins
 * `posixpath.join("/api/2.0", "serving-endpoints", route or "")`, so `list_endpoints()` and `create_endpoint()`
 * send `GET`/`POST /api/2.0/serving-endpoints/` (spec/url-forms.md). Every route answers both forms alike.
 */
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  customEndpoint,
  dig,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";

const model = { predict: (records: unknown[]) => records.map(() => 1) };

describe("URL forms real clients send", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });

  it("MLflow's create_endpoint / list_endpoints: POST and GET /api/2.0/serving-endpoints/", async () => {
    const created = await h.call("POST", "/api/2.0/serving-endpoints/", customEndpoint("slash-ep"));
    expect(created.status, created.text).toBe(200);
    expect(asRecord(created.json).name).toBe("slash-ep");
    await waitForEndpoint(h, "slash-ep");
    const listed = await h.call("GET", "/api/2.0/serving-endpoints/");
    expect(listed.status, listed.text).toBe(200);
    const names = asArray(dig(listed.json, "endpoints")).map((e) => asRecord(e).name);
    expect(names).toContain("slash-ep");
    expect(names).toContain("databricks-meta-llama-3-3-70b-instruct");
  });

  // Every REST route of the emulator, with and without a trailing slash: same status, same kind of body.
  const routes: Array<[string, string, unknown?]> = [
    ["GET", "/api/2.0/serving-endpoints"],
    ["GET", "/api/2.0/serving-endpoints/slash-ep"],
    ["GET", "/api/2.0/serving-endpoints/slash-ep/openapi"],
    ["GET", "/api/2.0/serving-endpoints/slash-ep/metrics"],
    ["GET", "/api/2.0/serving-endpoints/slash-ep/served-models/m-1/build-logs"],
    ["GET", "/api/2.0/serving-endpoints/slash-ep/served-models/m-1/logs"],
    ["PATCH", "/api/2.0/serving-endpoints/slash-ep/tags", { add_tags: [{ key: "team", value: "ml" }] }],
    ["PUT", "/api/2.0/serving-endpoints/slash-ep/ai-gateway", { usage_tracking_config: { enabled: true } }],
    ["PATCH", "/api/2.0/serving-endpoints/slash-ep/notifications", { email_notifications: {} }],
    ["GET", "/api/2.0/secrets/scopes/list"],
    ["GET", "/api/2.0/preview/scim/v2/Me"],
    ["GET", "/oidc/.well-known/oauth-authorization-server"],
    ["GET", "/.well-known/databricks-config"],
  ];
  for (const [method, path, body] of routes) {
    it(`${method} ${path} and ${path}/ answer alike`, async () => {
      const plain = await h.call(method, path, body);
      const slashed = await h.call(method, `${path}/`, body);
      expect(plain.status, plain.text).toBeLessThan(300);
      expect(slashed.status, slashed.text).toBe(plain.status);
      expect(slashed.headers.get("content-type")).toBe(plain.headers.get("content-type"));
    });
  }

  it("permissions routes take the endpoint id with a trailing slash", async () => {
    const id = String(dig((await h.call("GET", "/api/2.0/serving-endpoints/slash-ep")).json, "id"));
    for (const p of [
      `/api/2.0/permissions/serving-endpoints/${id}`,
      `/api/2.0/permissions/serving-endpoints/${id}/permissionLevels`,
    ]) {
      const res = await h.call("GET", `${p}/`);
      expect(res.status, res.text).toBe(200);
    }
  });

  it("data plane: /invocations/ and /chat/completions/ with a trailing slash", async () => {
    const inv = await h.call(
      "POST",
      "/serving-endpoints/databricks-meta-llama-3-3-70b-instruct/invocations/",
      {
        messages: [{ role: "user", content: "say ok" }],
      },
    );
    expect(inv.status, inv.text).toBe(200);
    expect(dig(inv.json, "choices", 0, "message", "content")).toBe("ok");
    const oai = await h.call("POST", "/serving-endpoints/chat/completions/", {
      model: "databricks-meta-llama-3-3-70b-instruct",
      messages: [{ role: "user", content: "say ok" }],
    });
    expect(oai.status, oai.text).toBe(200);
  });

  it("the SDKs' endpoint-level PATCH routes: telemetry-config and system-metrics-export-state", async () => {
    const tel = await h.call("PATCH", "/api/2.0/serving-endpoints/slash-ep/telemetry-config", {
      telemetry_config: { telemetry_profile_id: "p1" },
    });
    expect(tel.status, tel.text).toBe(200);
    expect(dig(tel.json, "telemetry_config")).toEqual({ telemetry_profile_id: "p1" });
    const sys = await h.call("PATCH", "/api/2.0/serving-endpoints/slash-ep/system-metrics-export-state/", {
      uc_system_metrics_export_state: "ENABLED",
    });
    expect(sys.status, sys.text).toBe(200);
    expect(dig(sys.json, "uc_system_metrics_export_state")).toBe("ENABLED");
    const got = await h.call("GET", "/api/2.0/serving-endpoints/slash-ep");
    expect(dig(got.json, "telemetry_config")).toEqual({ telemetry_profile_id: "p1" });
  });

  it("provisioned throughput: POST /api/2.0/serving-endpoints/pt and PUT .../pt/{name}/config", async () => {
    const pt = await h.call("POST", "/api/2.0/serving-endpoints/pt", {
      name: "pt-ep",
      config: {
        served_entities: [{ entity_name: "cat.sch.m", entity_version: "1", provisioned_model_units: 50 }],
      },
      relocate_pt_commitment: { source_endpoint_name: "x" },
    });
    expect(pt.status, pt.text).toBe(200);
    expect(asRecord(pt.json).name).toBe("pt-ep");
    await waitForEndpoint(h, "pt-ep");
    const upd = await h.call("PUT", "/api/2.0/serving-endpoints/pt/pt-ep/config", {
      config: {
        served_entities: [{ entity_name: "cat.sch.m", entity_version: "2", provisioned_model_units: 100 }],
      },
    });
    expect(upd.status, upd.text).toBe(200);
    expect(dig(upd.json, "pending_config", "served_entities", 0, "provisioned_model_units")).toBe(100);
  });

  it("DELETE /api/2.0/serving-endpoints/{name}/ deletes", async () => {
    const res = await h.call("DELETE", "/api/2.0/serving-endpoints/slash-ep/");
    expect(res.status, res.text).toBe(200);
    expect((await h.call("GET", "/api/2.0/serving-endpoints/slash-ep")).status).toBe(404);
  });

  it("an unknown path is still 404 ENDPOINT_NOT_FOUND-style envelope with or without the slash", async () => {
    const a = await h.call("GET", "/api/2.0/no-such-api");
    const b = await h.call("GET", "/api/2.0/no-such-api/");
    expect(a.status).toBe(404);
    expect(b.status).toBe(404);
    expect(asRecord(b.json).error_code).toBe(asRecord(a.json).error_code);
  });
});
