/**
 * Vector Search endpoint permissions (`/api/2.0/permissions/vector-search-endpoints/{endpoint_id}`): every route and
 * error, enforcement (create index needs CAN_USE, delete and permission changes CAN_MANAGE), and the official
 * @databricks/sdk-experimental `permissions` service driving it unchanged.
 * Facts: packages/databricks-emulator/spec/vector-search.md ("Endpoint permissions").
 */
import { describe, expect, it } from "vitest";
import { asRecord, type CallResult, dig, expectError, useEmulator } from "../../test-support/conformance.js";
import { sdkClient } from "../../test-support/sdk-client.js";

const V = "/api/2.0/vector-search";
const P = "/api/2.0/permissions/vector-search-endpoints";
const h = useEmulator({
  transitionMs: 0,
  foundationModels: false,
  users: [
    { userName: "owner@example.com", displayName: "Owner" },
    { userName: "user@example.com" },
    { userName: "member@example.com", groups: ["vs-team"] },
  ],
});
/** The parsed body of a 200 answer. */
const ok = (r: CallResult): unknown => {
  expect(r.status, r.text).toBe(200);
  return r.json;
};
const tokenOf = (name: string) => h.emu.users.find((u) => u.userName === name)?.token as string;
const as = (name: string) => ({ token: tokenOf(name) });
const indexBody = (name: string, endpoint: string) => ({
  name,
  endpoint_name: endpoint,
  primary_key: "id",
  index_type: "DIRECT_ACCESS",
  direct_access_index_spec: {
    embedding_vector_columns: [{ name: "v", embedding_dimension: 2 }],
    schema_json: JSON.stringify({ id: "string", v: "array<float>" }),
  },
});

describe("vector-search-endpoints permissions", () => {
  let id = "";

  it("GET: the creator holds CAN_MANAGE, admins inherit it", async () => {
    const ep = ok(await h.call("POST", `${V}/endpoints`, { name: "acl-ep" }, as("owner@example.com")));
    id = asRecord(ep).id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const perms = ok(await h.call("GET", `${P}/${id}`, undefined, as("owner@example.com")));
    expect(perms).toEqual({
      object_id: `/vector-search-endpoints/${id}`,
      object_type: "vector-search-endpoints",
      access_control_list: [
        {
          user_name: "owner@example.com",
          display_name: "Owner",
          all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }],
        },
        {
          group_name: "admins",
          all_permissions: [
            {
              permission_level: "CAN_MANAGE",
              inherited: true,
              inherited_from_object: ["/vector-search-endpoints/"],
            },
          ],
        },
      ],
    });
  });

  it("permissionLevels lists CAN_MANAGE and CAN_USE", async () => {
    const levels = ok(await h.call("GET", `${P}/${id}/permissionLevels`));
    expect(
      (dig(levels, "permission_levels") as { permission_level: string }[]).map((l) => l.permission_level),
    ).toEqual(["CAN_MANAGE", "CAN_USE"]);
  });

  it("without a grant: no index on the endpoint, no delete, no permission read or change (403)", async () => {
    const u = as("user@example.com");
    expectError(
      await h.call("POST", `${V}/indexes`, indexBody("main.acl.a", "acl-ep"), u),
      403,
      "PERMISSION_DENIED",
      "User user@example.com does not have CAN_USE permission on vector search endpoint 'acl-ep' (has no permission).",
    );
    expectError(await h.call("DELETE", `${V}/endpoints/acl-ep`, undefined, u), 403, "PERMISSION_DENIED");
    expectError(await h.call("GET", `${P}/${id}`, undefined, u), 403, "PERMISSION_DENIED");
    expectError(await h.call("GET", `${P}/${id}/permissionLevels`, undefined, u), 403, "PERMISSION_DENIED");
    expectError(
      await h.call(
        "PATCH",
        `${P}/${id}`,
        { access_control_list: [{ user_name: "user@example.com", permission_level: "CAN_MANAGE" }] },
        u,
      ),
      403,
      "PERMISSION_DENIED",
      /does not have CAN_MANAGE/,
    );
  });

  it("PATCH merges: CAN_USE allows creating indexes but not deleting the endpoint or changing permissions", async () => {
    const patched = ok(
      await h.call(
        "PATCH",
        `${P}/${id}`,
        { access_control_list: [{ user_name: "user@example.com", permission_level: "CAN_USE" }] },
        as("owner@example.com"),
      ),
    );
    expect(
      (dig(patched, "access_control_list") as Record<string, unknown>[]).map((e) => e.user_name),
    ).toEqual(["owner@example.com", "user@example.com", undefined]);
    const u = as("user@example.com");
    expect(
      asRecord(ok(await h.call("POST", `${V}/indexes`, indexBody("main.acl.a", "acl-ep"), u))).name,
    ).toBe("main.acl.a");
    expect(dig(ok(await h.call("GET", `${P}/${id}`, undefined, u)), "object_id")).toBe(
      `/vector-search-endpoints/${id}`,
    );
    expectError(
      await h.call("DELETE", `${V}/endpoints/acl-ep`, undefined, u),
      403,
      "PERMISSION_DENIED",
      /CAN_MANAGE/,
    );
    expectError(
      await h.call("PUT", `${P}/${id}`, { access_control_list: [] }, u),
      403,
      "PERMISSION_DENIED",
      /has CAN_USE/,
    );
  });

  it("400 on a bad level or principal; nothing applied", async () => {
    expectError(
      await h.call("PATCH", `${P}/${id}`, {
        access_control_list: [{ user_name: "user@example.com", permission_level: "CAN_QUERY" }],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      'Invalid permission level "CAN_QUERY" in access_control_list[0]; use one of CAN_MANAGE, CAN_USE.',
    );
    expectError(
      await h.call("PUT", `${P}/${id}`, { access_control_list: [{ permission_level: "CAN_USE" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /exactly one of user_name, group_name, service_principal_name/,
    );
    expectError(
      await h.call("PUT", `${P}/${id}`, { access_control_list: "all" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    const acl = dig(ok(await h.call("GET", `${P}/${id}`)), "access_control_list") as unknown[];
    expect(acl).toHaveLength(3);
  });

  it("404 for an unknown endpoint id on every route", async () => {
    const missing = "00000000-0000-0000-0000-000000000000";
    const msg = `Vector search endpoint with id ${missing} does not exist.`;
    expectError(await h.call("GET", `${P}/${missing}`), 404, "RESOURCE_DOES_NOT_EXIST", msg);
    expectError(
      await h.call("PUT", `${P}/${missing}`, { access_control_list: [] }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    expectError(
      await h.call("PATCH", `${P}/${missing}`, { access_control_list: [] }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    expectError(await h.call("GET", `${P}/${missing}/permissionLevels`), 404, "RESOURCE_DOES_NOT_EXIST");
    // The path takes the id, not the name.
    expectError(await h.call("GET", `${P}/acl-ep`), 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("PUT replaces the list; a group grant of CAN_MANAGE lets a member delete the endpoint", async () => {
    const put = ok(
      await h.call(
        "PUT",
        `${P}/${id}`,
        { access_control_list: [{ group_name: "vs-team", permission_level: "CAN_MANAGE" }] },
        as("owner@example.com"),
      ),
    );
    expect(dig(put, "access_control_list", 0)).toEqual({
      group_name: "vs-team",
      all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }],
    });
    // The owner's own entry is gone: no longer allowed.
    expectError(
      await h.call("GET", `${P}/${id}`, undefined, as("owner@example.com")),
      403,
      "PERMISSION_DENIED",
    );
    expect(ok(await h.call("DELETE", `${V}/endpoints/acl-ep`, undefined, as("member@example.com")))).toEqual(
      {},
    );
    expectError(await h.call("GET", `${P}/${id}`), 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

it("@databricks/sdk-experimental permissions service drives vector-search-endpoints unchanged", async () => {
  const w = await sdkClient(h.emu.url, { token: h.emu.token });
  const ep = await (
    await w.vectorSearchEndpoints.createEndpoint({ name: "sdk-acl", endpoint_type: "STANDARD" })
  ).wait();
  const ref = { request_object_type: "vector-search-endpoints", request_object_id: String(ep.id) };
  const got = await w.permissions.get(ref);
  expect(got.object_id).toBe(`/vector-search-endpoints/${ep.id}`);
  expect(got.access_control_list?.[0]?.user_name).toBe(h.emu.userName);
  const updated = await w.permissions.update({
    ...ref,
    access_control_list: [{ user_name: "user@example.com", permission_level: "CAN_USE" }],
  });
  // SDK quirk (api-client.js sends a JSON body only for POST and PUT): `update` is a PATCH without a body, which
  // changes nothing, so the list comes back as it was.
  expect(updated).toEqual(got);
  const set = await w.permissions.set({
    ...ref,
    access_control_list: [{ service_principal_name: "sp-1", permission_level: "CAN_MANAGE" }],
  });
  expect(set.access_control_list?.[0]?.service_principal_name).toBe("sp-1");
  const levels = await w.permissions.getPermissionLevels(ref);
  expect(levels.permission_levels?.map((l) => l.permission_level)).toEqual(["CAN_MANAGE", "CAN_USE"]);
  await expect(w.permissions.get({ ...ref, request_object_id: "nope" })).rejects.toMatchObject({
    errorCode: "RESOURCE_DOES_NOT_EXIST",
  });
});
