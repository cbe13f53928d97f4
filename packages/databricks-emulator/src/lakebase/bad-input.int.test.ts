/**
 * Lakebase request validation (lakebase/store.ts, routes.ts): instance names and capacities, page sizes, ACL
 * entries, and both credential routes; each refusal is the real envelope with the exact message.
 */
import { describe, expect, it } from "vitest";
import { dig, expectError, useEmulator } from "../../test-support/conformance.js";

const I = "/api/2.0/database/instances";
const P = "/api/2.0/permissions/database-instances";
const OTHER = { token: "dapi-lb-other" };

describe("Lakebase: bad input", () => {
  const h = useEmulator({ users: [{ userName: "other@example.com", token: OTHER.token }] });

  it.each([
    [{}, "Field 'name' is required."],
    [{ name: "" }, "Field 'name' is required."],
    [
      { name: "Bad_Name" },
      "Invalid database instance name 'Bad_Name': use 1-63 lowercase letters, digits and hyphens, starting with a letter.",
    ],
    [
      { name: `a${"b".repeat(63)}` },
      `Invalid database instance name 'a${"b".repeat(63)}': use 1-63 lowercase letters, digits and hyphens, starting with a letter.`,
    ],
    [{ name: "db1", capacity: "CU_3" }, 'Invalid capacity "CU_3"; use one of CU_1, CU_2, CU_4, CU_8.'],
    [{ name: "db1", capacity: 2 }, "Invalid capacity 2; use one of CU_1, CU_2, CU_4, CU_8."],
  ])("create %j -> 400", async (body, message) => {
    expectError(await h.call("POST", I, body), 400, "INVALID_PARAMETER_VALUE", message);
  });

  it("list: a bad page_size is 400; an empty list is {}", async () => {
    expectError(
      await h.call("GET", I, undefined, { query: { page_size: "-1" } }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid page_size '-1'.",
    );
    expectError(
      await h.call("GET", I, undefined, { query: { page_size: "ten" } }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid page_size 'ten'.",
    );
    expect((await h.call("GET", I)).json).toEqual({});
  });

  it("a missing instance is 404 on get, delete, permissions and credentials", async () => {
    const missing = "Database instance 'ghost' does not exist.";
    expectError(await h.call("GET", `${I}/ghost`), 404, "RESOURCE_DOES_NOT_EXIST", missing);
    expectError(await h.call("DELETE", `${I}/ghost`), 404, "RESOURCE_DOES_NOT_EXIST", missing);
    expectError(await h.call("GET", `${P}/ghost`), 404, "RESOURCE_DOES_NOT_EXIST", missing);
    expectError(
      await h.call("POST", "/api/2.0/database/credentials", { instance_names: ["ghost"] }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      missing,
    );
  });

  it("instance: 409 on a second create; other users get 403 naming the level they lack", async () => {
    const created = await h.call("POST", I, { name: "db1", capacity: "CU_2" });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({ name: "db1", capacity: "CU_2" });
    expectError(
      await h.call("POST", I, { name: "db1" }),
      409,
      "RESOURCE_ALREADY_EXISTS",
      "Database instance 'db1' already exists.",
    );
    expectError(
      await h.call("GET", `${I}/db1`, undefined, OTHER),
      403,
      "PERMISSION_DENIED",
      "User other@example.com does not have CAN_USE permission on database instance 'db1' (has no permission).",
    );
    // The other user's list does not show it.
    expect((await h.call("GET", I, undefined, OTHER)).json).toEqual({});
  });

  it.each([
    [{ access_control_list: {} }, "access_control_list must be a list."],
    [{ access_control_list: ["x"] }, "access_control_list[0] must be an object."],
    [
      { access_control_list: [{ permission_level: "CAN_USE" }] },
      "access_control_list[0] needs exactly one of user_name, group_name, service_principal_name.",
    ],
    [
      { access_control_list: [{ user_name: "a", group_name: "b", permission_level: "CAN_USE" }] },
      "access_control_list[0] needs exactly one of user_name, group_name, service_principal_name.",
    ],
    [
      { access_control_list: [{ group_name: "", permission_level: "CAN_USE" }] },
      "access_control_list[0].group_name must be a string.",
    ],
    [
      { access_control_list: [{ user_name: "a", permission_level: "CAN_VIEW" }] },
      'Invalid permission level "CAN_VIEW" in access_control_list[0]; use one of CAN_USE, CAN_MANAGE.',
    ],
  ])("permissions %j -> 400", async (body, message) => {
    expectError(await h.call("PATCH", `${P}/db1`, body), 400, "INVALID_PARAMETER_VALUE", message);
  });

  it("permissions: PATCH merges, PUT replaces; CAN_USE lets the other user read but not manage", async () => {
    const patched = await h.call("PATCH", `${P}/db1`, {
      access_control_list: [{ user_name: "other@example.com", permission_level: "CAN_USE" }],
    });
    expect(patched.status, patched.text).toBe(200);
    expect((await h.call("GET", `${I}/db1`, undefined, OTHER)).status).toBe(200);
    expectError(
      await h.call("DELETE", `${I}/db1`, undefined, OTHER),
      403,
      "PERMISSION_DENIED",
      "User other@example.com does not have CAN_MANAGE permission on database instance 'db1' (has CAN_USE).",
    );
    const replaced = await h.call("PUT", `${P}/db1`, {
      access_control_list: [{ group_name: "admins", permission_level: "CAN_MANAGE" }],
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(JSON.stringify(replaced.json)).not.toContain("other@example.com");
    expect((await h.call("GET", `${I}/db1`, undefined, OTHER)).status).toBe(403);
  });

  it.each([
    [{ instance_names: "db1" }, "instance_names must be a list of strings."],
    [{ instance_names: [1] }, "instance_names must be a list of strings."],
    [{}, "At least one of instance_names or claims is required."],
    [{ instance_names: [], claims: [] }, "At least one of instance_names or claims is required."],
  ])("database credentials %j -> 400", async (body, message) => {
    expectError(
      await h.call("POST", "/api/2.0/database/credentials", body),
      400,
      "INVALID_PARAMETER_VALUE",
      message,
    );
  });

  const EP = "projects/db1/branches/main/endpoints/primary";
  it.each([
    [{}, "endpoint must be a resource name projects/{project}/branches/{branch}/endpoints/{endpoint}."],
    [
      { endpoint: "db1" },
      "endpoint must be a resource name projects/{project}/branches/{branch}/endpoints/{endpoint}.",
    ],
    [{ endpoint: EP, ttl: "60s" }, 'ttl must be between 300s and 3600s, got "60s".'],
    [{ endpoint: EP, ttl: "3601s" }, 'ttl must be between 300s and 3600s, got "3601s".'],
    [{ endpoint: EP, ttl: 600 }, "ttl must be between 300s and 3600s, got 600."],
  ])("postgres credentials %j -> 400", async (body, message) => {
    expectError(
      await h.call("POST", "/api/2.0/postgres/credentials", body),
      400,
      "INVALID_PARAMETER_VALUE",
      message,
    );
  });

  it("postgres credentials: a valid ttl sets the expiry; other users need CAN_USE on the project's instance", async () => {
    const before = Date.now();
    const res = await h.call("POST", "/api/2.0/postgres/credentials", { endpoint: EP, ttl: "600s" });
    expect(res.status, res.text).toBe(200);
    const expires = Date.parse(String(dig(res.json, "expire_time")));
    expect(expires - before).toBeGreaterThanOrEqual(599_000);
    expect(expires - before).toBeLessThanOrEqual(601_000 + (Date.now() - before));
    expectError(
      await h.call("POST", "/api/2.0/postgres/credentials", { endpoint: EP }, OTHER),
      403,
      "PERMISSION_DENIED",
      "User other@example.com does not have CAN_USE permission on database instance 'db1' (has no permission).",
    );
    expect((await h.call("DELETE", `${I}/db1`)).status).toBe(200);
  });
});
