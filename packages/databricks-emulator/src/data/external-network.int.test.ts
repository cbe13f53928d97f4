/**
 * External models stay on the machine by default: without a provider base URL they go to the emulator's local
 * OpenAI-compatible route (so the seed's exact `create_endpoint` config runs offline), and a non-loopback
 * provider URL is refused unless the emulator was started with `allowExternalNetwork`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callEmulator,
  dig,
  expectError,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";
import { isLoopbackUrl } from "../data/external.js";
import { startEmulator } from "../index.js";

/** The seed's `client.create_endpoint(...)` config, exactly: no `openai_api_base`. */
const seedConfig = (name: string) => ({
  name,
  config: {
    served_entities: [
      {
        name: "my-chat",
        external_model: {
          name: "gpt-4",
          provider: "openai",
          task: "llm/v1/chat",
          openai_config: { openai_api_key: "{{secrets/my_openai_secret_scope/openai_api_key}}" },
        },
      },
    ],
  },
});

const withBase = (name: string, base: string) => {
  const c = seedConfig(name);
  (c.config.served_entities[0]!.external_model.openai_config as Record<string, string>).openai_api_base =
    base;
  return c;
};

const putSecret = async (h: { call: (m: string, p: string, b?: unknown) => Promise<{ status: number }> }) => {
  await h.call("POST", "/api/2.0/secrets/scopes/create", { scope: "my_openai_secret_scope" });
  const put = await h.call("POST", "/api/2.0/secrets/put", {
    scope: "my_openai_secret_scope",
    key: "openai_api_key",
    string_value: "sk-dummy",
  });
  expect(put.status).toBe(200);
};

describe("external models by default (no allowExternalNetwork)", () => {
  const h = useEmulator();
  beforeAll(() => putSecret(h));

  it("the seed's exact config answers offline through the local OpenAI-compatible route", async () => {
    expect((await h.call("POST", "/api/2.0/serving-endpoints", seedConfig("my-chat"))).status).toBe(200);
    await waitForEndpoint(h, "my-chat");
    const res = await h.call("POST", "/serving-endpoints/my-chat/invocations", {
      messages: [{ role: "user", content: "hello" }],
      temperature: 0.1,
    });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "choices", 0, "message", "content")).toBe("Hello! How can I help you today?");
    expect(dig(res.json, "model")).toBe("gpt-4");
  });

  it("a provider URL outside the machine is refused with a 400 naming --allow-external-network", async () => {
    expect(
      (await h.call("POST", "/api/2.0/serving-endpoints", withBase("far", "https://api.example.com/v1")))
        .status,
    ).toBe(200);
    await waitForEndpoint(h, "far");
    const res = await h.call("POST", "/serving-endpoints/far/invocations", {
      messages: [{ role: "user", content: "hi" }],
    });
    const body = expectError(res, 400, "INVALID_PARAMETER_VALUE");
    expect(String(body.message)).toMatch(/would call https:\/\/api\.example\.com, outside this machine/);
    expect(String(body.message)).toMatch(
      /--allow-external-network \(startEmulator\(\{ allowExternalNetwork: true \}\)\)/,
    );
    expect(res.text).not.toContain("sk-dummy");
  });
});

describe("allowExternalNetwork and defaultOpenAiApiBase", () => {
  let provider: Server;
  let providerBase = "";
  const seen: string[] = [];
  beforeAll(async () => {
    provider = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "x",
          object: "chat.completion",
          created: 1,
          model: "gpt-4",
          choices: [
            { index: 0, message: { role: "assistant", content: "from the provider" }, finish_reason: "stop" },
          ],
        }),
      );
    });
    await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
    providerBase = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => provider.close(() => r())));

  it("defaultOpenAiApiBase (CLI --external-base-url) is where configs without a base go", async () => {
    const emu = await startEmulator({ port: 0, transitionMs: 0, defaultOpenAiApiBase: providerBase });
    try {
      const h = { call: (m: string, p: string, b?: unknown) => callEmulator(emu, m, p, b) };
      await putSecret(h);
      expect((await h.call("POST", "/api/2.0/serving-endpoints", seedConfig("c"))).status).toBe(200);
      const res = await h.call("POST", "/serving-endpoints/c/invocations", {
        messages: [{ role: "user", content: "hi" }],
      });
      expect(res.status, res.text).toBe(200);
      expect(dig(res.json, "choices", 0, "message", "content")).toBe("from the provider");
      expect(seen.at(-1)).toBe("POST /v1/chat/completions Bearer sk-dummy");
    } finally {
      await emu.close();
    }
  });

  it("with allowExternalNetwork a non-loopback base is attempted (here: an unresolvable host -> 502, not the 400)", async () => {
    const emu = await startEmulator({ port: 0, transitionMs: 0, allowExternalNetwork: true });
    try {
      const h = { call: (m: string, p: string, b?: unknown) => callEmulator(emu, m, p, b) };
      await putSecret(h);
      await h.call("POST", "/api/2.0/serving-endpoints", withBase("far", "https://emulator-test.invalid/v1"));
      const res = await h.call("POST", "/serving-endpoints/far/invocations", {
        messages: [{ role: "user", content: "hi" }],
      });
      expectError(
        res,
        502,
        "BAD_GATEWAY",
        /Could not reach external model provider 'openai' at https:\/\/emulator-test\.invalid/,
      );
    } finally {
      await emu.close();
    }
  });
});

it("isLoopbackUrl: localhost, 127/8 and ::1 stay on the machine; anything else does not", () => {
  for (const u of [
    "http://localhost:1/v1",
    "http://127.0.0.1:8080/x",
    "http://127.9.9.9/",
    "http://[::1]:80/",
    "http://a.localhost/",
  ])
    expect(isLoopbackUrl(u), u).toBe(true);
  for (const u of [
    "https://api.openai.com/v1",
    "http://10.0.0.1/",
    "http://[::2]/",
    "http://127.0.0.1.nip.io/",
    "not a url",
  ])
    expect(isLoopbackUrl(u), u).toBe(false);
});
