import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { call, customEndpointBody, type Target } from "../../test-support/client.js";
import { useTempDirs } from "../../test-support/temp-dirs.js";
import { startEmulator } from "../server.js";

const tempDir = useTempDirs("dbx-emu-");

const SP = { clientId: "sp1", clientSecret: "sp1-secret" };

describe("durability", () => {
  it("reloads endpoints, secrets, ACLs, permissions, principals, OAuth tokens and the admin token", async () => {
    const dataDir = tempDir();
    const first = await startEmulator({
      dataDir,
      transitionMs: 0,
      servicePrincipals: [SP],
      users: [{ userName: "u@x" }],
    });
    const form = `grant_type=client_credentials&scope=all-apis&client_id=${SP.clientId}&client_secret=${SP.clientSecret}`;
    const tok = await call(first, "POST", "/oidc/v1/token", undefined, {
      token: null,
      raw: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const created = await call(first, "POST", "/api/2.0/serving-endpoints", customEndpointBody("ep1"));
    await call(first, "PATCH", "/api/2.0/serving-endpoints/ep1/tags", {
      add_tags: [{ key: "team", value: "ml" }],
    });
    await call(first, "PATCH", `/api/2.0/permissions/serving-endpoints/${String(created.json.id)}`, {
      access_control_list: [{ user_name: "u@x", permission_level: "CAN_QUERY" }],
    });
    await call(first, "POST", "/api/2.0/secrets/scopes/create", { scope: "s" });
    await call(first, "POST", "/api/2.0/secrets/put", { scope: "s", key: "k", string_value: "v" });
    await call(first, "POST", "/api/2.0/secrets/acls/put", {
      scope: "s",
      principal: "g",
      permission: "READ",
    });
    first.registerCluster("1111-222222-persistd");
    const workspaceId = first.workspaceId;
    const adminToken = first.token;
    await first.close();

    // No options this time: everything comes from the data dir.
    const second = await startEmulator({ dataDir, transitionMs: 0 });
    try {
      expect(second.token).toBe(adminToken);
      expect(second.workspaceId).toBe(workspaceId);
      const ep = await call(second, "GET", "/api/2.0/serving-endpoints/ep1");
      expect(ep.json).toMatchObject({ id: created.json.id, tags: [{ key: "team", value: "ml" }] });
      const perms = await call(
        second,
        "GET",
        `/api/2.0/permissions/serving-endpoints/${String(created.json.id)}`,
      );
      expect(perms.text).toContain("u@x");
      expect((await call(second, "GET", "/api/2.0/secrets/get?scope=s&key=k")).json.value).toBe("dg==");
      expect(
        (await call(second, "GET", "/api/2.0/secrets/acls/get?scope=s&principal=g")).json.permission,
      ).toBe("READ");
      const viaOAuth = await call(second, "GET", "/api/2.0/serving-endpoints", undefined, {
        token: String(tok.json.access_token),
      });
      expect(viaOAuth.status).toBe(200);
      const user = second.users.find((u) => u.userName === "u@x");
      expect(
        (await call(second, "GET", "/api/2.0/preview/scim/v2/Me", undefined, { token: user?.token })).status,
      ).toBe(200);
      expect(readdirSync(dataDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it("survives kill -9 right after acknowledged mutations", async () => {
    const dataDir = tempDir();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("../../test-support/fixtures/persist-child.ts", import.meta.url)),
        dataDir,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const target = await new Promise<Target>((resolve, reject) => {
        let buf = "";
        child.stdout.on("data", (c: Buffer) => {
          buf += c.toString();
          const nl = buf.indexOf("\n");
          if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as Target);
        });
        child.once("exit", (code) => reject(new Error(`child exited early (${String(code)})`)));
      });
      for (let i = 0; i < 5; i++) {
        const res = await call(target, "POST", "/api/2.0/serving-endpoints", customEndpointBody(`ep${i}`));
        expect(res.status).toBe(200);
      }
      await call(target, "POST", "/api/2.0/secrets/scopes/create", { scope: "after-kill" });
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const again = await startEmulator({ dataDir });
      try {
        const list = await call(again, "GET", "/api/2.0/serving-endpoints");
        const names = (list.json.endpoints as { name: string }[]).map((e) => e.name);
        for (let i = 0; i < 5; i++) expect(names).toContain(`ep${i}`);
        const scopes = await call(again, "GET", "/api/2.0/secrets/scopes/list");
        expect(scopes.json.scopes).toEqual([{ name: "after-kill", backend_type: "DATABRICKS" }]);
      } finally {
        await again.close();
      }
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
