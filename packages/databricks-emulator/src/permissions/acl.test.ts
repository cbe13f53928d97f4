import { describe, expect, it } from "vitest";
import { apiError } from "../../test-support/engines.js";
import type { Identity } from "../auth/identity.js";
import {
  type AclEntry,
  aclLevel,
  applyAcl,
  atLeast,
  mergeAcl,
  parseAcl,
  renderGrant,
  renderObjectPermissions,
  renderPermissionLevels,
} from "./acl.js";

type Level = "CAN_READ" | "CAN_WRITE" | "CAN_MANAGE";
const LEVELS: Level[] = ["CAN_READ", "CAN_WRITE", "CAN_MANAGE"];
const RANK: Record<Level, number> = { CAN_READ: 1, CAN_WRITE: 2, CAN_MANAGE: 3 };

const user = (name: string, groups: string[] = []): Identity => ({
  name,
  kind: "user",
  displayName: name,
  groups,
  admin: false,
});

describe("parseAcl", () => {
  it("reads one principal kind and a level per entry", () => {
    expect(
      parseAcl(
        [
          { user_name: "a@x.com", permission_level: "CAN_READ" },
          { group_name: "g", permission_level: "CAN_MANAGE" },
          { service_principal_name: "sp", permission_level: "CAN_WRITE" },
        ],
        LEVELS,
      ),
    ).toEqual([
      { kind: "user_name", principal: "a@x.com", level: "CAN_READ" },
      { kind: "group_name", principal: "g", level: "CAN_MANAGE" },
      { kind: "service_principal_name", principal: "sp", level: "CAN_WRITE" },
    ]);
  });

  it("rejects bad lists with 400 INVALID_PARAMETER_VALUE and the entry's place", () => {
    const cases: [unknown, string][] = [
      [{}, "access_control_list must be a list."],
      [[1], "access_control_list[0] must be an object."],
      [
        [{ user_name: "a", group_name: "g", permission_level: "CAN_READ" }],
        "access_control_list[0] needs exactly one of user_name, group_name, service_principal_name.",
      ],
      [
        [{ permission_level: "CAN_READ" }],
        "access_control_list[0] needs exactly one of user_name, group_name, service_principal_name.",
      ],
      [
        [{ user_name: "", permission_level: "CAN_READ" }],
        "access_control_list[0].user_name must be a string.",
      ],
      [
        [{ user_name: "a", permission_level: "CAN_FLY" }],
        'Invalid permission level "CAN_FLY" in access_control_list[0]; use one of CAN_READ, CAN_WRITE, CAN_MANAGE.',
      ],
    ];
    for (const [raw, message] of cases) {
      const e = apiError(() => parseAcl(raw, LEVELS));
      expect(e.status).toBe(400);
      expect(e.errorCode).toBe("INVALID_PARAMETER_VALUE");
      expect(e.message).toBe(message);
    }
    const long = apiError(() =>
      parseAcl([{ group_name: "g".repeat(513), permission_level: "CAN_READ" }], LEVELS, {
        maxPrincipalLength: 512,
      }),
    );
    expect(long.message).toBe("access_control_list[0].group_name must be a string of 1 to 512 characters.");
    expect(parseAcl([{ group_name: "g".repeat(513), permission_level: "CAN_READ" }], LEVELS)).toHaveLength(1);
  });
});

describe("merge (PATCH) and replace (PUT)", () => {
  const a: AclEntry<Level> = { kind: "user_name", principal: "a", level: "CAN_READ" };
  const b: AclEntry<Level> = { kind: "group_name", principal: "b", level: "CAN_READ" };
  const a2: AclEntry<Level> = { kind: "user_name", principal: "a", level: "CAN_MANAGE" };
  const aGroup: AclEntry<Level> = { kind: "group_name", principal: "a", level: "CAN_WRITE" };

  it("PATCH replaces the same principal in place and keeps the others", () => {
    expect(mergeAcl([a, b], [a2, aGroup])).toEqual([a2, b, aGroup]);
    expect(applyAcl([a, b], [a2], true)).toEqual([a2, b]);
  });

  it("PUT keeps only the given entries, one per principal", () => {
    expect(applyAcl([a, b], [a, a2], false)).toEqual([a2]);
  });
});

describe("aclLevel", () => {
  const acl = [
    { kind: "user_name", principal: "u@x.com", level: "CAN_READ" },
    { kind: "group_name", principal: "writers", level: "CAN_WRITE" },
    { kind: "service_principal_name", principal: "u@x.com", level: "CAN_MANAGE" },
    { kind: "group_name", principal: "users", level: "CAN_MANAGE" },
  ] as const;

  it("takes the strongest grant naming the caller or one of its groups", () => {
    expect(aclLevel([...acl], user("u@x.com"), RANK)).toBe("CAN_READ");
    expect(aclLevel([...acl], user("u@x.com", ["writers"]), RANK)).toBe("CAN_WRITE");
    expect(aclLevel([...acl], user("nobody@x.com"), RANK)).toBeUndefined();
    const sp = {
      name: "u@x.com",
      kind: "service_principal",
      groups: [],
      admin: false,
    } as unknown as Identity;
    expect(aclLevel([...acl].slice(0, 3), sp, RANK)).toBe("CAN_MANAGE");
  });

  it("the group users matches everyone only when asked", () => {
    expect(aclLevel([...acl], user("nobody@x.com"), RANK, { allUsersGroup: true })).toBe("CAN_MANAGE");
    expect(atLeast("CAN_WRITE", "CAN_READ", RANK)).toBe(true);
    expect(atLeast("CAN_READ", "CAN_WRITE", RANK)).toBe(false);
    expect(atLeast(undefined, "CAN_READ", RANK)).toBe(false);
  });
});

describe("rendering", () => {
  it("renders direct grants, then admins inheriting CAN_MANAGE from the object root", () => {
    const grants = [
      renderGrant({ kind: "user_name", principal: "u@x.com", level: "CAN_READ" }, "U"),
      renderGrant({ kind: "group_name", principal: "g", level: "CAN_WRITE" }),
    ];
    expect(renderObjectPermissions("things", "t-1", "thing", grants)).toEqual({
      object_id: "/things/t-1",
      object_type: "thing",
      access_control_list: [
        {
          user_name: "u@x.com",
          display_name: "U",
          all_permissions: [{ permission_level: "CAN_READ", inherited: false }],
        },
        { group_name: "g", all_permissions: [{ permission_level: "CAN_WRITE", inherited: false }] },
        {
          group_name: "admins",
          all_permissions: [
            { permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: ["/things/"] },
          ],
        },
      ],
    });
    expect(renderPermissionLevels([["CAN_READ", "Can read"]])).toEqual({
      permission_levels: [{ permission_level: "CAN_READ", description: "Can read" }],
    });
  });
});
