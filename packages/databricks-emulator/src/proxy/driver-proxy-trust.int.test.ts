/**
 * Trust boundary 3 (issue 14): the driver proxy forwards only to the allowed driver ports (the seed's
 * [3000, 8000] by default), never to the emulator's own port, and only for principals with CAN_ATTACH_TO on the
 * cluster; a forbidden port and a closed one answer alike.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli } from "../../test-support/cli-bin.js";
import { call } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

// The CLI runs as the built bin (test-support/cli-bin.ts): dist/ made current first, which may mean a build.
beforeAll(() => {
  builtCli();
}, 180_000);

const BOB = "bob@example.com";
const CAROL = "carol@example.com";

const listen = async (port: number): Promise<Server | undefined> => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('"app"');
  });
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
};
const freePort = async (): Promise<number> => {
  const s = (await listen(0))!;
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
};
const close = (s: Server | undefined) => new Promise((r) => (s ? s.close(r) : r(undefined)));
/** The body without the per-request id, which differs between any two answers. */
const stable = (json: Record<string, unknown>) => ({ error_code: json.error_code, message: json.message });

describe("driver proxy with the default port range [3000, 8000]", () => {
  let emu: EmulatorHandle;
  let outside: Server;
  let inside: Server | undefined;
  let insidePort = 0;
  beforeAll(async () => {
    emu = await startEmulator({
      users: [{ userName: BOB }, { userName: CAROL }],
      clusterAccess: [{ principal: BOB }],
    });
    outside = (await listen(0))!;
    // An app in the allowed range; a port in use by something else is skipped over.
    for (let p = 7000 + Math.floor(Math.random() * 900); !inside && p <= 8000; p++) {
      inside = await listen(p);
      insidePort = p;
    }
  });
  afterAll(async () => {
    await emu?.close();
    await close(outside);
    await close(inside);
  });
  const proxy = (port: number, token = emu.token, cluster = emu.defaultClusterId) =>
    call({ url: emu.url, token }, "POST", `/driver-proxy-api/o/0/${cluster}/${port}/`, {});

  it("forwards to an app on an allowed port", async () => {
    expect(inside, "a free port in [7000, 8000]").toBeDefined();
    const res = await proxy(insidePort);
    expect(res.status).toBe(200);
    expect(res.text).toBe('"app"');
  });

  it("answers a listening app outside the range exactly like a closed port inside it", async () => {
    const open = (outside.address() as AddressInfo).port;
    let closedInside = 3000;
    while (closedInside === insidePort) closedInside++;
    const forbidden = await proxy(open);
    const refused = await proxy(closedInside);
    expect(forbidden.status).toBe(502);
    expect(refused.status).toBe(502);
    const text = (port: number) =>
      `No app is reachable on port ${port} of the driver of cluster ${emu.defaultClusterId}. Serve it on a port in [3000, 8000] on 0.0.0.0 (127.0.0.1 on the emulator).`;
    expect(stable(forbidden.json)).toEqual({ error_code: "BAD_GATEWAY", message: text(open) });
    expect(stable(refused.json)).toEqual({ error_code: "BAD_GATEWAY", message: text(closedInside) });
    expect(forbidden.headers.get("content-type")).toBe(refused.headers.get("content-type"));
  });

  it("never forwards to the emulator itself (its admin API stays out of reach)", async () => {
    const self = await startEmulator({ faults: true, driverProxyPorts: [1, 65535] });
    try {
      const res = await call(
        self,
        "POST",
        `/driver-proxy-api/o/0/${self.defaultClusterId}/${self.port}/__emulator/tokens/expire`,
        {},
      );
      expect(res.status).toBe(502);
      expect(String(res.json.message)).toContain(`No app is reachable on port ${self.port}`);
      // The admin token still works: nothing was expired.
      expect((await call(self, "GET", "/api/2.0/serving-endpoints")).status).toBe(200);
    } finally {
      await self.close();
    }
  });

  it("requires CAN_ATTACH_TO: granted principals pass, others get 403 before any port is tried", async () => {
    const bob = emu.users.find((u) => u.userName === BOB)!.token;
    const carol = emu.users.find((u) => u.userName === CAROL)!.token;
    expect((await proxy(insidePort, bob)).status).toBe(200);
    const denied = await proxy(insidePort, carol);
    expect(denied.status).toBe(403);
    expect(stable(denied.json)).toEqual({
      error_code: "PERMISSION_DENIED",
      message: `User ${CAROL} does not have CAN_ATTACH_TO permission on cluster ${emu.defaultClusterId}.`,
    });
    // The same 403 whatever the port: no probing without the permission either.
    expect((await proxy(await freePort(), carol)).status).toBe(403);
  });

  it("manages cluster ACLs through /api/2.0/permissions/clusters/{id}", async () => {
    const carol = emu.users.find((u) => u.userName === CAROL)!.token;
    const path = `/api/2.0/permissions/clusters/${emu.defaultClusterId}`;
    // Carol can neither read nor grant herself the ACL.
    expect((await call({ url: emu.url, token: carol }, "GET", path)).status).toBe(403);
    const self = await call({ url: emu.url, token: carol }, "PATCH", path, {
      access_control_list: [{ user_name: CAROL, permission_level: "CAN_ATTACH_TO" }],
    });
    expect(self.status).toBe(403);
    const granted = await call(emu, "PATCH", path, {
      access_control_list: [{ user_name: CAROL, permission_level: "CAN_ATTACH_TO" }],
    });
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({
      object_id: `/clusters/${emu.defaultClusterId}`,
      object_type: "cluster",
      access_control_list: expect.arrayContaining([
        { user_name: BOB, all_permissions: [{ permission_level: "CAN_ATTACH_TO", inherited: false }] },
        { user_name: CAROL, all_permissions: [{ permission_level: "CAN_ATTACH_TO", inherited: false }] },
      ]),
    });
    expect((await proxy(insidePort, carol)).status).toBe(200);
    const bad = await call(emu, "PUT", path, {
      access_control_list: [{ user_name: CAROL, permission_level: "CAN_QUERY" }],
    });
    expect(bad.status).toBe(400);
    // PUT replaces: Carol (and Bob) lose access.
    expect((await call(emu, "PUT", path, { access_control_list: [] })).status).toBe(200);
    expect((await proxy(insidePort, carol)).status).toBe(403);
  });

  it("lists a cluster's permission levels to any caller; an unknown cluster is a 400", async () => {
    const carol = { url: emu.url, token: emu.users.find((u) => u.userName === CAROL)!.token };
    const levels = await call(
      carol,
      "GET",
      `/api/2.0/permissions/clusters/${emu.defaultClusterId}/permissionLevels`,
    );
    expect(levels.status).toBe(200);
    expect(
      (levels.json as { permission_levels: { permission_level: string }[] }).permission_levels.map(
        (l) => l.permission_level,
      ),
    ).toEqual(["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"]);
    const unknown = await call(emu, "GET", "/api/2.0/permissions/clusters/0000-000000-nosuch");
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Cluster 0000-000000-nosuch does not exist.",
    });
  });

  it("answers a bad percent-escape in the cluster id with the 400 envelope", async () => {
    const res = await call(emu, "POST", `/driver-proxy-api/o/0/%E0%A4%A/${insidePort}/`, {});
    expect(res.status).toBe(400);
    expect(stable(res.json)).toEqual({
      error_code: "BAD_REQUEST",
      message: "Malformed request URL: check its percent-encoding.",
    });
  });
});

describe("driver proxy access from the CLI", () => {
  it("--cluster-access grants a --user CAN_ATTACH_TO; --driver-proxy-ports widens the range", {
    timeout: 60_000,
  }, async () => {
    const app = (await listen(0))!;
    const appPort = (app.address() as AddressInfo).port;
    const child = spawn(
      process.execPath,
      [
        builtCli(),
        "start",
        "--port",
        "0",
        "--no-foundation-models",
        "--user",
        `${BOB}:dapi-bob-cli`,
        "--user",
        `${CAROL}:dapi-carol-cli`,
        "--cluster-access",
        BOB,
        "--driver-proxy-ports",
        "1024-65535",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const m = /DATABRICKS_HOST=(\S+)/.exec(out);
          if (m && out.includes("OpenAI-compatible local base:")) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`CLI exited (${String(code)}): ${out}`)));
      });
      const path = `/driver-proxy-api/o/0/0000-000000-emulator/${appPort}/`;
      const bob = await call({ url, token: "dapi-bob-cli" }, "POST", path, {});
      expect(bob.status).toBe(200);
      expect(bob.text).toBe('"app"');
      const carol = await call({ url, token: "dapi-carol-cli" }, "POST", path, {});
      expect(carol.status).toBe(403);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      await close(app);
    }
  });
});

describe("cluster ACLs with --data-dir", () => {
  it("survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-cluster-acl-"));
    const opts = {
      dataDir: dir,
      users: [{ userName: CAROL, token: "dapi-carol-acl" }],
      foundationModels: false as const,
    };
    let emu = await startEmulator(opts);
    try {
      const path = `/api/2.0/permissions/clusters/${emu.defaultClusterId}`;
      const acl = [{ user_name: CAROL, permission_level: "CAN_ATTACH_TO" }];
      expect((await call(emu, "PATCH", path, { access_control_list: acl })).status).toBe(200);
      await emu.close();
      emu = await startEmulator(opts);
      const back = await call({ url: emu.url, token: "dapi-carol-acl" }, "GET", path);
      expect(back.status).toBe(200);
      expect(back.json.access_control_list).toContainEqual({
        user_name: CAROL,
        all_permissions: [{ permission_level: "CAN_ATTACH_TO", inherited: false }],
      });
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
