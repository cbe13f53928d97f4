/**
 * The loopback OpenAI-compatible route (`emu.openaiApiBase`) that lets external-model endpoints run offline,
 * here its Responses API, which `/serving-endpoints/responses` proxies to for llm/v1/chat external endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, sseData } from "../../test-support/client.js";
import { externalEndpoint } from "../../test-support/conformance.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

describe("external llm/v1/chat endpoints on /serving-endpoints/responses, offline", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ transitionMs: 0 });
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "s" });
    await call(emu, "POST", "/api/2.0/secrets/put", { scope: "s", key: "k", string_value: "sk-local" });
    const res = await call(emu, "POST", "/api/2.0/serving-endpoints", externalEndpoint(emu, "gpt"));
    expect(res.status, res.text).toBe(200);
  });
  afterAll(() => emu?.close());

  it("answers a Responses object served by the built-in Responses engine through the loopback route", async () => {
    const res = await call(emu, "POST", "/serving-endpoints/responses", {
      model: "gpt",
      input: [{ role: "user", content: 'say "offline works"' }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.object).toBe("response");
    expect(res.json.model).toBe("gpt-4o-mini");
    const output = res.json.output as { type: string; content: { type: string; text: string }[] }[];
    expect(output[0]?.type).toBe("message");
    expect(output[0]?.content[0]).toMatchObject({ type: "output_text", text: "offline works" });
    expect(res.headers.get("served-model-name")).toBe("gpt-4o-mini");
  });

  it("streams Responses events as data: lines ending with [DONE]", async () => {
    const res = await call(emu, "POST", "/serving-endpoints/responses", {
      model: "gpt",
      input: "hi",
      stream: true,
    });
    expect(res.status).toBe(200);
    const data = sseData(res.text);
    expect(data.at(-1)).toBe("[DONE]");
    const types = data.slice(0, -1).map((d) => (JSON.parse(d) as { type: string }).type);
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("serves /local-openai/v1/responses directly with an OpenAI-style key", async () => {
    const res = await call(
      emu,
      "POST",
      "/local-openai/v1/responses",
      { model: "x", input: "hi" },
      { token: "sk-any" },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.object).toBe("response");
  });
});
