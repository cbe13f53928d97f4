/**
 * Trust boundary 3 (issue 14): the driver proxy forwards only to the allowed driver ports (the seed's
 * [3000, 8000] by default), never to the emulator's own port, and only for principals with CAN_ATTACH_TO on the
 * cluster; a forbidden port and a closed one answer alike.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";
import { call } from "../testing/client.js";

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

  it("answers a bad percent-escape in the cluster id with the 400 envelope", async () => {
    const res = await call(emu, "POST", `/driver-proxy-api/o/0/%E0%A4%A/${insidePort}/`, {});
    expect(res.status).toBe(400);
    expect(stable(res.json)).toEqual({
      error_code: "BAD_REQUEST",
      message: "Malformed request URL: check its percent-encoding.",
    });
  });
});
