/** `spec/conformance-cases.md`, serving-endpoint permissions: cases 45-50. */
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  createReady,
  customEndpoint,
  dig,
  expectError,
  useEmulator,
} from "../../test-support/conformance.js";

const VIEWER = { userName: "viewer@example.com", token: "dapi-viewer-0000000000000000000000" };
const QUERIER = { userName: "querier@example.com", token: "dapi-querier-000000000000000000000" };
const model = { predict: (records: unknown[]) => records.map(() => 1) };

/** Direct (non-inherited) permission level of a principal in a permissions response. */
function levelOf(body: unknown, key: "user_name" | "group_name", principal: string): string[] {
  const acl = asArray(dig(body, "access_control_list"));
  const entry = acl.find((e) => dig(e, key) === principal);
  if (!entry) return [];
  return asArray(dig(entry, "all_permissions")).map((p) => String(dig(p, "permission_level")));
}

describe("serving-endpoint permissions", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, users: [VIEWER, QUERIER] });
  let id = "";
  let creator = "";

  it("case 45: GET permissions by id -> object_id /serving-endpoints/<id>, object_type, creator CAN_MANAGE", async () => {
    const ep = await createReady(h, customEndpoint("ep1"));
    id = String(ep.id);
    creator = String(ep.creator);
    const res = await h.call("GET", `/api/2.0/permissions/serving-endpoints/${id}`);
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    expect(body.object_id).toBe(`/serving-endpoints/${id}`);
    expect(body.object_type).toBe("serving-endpoint");
    const acl = asArray(body.access_control_list);
    const creatorEntry = acl.find(
      (e) => dig(e, "user_name") === creator || dig(e, "service_principal_name") === creator,
    );
    expect(creatorEntry, res.text).toBeDefined();
    const levels = asArray(dig(creatorEntry, "all_permissions")).map((p) => dig(p, "permission_level"));
    expect(levels).toContain("CAN_MANAGE");
  });

  it("case 45b: permissions are keyed by id, not by name -> unknown id 404", async () => {
    const res = await h.call("GET", "/api/2.0/permissions/serving-endpoints/ep1");
    expect(res.status).toBe(404);
    expectError(res, 404);
  });

  it("case 46: PUT ACL u@x CAN_QUERY -> 200, direct ACL replaced", async () => {
    const res = await h.call("PUT", `/api/2.0/permissions/serving-endpoints/${id}`, {
      access_control_list: [{ user_name: "u@x", permission_level: "CAN_QUERY" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(levelOf(res.json, "user_name", "u@x")).toEqual(["CAN_QUERY"]);
  });

  it("case 47: PATCH group g CAN_VIEW -> 200, both u@x and g present", async () => {
    const res = await h.call("PATCH", `/api/2.0/permissions/serving-endpoints/${id}`, {
      access_control_list: [{ group_name: "g", permission_level: "CAN_VIEW" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(levelOf(res.json, "user_name", "u@x")).toEqual(["CAN_QUERY"]);
    expect(levelOf(res.json, "group_name", "g")).toEqual(["CAN_VIEW"]);
    const got = await h.call("GET", `/api/2.0/permissions/serving-endpoints/${id}`);
    expect(levelOf(got.json, "group_name", "g")).toEqual(["CAN_VIEW"]);
  });

  it("case 46b: a second PUT replaces the direct ACL (u@x and g are gone)", async () => {
    const res = await h.call("PUT", `/api/2.0/permissions/serving-endpoints/${id}`, {
      access_control_list: [{ user_name: "w@x", permission_level: "CAN_VIEW" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(levelOf(res.json, "user_name", "u@x")).toEqual([]);
    expect(levelOf(res.json, "group_name", "g")).toEqual([]);
    expect(levelOf(res.json, "user_name", "w@x")).toEqual(["CAN_VIEW"]);
  });

  it("case 48: PUT with permission_level CAN_FLY -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("PUT", `/api/2.0/permissions/serving-endpoints/${id}`, {
      access_control_list: [{ user_name: "u@x", permission_level: "CAN_FLY" }],
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 49: permissionLevels -> CAN_MANAGE, CAN_QUERY, CAN_VIEW", async () => {
    const res = await h.call("GET", `/api/2.0/permissions/serving-endpoints/${id}/permissionLevels`);
    expect(res.status, res.text).toBe(200);
    const levels = asArray(dig(res.json, "permission_levels")).map((l) => dig(l, "permission_level"));
    expect([...levels].sort()).toEqual(["CAN_MANAGE", "CAN_QUERY", "CAN_VIEW"]);
  });

  it("case 50: CAN_VIEW user invoking -> 403 PERMISSION_DENIED; CAN_QUERY user -> 200", async () => {
    const put = await h.call("PUT", `/api/2.0/permissions/serving-endpoints/${id}`, {
      access_control_list: [
        { user_name: VIEWER.userName, permission_level: "CAN_VIEW" },
        { user_name: QUERIER.userName, permission_level: "CAN_QUERY" },
      ],
    });
    expect(put.status, put.text).toBe(200);
    const body = { dataframe_records: [{ a: 1 }] };
    const denied = await h.call("POST", "/serving-endpoints/ep1/invocations", body, { token: VIEWER.token });
    expectError(denied, 403, "PERMISSION_DENIED");
    const allowed = await h.call("POST", "/serving-endpoints/ep1/invocations", body, {
      token: QUERIER.token,
    });
    expect(allowed.status, allowed.text).toBe(200);
  });

  it("case 50b: a CAN_VIEW user can GET the endpoint but not delete it or change its config", async () => {
    const got = await h.call("GET", "/api/2.0/serving-endpoints/ep1", undefined, { token: VIEWER.token });
    expect(got.status, got.text).toBe(200);
    expect(dig(got.json, "permission_level")).toBe("CAN_VIEW");
    const del = await h.call("DELETE", "/api/2.0/serving-endpoints/ep1", undefined, { token: VIEWER.token });
    expectError(del, 403, "PERMISSION_DENIED");
    const stillThere = await h.call("GET", "/api/2.0/serving-endpoints/ep1");
    expect(stillThere.status).toBe(200);
  });
});
