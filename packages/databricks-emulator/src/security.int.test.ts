import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, customEndpointBody } from "../test-support/client.js";
import type { EmulatorHandle } from "./options.js";
import { startEmulator } from "./server.js";

// Emulator security properties of issue 8: auth everywhere but discovery, permissions and secret ACLs enforced,
// plaintext credentials never echoed, bounded bodies, loopback by default.

let emu: EmulatorHandle;
const tokenOf = (name: string) => emu.users.find((u) => u.userName === name)!.token;
const PLAINTEXT_KEY = "sk-PLAINTEXT-NEVER-ECHO-9d8c7b";

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    transitionMs: 0,
    models: { "cat.sec.m": { predict: (records) => records } },
    users: [
      { userName: "none@x" },
      { userName: "querier@x" },
      { userName: "manager@x" },
      { userName: "reader@x" },
    ],
  });
});
afterAll(async () => {
  await emu?.close();
});

const ROUTES: Array<[string, string]> = [
  ["GET", "/api/2.0/serving-endpoints"],
  ["POST", "/api/2.0/serving-endpoints"],
  ["GET", "/api/2.0/serving-endpoints/e"],
  ["DELETE", "/api/2.0/serving-endpoints/e"],
  ["PUT", "/api/2.0/serving-endpoints/e/config"],
  ["PUT", "/api/2.0/serving-endpoints/e/ai-gateway"],
  ["PUT", "/api/2.0/serving-endpoints/e/rate-limits"],
  ["PATCH", "/api/2.0/serving-endpoints/e/tags"],
  ["PATCH", "/api/2.0/serving-endpoints/e/notifications"],
  ["GET", "/api/2.0/serving-endpoints/e/openapi"],
  ["GET", "/api/2.0/serving-endpoints/e/metrics"],
  ["GET", "/api/2.0/serving-endpoints/e/served-models/m/logs"],
  ["GET", "/api/2.0/serving-endpoints/e/served-models/m/build-logs"],
  ["GET", "/api/2.0/permissions/serving-endpoints/id1"],
  ["PUT", "/api/2.0/permissions/serving-endpoints/id1"],
  ["PATCH", "/api/2.0/permissions/serving-endpoints/id1"],
  ["GET", "/api/2.0/permissions/serving-endpoints/id1/permissionLevels"],
  ["POST", "/serving-endpoints/e/invocations"],
  ["POST", "/serving-endpoints/e/served-models/m/invocations"],
  ["POST", "/serving-endpoints/chat/completions"],
  ["POST", "/serving-endpoints/completions"],
  ["POST", "/serving-endpoints/embeddings"],
  ["POST", "/serving-endpoints/responses"],
  ["POST", "/api/2.0/secrets/scopes/create"],
  ["GET", "/api/2.0/secrets/scopes/list"],
  ["POST", "/api/2.0/secrets/scopes/delete"],
  ["POST", "/api/2.0/secrets/put"],
  ["POST", "/api/2.0/secrets/delete"],
  ["GET", "/api/2.0/secrets/list?scope=s"],
  ["GET", "/api/2.0/secrets/get?scope=s&key=k"],
  ["POST", "/api/2.0/secrets/acls/put"],
  ["POST", "/api/2.0/secrets/acls/delete"],
  ["GET", "/api/2.0/secrets/acls/get?scope=s&principal=p"],
  ["GET", "/api/2.0/secrets/acls/list?scope=s"],
  ["GET", "/api/2.0/preview/scim/v2/Me"],
  ["GET", "/driver-proxy-api/o/0/0000-000000-emulator/8000/"],
  ["POST", "/local-openai/v1/chat/completions"],
  ["GET", "/local-openai/v1/models"],
];

describe("emulator security", () => {
  it("every route but discovery/token requires credentials (no token, a bad token)", async () => {
    const statuses: Record<string, number[]> = {};
    for (const [method, path] of ROUTES) {
      const body = method === "GET" || method === "DELETE" ? undefined : {};
      const none = await call(emu, method, path, body, { token: null });
      const bad = await call(emu, method, path, body, { token: "dapi-not-a-real-token-000" });
      statuses[`${method} ${path}`] = [none.status, bad.status];
      expect([401, 403], `${method} ${path} without a token`).toContain(none.status);
      // The local OpenAI stand-in takes any non-empty key, like a provider would; it still refuses none at all.
      if (!path.startsWith("/local-openai/")) {
        expect([401, 403], `${method} ${path} with a bad token`).toContain(bad.status);
      }
    }
    console.log(`[figures] ${ROUTES.length} routes x 2 unauthenticated variants refused`);
    for (const path of [
      "/.well-known/databricks-config",
      "/oidc/.well-known/oauth-authorization-server",
      "/oidc/.well-known/openid-configuration",
    ]) {
      expect((await call(emu, "GET", path, undefined, { token: null })).status).toBe(200);
    }
  });

  it("CAN_QUERY / CAN_MANAGE are enforced on endpoints", async () => {
    const created = await call(
      emu,
      "POST",
      "/api/2.0/serving-endpoints",
      customEndpointBody("sec-ep", "cat.sec.m"),
    );
    expect(created.status).toBe(200);
    const id = String(created.json.id);
    const grant = await call(emu, "PATCH", `/api/2.0/permissions/serving-endpoints/${id}`, {
      access_control_list: [
        { user_name: "querier@x", permission_level: "CAN_QUERY" },
        { user_name: "manager@x", permission_level: "CAN_MANAGE" },
      ],
    });
    expect(grant.status).toBe(200);
    const invoke = (token: string) =>
      call(
        emu,
        "POST",
        "/serving-endpoints/sec-ep/invocations",
        { dataframe_records: [{ a: 1 }] },
        { token },
      );
    const update = (token: string) =>
      call(
        emu,
        "PATCH",
        "/api/2.0/serving-endpoints/sec-ep/tags",
        { add_tags: [{ key: "k", value: "v" }] },
        { token },
      );
    expect((await invoke(tokenOf("none@x"))).status).toBe(403);
    expect((await invoke(tokenOf("querier@x"))).status).toBe(200);
    expect((await update(tokenOf("querier@x"))).status).toBe(403);
    expect((await update(tokenOf("manager@x"))).status).toBe(200);
    expect(
      (
        await call(emu, "DELETE", "/api/2.0/serving-endpoints/sec-ep", undefined, {
          token: tokenOf("querier@x"),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          emu,
          "PATCH",
          `/api/2.0/permissions/serving-endpoints/${id}`,
          { access_control_list: [] },
          { token: tokenOf("querier@x") },
        )
      ).status,
    ).toBe(403);
  });

  it("secret ACLs (READ / WRITE / MANAGE) are enforced and values are never listed", async () => {
    expect((await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "sec" })).status).toBe(200);
    expect(
      (
        await call(emu, "POST", "/api/2.0/secrets/put", {
          scope: "sec",
          key: "k",
          string_value: "TOPSECRET-1",
        })
      ).status,
    ).toBe(200);
    await call(emu, "POST", "/api/2.0/secrets/acls/put", {
      scope: "sec",
      principal: "reader@x",
      permission: "READ",
    });
    const as = (u: string) => ({ token: tokenOf(u) });
    expect(
      (await call(emu, "GET", "/api/2.0/secrets/get?scope=sec&key=k", undefined, as("none@x"))).status,
    ).toBe(403);
    expect(
      (await call(emu, "GET", "/api/2.0/secrets/get?scope=sec&key=k", undefined, as("reader@x"))).status,
    ).toBe(200);
    expect(
      (
        await call(
          emu,
          "POST",
          "/api/2.0/secrets/put",
          { scope: "sec", key: "k", string_value: "x" },
          as("reader@x"),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          emu,
          "POST",
          "/api/2.0/secrets/acls/put",
          { scope: "sec", principal: "none@x", permission: "MANAGE" },
          as("reader@x"),
        )
      ).status,
    ).toBe(403);
    const listed = await call(emu, "GET", "/api/2.0/secrets/list?scope=sec");
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain("TOPSECRET-1");
    expect(listed.text).not.toContain(Buffer.from("TOPSECRET-1").toString("base64"));
  });

  it("plaintext provider credentials are used but never echoed (create, get, list, config update, openapi)", async () => {
    const body = {
      name: "ext-sec",
      config: {
        served_entities: [
          {
            name: "gpt",
            external_model: {
              name: "gpt-4o-mini",
              provider: "openai",
              task: "llm/v1/chat",
              openai_config: { openai_api_key_plaintext: PLAINTEXT_KEY, openai_api_base: emu.openaiApiBase },
            },
          },
        ],
      },
    };
    const texts = [
      (await call(emu, "POST", "/api/2.0/serving-endpoints", body)).text,
      (await call(emu, "GET", "/api/2.0/serving-endpoints/ext-sec")).text,
      (await call(emu, "GET", "/api/2.0/serving-endpoints")).text,
      (await call(emu, "PUT", "/api/2.0/serving-endpoints/ext-sec/config", body.config)).text,
      (await call(emu, "GET", "/api/2.0/serving-endpoints/ext-sec/openapi")).text,
    ];
    for (const t of texts) expect(t).not.toContain(PLAINTEXT_KEY);
    const q = await call(emu, "POST", "/serving-endpoints/ext-sec/invocations", {
      messages: [{ role: "user", content: "hi" }],
    });
    expect(q.status).toBe(200); // the key was usable
    expect(q.text).not.toContain(PLAINTEXT_KEY);
  });

  it("request bodies are bounded: over the limit is a 413 envelope, not a crash", async () => {
    const small = await startEmulator({ port: 0, bodyLimit: 1024 });
    try {
      const big = await call(small, "POST", "/api/2.0/secrets/scopes/create", undefined, {
        raw: JSON.stringify({ scope: "x".repeat(4096) }),
      });
      expect(big.status).toBe(413);
      expect(big.json.error_code).toBeDefined();
      expect((await call(small, "GET", "/api/2.0/serving-endpoints")).status).toBe(200); // still serving
    } finally {
      await small.close();
    }
    // Default limit: 16 MiB.
    const huge = await call(emu, "POST", "/api/2.0/secrets/put", undefined, {
      raw: JSON.stringify({ scope: "sec", key: "big", string_value: "x".repeat(17 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });

  it("binds loopback by default: reachable on 127.0.0.1, refused on the machine's other addresses", async () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    if (external) {
      const e = await fetch(`http://${external}:${emu.port}/.well-known/databricks-config`, {
        signal: AbortSignal.timeout(2_000),
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
    }
  });
});
