import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch, testAuth } from "../../test-support/mock-fetch.js";
import { AbortError, ConfigError, OperationFailedError, TimeoutError } from "../errors.js";
import { ServingEndpointsClient } from "./serving-endpoints.js";

const API = "/api/2.0/serving-endpoints";
const PERMS = "/api/2.0/permissions/serving-endpoints";

describe("ServingEndpointsClient request shapes", () => {
  it("rate limits as a list or a body, tags, logs and empty defaults", async () => {
    const m = mockFetch((call) => {
      if (call.path.endsWith("/rate-limits")) return jsonResponse(call.body);
      return jsonResponse({});
    });
    const c = new ServingEndpointsClient(testAuth(m));
    const limit = { calls: 10, renewal_period: "minute" as const };
    expect(await c.putRateLimits("ep", [limit])).toEqual({ rate_limits: [limit] });
    expect(await c.putRateLimits("ep", { rate_limits: [limit] })).toEqual({ rate_limits: [limit] });
    expect(await c.patchTags("ep", { add_tags: [{ key: "team", value: "x" }] })).toEqual([]);
    expect(await c.logs("ep", "model-1")).toBe("");
    expect(await c.buildLogs("ep", "model-1")).toBe("");
    expect(await c.list()).toEqual([]);
    expect(m.calls.map((x) => [x.method, x.path])).toEqual([
      ["PUT", `${API}/ep/rate-limits`],
      ["PUT", `${API}/ep/rate-limits`],
      ["PATCH", `${API}/ep/tags`],
      ["GET", `${API}/ep/served-models/model-1/logs`],
      ["GET", `${API}/ep/served-models/model-1/build-logs`],
      ["GET", API],
    ]);
    await expect(c.logs("ep", "")).rejects.toThrow(ConfigError);
  });

  it("permissions by { id } skip the lookup; by name they use the endpoint's id or fail without one", async () => {
    const m = mockFetch((call) => {
      if (call.path === `${API}/with-id`) return jsonResponse({ name: "with-id", id: "abc123" });
      if (call.path === `${API}/no-id`) return jsonResponse({ name: "no-id" });
      if (call.path.endsWith("/permissionLevels")) return jsonResponse({});
      return jsonResponse({ object_id: call.path });
    });
    const c = new ServingEndpointsClient(testAuth(m));
    await c.getPermissions({ id: "id-1" });
    await c.updatePermissions("with-id", [{ user_name: "a@b.c", permission_level: "CAN_QUERY" }]);
    expect(await c.getPermissionLevels({ id: "id-1" })).toEqual([]);
    expect(m.calls.map((x) => [x.method, x.path])).toEqual([
      ["GET", `${PERMS}/id-1`],
      ["GET", `${API}/with-id`],
      ["PATCH", `${PERMS}/abc123`],
      ["GET", `${PERMS}/id-1/permissionLevels`],
    ]);
    expect(m.calls[2]!.body).toEqual({
      access_control_list: [{ user_name: "a@b.c", permission_level: "CAN_QUERY" }],
    });
    await expect(c.setPermissions("no-id", [])).rejects.toThrow(
      new ConfigError('Endpoint "no-id" has no id in its GET response; pass { id } instead.'),
    );
    await expect(c.getPermissions({ id: "" })).rejects.toThrow(/Endpoint `id`/);
  });

  it("query refuses a non-object body and an empty servedModel before any request", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const c = new ServingEndpointsClient(testAuth(m));
    await expect(c.query("ep", [1, 2] as never)).rejects.toThrow(/Query body must be a JSON object/);
    await expect(c.query("ep", { inputs: [1] }, { servedModel: "" })).rejects.toThrow(/`servedModel`/);
    expect(m.calls).toHaveLength(0);
  });

  it("query leaves a non-object answer alone even with a served-model-name header", async () => {
    const m = mockFetch(() => jsonResponse([1, 2], 200, { "served-model-name": "m-1" }));
    const c = new ServingEndpointsClient(testAuth(m));
    expect(await c.query("ep", { inputs: [1] })).toEqual([1, 2]);
  });
});

describe("ServingEndpointsClient waits", () => {
  it("a failed config update names the state and the served entities' messages", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        name: "ep",
        state: { ready: "NOT_READY", config_update: "UPDATE_FAILED" },
        pending_config: { served_entities: [{ name: "a", state: { deployment_state_message: "OOM" } }] },
        config: { served_entities: [{ name: "b", state: { deployment_state_message: "" } }, { name: "c" }] },
      }),
    );
    const c = new ServingEndpointsClient(testAuth(m));
    const err = await c.waitForReady("ep").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationFailedError);
    expect((err as Error).message).toBe('Endpoint "ep" config update ended in UPDATE_FAILED. OOM');
    expect((err as OperationFailedError).errorCode).toBe("UPDATE_FAILED");
  });

  it("a canceled update without messages, and an endpoint without any config, fail the wait", async () => {
    const canceled = mockFetch(() =>
      jsonResponse({ name: "ep", state: { config_update: "UPDATE_CANCELED" } }),
    );
    await expect(new ServingEndpointsClient(testAuth(canceled)).waitNotUpdating("ep")).rejects.toThrow(
      'Endpoint "ep" config update ended in UPDATE_CANCELED.',
    );
    const bare = mockFetch(() => jsonResponse({ name: "ep", state: { ready: "NOT_READY" } }));
    await expect(new ServingEndpointsClient(testAuth(bare)).waitForReady("ep")).rejects.toThrow(
      'Endpoint "ep" is NOT_READY and has no config to deploy; add one with updateConfig().',
    );
  });

  it("times out naming the last state; an aborted signal stops between polls", async () => {
    const m = mockFetch(() => jsonResponse({ name: "ep", state: { config_update: "IN_PROGRESS" } }));
    const c = new ServingEndpointsClient(testAuth(m));
    const err = await c.waitNotUpdating("ep", { timeout: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe(
      'Endpoint "ep" not ready after 0 ms (state {"config_update":"IN_PROGRESS"}). Raise `timeout`.',
    );
    const ac = new AbortController();
    const m2 = mockFetch(() => {
      ac.abort();
      return jsonResponse({ name: "ep", state: { config_update: "IN_PROGRESS" }, config: {} });
    });
    const c2 = new ServingEndpointsClient(testAuth(m2));
    await expect(c2.waitForReady("ep", { signal: ac.signal, pollIntervalMs: 10_000 })).rejects.toBeInstanceOf(
      AbortError,
    );
  });

  it("polls until ready, then returns the endpoint", async () => {
    const m = mockFetch((_c, n) =>
      jsonResponse({
        name: "ep",
        state:
          n < 2
            ? { ready: "NOT_READY", config_update: "IN_PROGRESS" }
            : { ready: "READY", config_update: "NOT_UPDATING" },
        config: {},
      }),
    );
    const c = new ServingEndpointsClient(testAuth(m));
    const e = await c.waitForReady("ep", { pollIntervalMs: 1, maxPollIntervalMs: 1 });
    expect(e.state?.ready).toBe("READY");
    expect(m.calls).toHaveLength(3);
  });
});
