/**
 * External-model proxying against a recording upstream (a stand-in provider on 127.0.0.1): what URL, key and
 * body actually leave the emulator, strict validation before anything is sent, and how provider errors return.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";
import { call } from "../testing/client.js";
import { type RecordingUpstream, startRecordingUpstream } from "../testing/recording-upstream.js";

const hi = { messages: [{ role: "user", content: "hi" }] };

describe("external-model proxy", () => {
  let emu: EmulatorHandle;
  let upstream: RecordingUpstream;

  const putSecret = (key: string, value: string) =>
    call(emu, "POST", "/api/2.0/secrets/put", { scope: "prov", key, string_value: value });

  const create = async (name: string, externalModel: Record<string, unknown>) => {
    const res = await call(emu, "POST", "/api/2.0/serving-endpoints", {
      name,
      config: { served_entities: [{ external_model: externalModel }] },
    });
    expect(res.status, res.text).toBe(200);
  };

  const openai = (task: string, name = "gpt-4o-mini") => ({
    name,
    provider: "openai",
    task,
    openai_config: { openai_api_key: "{{secrets/prov/openai}}", openai_api_base: `${upstream.url}/v1` },
  });

  beforeAll(async () => {
    upstream = await startRecordingUpstream();
    emu = await startEmulator({ transitionMs: 0 });
    expect((await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "prov" })).status).toBe(200);
    await putSecret("openai", "sk-first");
    await putSecret("custom", "tok-custom");
    await putSecret("header", "hdr-value");
    await create("oai-chat", openai("llm/v1/chat"));
    await create("oai-completions", openai("llm/v1/completions", "gpt-3.5-turbo-instruct"));
    await create("oai-embeddings", openai("llm/v1/embeddings", "text-embedding-3-small"));
  });
  afterAll(async () => {
    await emu?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.reply(() => ({
      body: {
        id: "chatcmpl-upstream",
        object: "chat.completion",
        created: 1_700_000_000,
        model: "gpt-4o-mini-2024-07-18",
        choices: [
          { index: 0, message: { role: "assistant", content: "from upstream" }, finish_reason: "stop" },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
    }));
  });

  describe("strict validation happens before anything is sent", () => {
    const cases: [string, string, Record<string, unknown>, RegExp][] = [
      ["chat unknown field", "oai-chat", { ...hi, inputs: 1 }, /^Bad request: json: unknown field "inputs"$/],
      ["chat temperature 3", "oai-chat", { ...hi, temperature: 3 }, /temperature/],
      ["chat without messages", "oai-chat", { temperature: 1 }, /messages/],
      [
        "tool without parameters",
        "oai-chat",
        { ...hi, tools: [{ type: "function", function: { name: "f" } }] },
        /"parameters" is a required property/,
      ],
      ["completions without prompt", "oai-completions", { max_tokens: 2 }, /prompt/],
      [
        "completions unknown field",
        "oai-completions",
        { prompt: "x", messages: [] },
        /unknown field "messages"/,
      ],
      ["embeddings unknown field", "oai-embeddings", { input: "x", inputs: 1 }, /unknown field "inputs"/],
    ];
    for (const [label, endpoint, body, message] of cases) {
      it(`${label} -> 400 BAD_REQUEST, provider not called`, async () => {
        const res = await call(emu, "POST", `/serving-endpoints/${endpoint}/invocations`, body);
        expect(res.status, res.text).toBe(400);
        expect(res.json.error_code).toBe("BAD_REQUEST");
        expect(String(res.json.message)).toMatch(message);
        expect(upstream.requests).toEqual([]);
      });
    }

    it("embeddings without input -> the FMAPI INVALID_PARAMETER_VALUE, on the OpenAI route too", async () => {
      const res = await call(emu, "POST", "/serving-endpoints/embeddings", { model: "oai-embeddings" });
      expect(res.status).toBe(400);
      expect(res.json.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(res.json.message).toBe("Missing required embeddings parameter: 'input'");
      expect(upstream.requests).toEqual([]);
    });

    it("still passes provider-specific options the engine would refuse (embedding dimensions)", async () => {
      upstream.reply(() => ({ body: { object: "list", data: [], model: "m" } }));
      const res = await call(emu, "POST", "/serving-endpoints/oai-embeddings/invocations", {
        input: "x",
        dimensions: 256,
      });
      expect(res.status, res.text).toBe(200);
      expect((upstream.requests[0]?.body as { dimensions: number }).dimensions).toBe(256);
    });
  });
});
