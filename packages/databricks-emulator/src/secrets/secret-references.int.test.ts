/**
 * Trust boundary 1 (issue 14): an endpoint config may only reference secrets its creator can READ, checked when
 * the config is written and again at query time (fail closed when the permission is gone). The provider is a
 * recording upstream, so the tests see whether a secret value actually left the emulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import { type RecordingUpstream, startRecordingUpstream } from "../../test-support/recording-upstream.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const ALICE = "alice@example.com";
const hi = { messages: [{ role: "user", content: "hi" }] };

describe("secret references in endpoint configs", () => {
  let emu: EmulatorHandle;
  let upstream: RecordingUpstream;
  let alice: { url: string; token: string };

  const external = (scope: string) => ({
    name: "gpt-4o-mini",
    provider: "openai",
    task: "llm/v1/chat",
    openai_config: { openai_api_key: `{{secrets/${scope}/key}}`, openai_api_base: `${upstream.url}/v1` },
  });
  const createAs = (who: { url: string; token: string }, name: string, scope: string) =>
    call(who, "POST", "/api/2.0/serving-endpoints", {
      name,
      config: { served_entities: [{ external_model: external(scope) }] },
    });
  const denied = (scope: string) => ({
    error_code: "PERMISSION_DENIED",
    message: `${ALICE} does not have READ permission on scope ${scope} to perform this action.`,
  });

  beforeAll(async () => {
    upstream = await startRecordingUpstream();
    emu = await startEmulator({ transitionMs: 0, users: [{ userName: ALICE }] });
    alice = { url: emu.url, token: emu.users[0]!.token };
    for (const scope of ["admin-scope", "shared"]) {
      expect((await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope })).status).toBe(200);
      await call(emu, "POST", "/api/2.0/secrets/put", { scope, key: "key", string_value: `sk-${scope}` });
    }
    await call(emu, "POST", "/api/2.0/secrets/acls/put", {
      scope: "shared",
      principal: ALICE,
      permission: "READ",
    });
  });
  afterAll(async () => {
    await emu?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });

  it("refuses a create that references a scope the creator cannot READ (the direct secrets/get agrees)", async () => {
    const res = await createAs(alice, "steal", "admin-scope");
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject(denied("admin-scope"));
    expect((await call(emu, "GET", "/api/2.0/serving-endpoints/steal")).status).toBe(404);
    const direct = await call(alice, "GET", "/api/2.0/secrets/get?scope=admin-scope&key=key");
    expect(direct.status).toBe(403);
  });

  it("refuses a config update that swaps in such a reference", async () => {
    expect((await createAs(alice, "mine", "shared")).status).toBe(200);
    const res = await call(alice, "PUT", "/api/2.0/serving-endpoints/mine/config", {
      served_entities: [{ external_model: external("admin-scope") }],
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject(denied("admin-scope"));
    const ep = await call(emu, "GET", "/api/2.0/serving-endpoints/mine");
    expect(JSON.stringify(ep.json)).not.toContain("admin-scope");
  });

  it("resolves at query time only while the creator still holds READ", async () => {
    expect((await createAs(alice, "revoked", "shared")).status).toBe(200);
    const ok = await call(emu, "POST", "/serving-endpoints/revoked/invocations", hi);
    expect(ok.status, ok.text).toBe(200);
    expect(upstream.requests[0]?.headers.authorization).toBe("Bearer sk-shared");

    await call(emu, "POST", "/api/2.0/secrets/acls/delete", { scope: "shared", principal: ALICE });
    upstream.requests.length = 0;
    const res = await call(emu, "POST", "/serving-endpoints/revoked/invocations", hi);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject(denied("shared"));
    expect(upstream.requests).toHaveLength(0);
    await call(emu, "POST", "/api/2.0/secrets/acls/put", {
      scope: "shared",
      principal: ALICE,
      permission: "READ",
    });
  });

  it("fails closed for a scope created after the reference was written", async () => {
    expect((await createAs(alice, "early", "later-scope")).status).toBe(200);
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "later-scope" });
    await call(emu, "POST", "/api/2.0/secrets/put", {
      scope: "later-scope",
      key: "key",
      string_value: "sk-late",
    });
    const res = await call(emu, "POST", "/serving-endpoints/early/invocations", hi);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject(denied("later-scope"));
    expect(upstream.requests).toHaveLength(0);
  });

  it("lets an admin-created endpoint use an admin scope", async () => {
    expect((await createAs(emu, "admins", "admin-scope")).status).toBe(200);
    const res = await call(alice, "POST", "/serving-endpoints/admins/invocations", hi);
    // Alice cannot query an endpoint she has no ACL on; the admin can, and the admin's secret is used.
    expect(res.status).toBe(403);
    const ok = await call(emu, "POST", "/serving-endpoints/admins/invocations", hi);
    expect(ok.status, ok.text).toBe(200);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe("Bearer sk-admin-scope");
  });
});
