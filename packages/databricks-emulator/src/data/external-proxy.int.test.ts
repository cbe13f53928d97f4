/**
 * External-model proxying against a recording upstream (a stand-in provider on 127.0.0.1): what URL, key and
 * body actually leave the emulator, strict validation before anything is sent, and how provider errors return.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, sseData } from "../../test-support/client.js";
import { type RecordingUpstream, startRecordingUpstream } from "../../test-support/recording-upstream.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

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

  /** JSON body of the i-th request the provider received. */
  const sentBody = (i = 0): Record<string, unknown> => {
    const body = upstream.requests[i]?.body;
    expect(typeof body, `request ${i} recorded with a JSON body`).toBe("object");
    return body as Record<string, unknown>;
  };

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

  it("sends the body to <openai_api_base>/chat/completions with the resolved key and relays the answer", async () => {
    const res = await call(emu, "POST", "/serving-endpoints/oai-chat/invocations", {
      ...hi,
      temperature: 0.2,
      max_tokens: 7,
      extra_params: { seed_for_provider: 42 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.choices).toEqual([
      { index: 0, message: { role: "assistant", content: "from upstream" }, finish_reason: "stop" },
    ]);
    expect(res.json.id).toBe("chatcmpl-upstream");
    expect(res.headers.get("served-model-name")).toBe("gpt-4o-mini");
    expect(upstream.requests).toHaveLength(1);
    const [sent] = upstream.requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer sk-first");
    // Passthrough: the caller's fields, extra_params flattened in, model = the provider's model name.
    expect(sent?.body).toEqual({
      ...hi,
      temperature: 0.2,
      max_tokens: 7,
      seed_for_provider: 42,
      model: "gpt-4o-mini",
    });
    // The caller's Databricks token never reaches the provider.
    expect(JSON.stringify(sent?.headers)).not.toContain(emu.token);
  });

  it("resolves the secret at query time: rotating it changes the key the provider receives", async () => {
    await call(emu, "POST", "/serving-endpoints/oai-chat/invocations", hi);
    await putSecret("openai", "sk-rotated");
    await call(emu, "POST", "/serving-endpoints/chat/completions", { ...hi, model: "oai-chat" });
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer sk-first",
      "Bearer sk-rotated",
    ]);
    await putSecret("openai", "sk-first");
  });

  it("uses the task's provider path on /invocations and the route's path on the OpenAI-compatible routes", async () => {
    upstream.reply((r) => ({
      body: r.url.endsWith("/embeddings")
        ? { object: "list", data: [{ object: "embedding", index: 0, embedding: [0.5, -0.5] }], model: "m" }
        : {
            id: "cmpl-1",
            object: "text_completion",
            choices: [{ index: 0, text: "ok", finish_reason: "stop" }],
          },
    }));
    const emb = await call(emu, "POST", "/serving-endpoints/embeddings", {
      model: "oai-embeddings",
      input: ["a"],
    });
    expect(emb.status, emb.text).toBe(200);
    expect(emb.json.data).toEqual([{ object: "embedding", index: 0, embedding: [0.5, -0.5] }]);
    const cmp = await call(emu, "POST", "/serving-endpoints/oai-completions/invocations", {
      prompt: "x",
      max_tokens: 2,
    });
    expect(cmp.status, cmp.text).toBe(200);
    expect(upstream.requests.map((r) => [r.url, (r.body as { model: string }).model])).toEqual([
      ["/v1/embeddings", "text-embedding-3-small"],
      ["/v1/completions", "gpt-3.5-turbo-instruct"],
    ]);
    expect(sentBody().input).toEqual(["a"]);
  });

  it("relays a streamed answer's data: lines and honours stream_options.include_usage as sent", async () => {
    upstream.reply(() => ({
      headers: { "content-type": "text/event-stream" },
      body:
        'event: ignored\ndata: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"up"}}]}\n\n' +
        'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"total_tokens":5}}\n\ndata: [DONE]\n\n',
    }));
    const res = await call(emu, "POST", "/serving-endpoints/oai-chat/invocations", {
      ...hi,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const data = sseData(res.text);
    expect(data).toHaveLength(3);
    expect(JSON.parse(data[1] as string).usage).toEqual({ total_tokens: 5 });
    expect(data.at(-1)).toBe("[DONE]");
    expect(res.text).not.toContain("event:");
    expect(sentBody().stream_options).toEqual({
      include_usage: true,
    });
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
      expect(sentBody().dimensions).toBe(256);
    });
  });

  describe("provider: custom", () => {
    it("POSTs to custom_provider_url with bearer_token_auth resolved from its secret", async () => {
      await create("custom-bearer", {
        name: "my-model",
        provider: "custom",
        task: "llm/v1/chat",
        custom_provider_config: {
          custom_provider_url: `${upstream.url}/custom/v1/chat/completions`,
          bearer_token_auth: { token: "{{secrets/prov/custom}}" },
        },
      });
      const res = await call(emu, "POST", "/serving-endpoints/custom-bearer/invocations", { ...hi, n: 1 });
      expect(res.status, res.text).toBe(200);
      expect(res.json.id).toBe("chatcmpl-upstream");
      const [sent] = upstream.requests;
      expect(sent?.url).toBe("/custom/v1/chat/completions");
      expect(sent?.headers.authorization).toBe("Bearer tok-custom");
      expect(sent?.body).toEqual({ ...hi, n: 1, model: "my-model" });
    });

    it("sends api_key_auth as the configured header and no Authorization", async () => {
      await create("custom-header", {
        name: "my-model",
        provider: "custom",
        task: "llm/v1/chat",
        custom_provider_config: {
          custom_provider_url: `${upstream.url}/custom`,
          api_key_auth: { key: "X-Api-Key", value: "{{secrets/prov/header}}" },
        },
      });
      const res = await call(emu, "POST", "/serving-endpoints/custom-header/invocations", hi);
      expect(res.status, res.text).toBe(200);
      const [sent] = upstream.requests;
      expect(sent?.url).toBe("/custom");
      expect(sent?.headers["x-api-key"]).toBe("hdr-value");
      expect(sent?.headers.authorization).toBeUndefined();
    });
  });

  describe("provider errors come back in the spec's envelope", () => {
    const providerError = {
      error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" },
    };

    it("upstream 429 -> 429 with Retry-After and {error: 'Received error from openai', external_model_message}", async () => {
      upstream.reply(() => ({ status: 429, headers: { "retry-after": "7" }, body: providerError }));
      const res = await call(emu, "POST", "/serving-endpoints/oai-chat/invocations", hi);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(res.json).toEqual({
        error: "Received error from openai",
        external_model_message: providerError,
      });
    });

    it.each([500, 502, 503])(
      "upstream %i -> the same status, the provider's body as external_model_message",
      async (status) => {
        upstream.reply(() => ({ status, body: "upstream exploded" }));
        const res = await call(emu, "POST", "/serving-endpoints/oai-chat/invocations", hi);
        expect(res.status).toBe(status);
        expect(res.json).toEqual({
          error: "Received error from openai",
          external_model_message: "upstream exploded",
        });
      },
    );

    it("upstream 401 (bad provider key) -> 400 'Received error from openai', never the key", async () => {
      upstream.reply(() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }));
      const res = await call(emu, "POST", "/serving-endpoints/oai-chat/invocations", hi);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("Received error from openai");
      expect(res.text).not.toContain("sk-first");
    });

    it("nothing listening at openai_api_base -> 502 BAD_GATEWAY envelope", async () => {
      await create("oai-dead", {
        ...openai("llm/v1/chat"),
        openai_config: {
          openai_api_key: "{{secrets/prov/openai}}",
          openai_api_base: "http://127.0.0.1:9/v1",
        },
      });
      const res = await call(emu, "POST", "/serving-endpoints/oai-dead/invocations", hi);
      expect(res.status).toBe(502);
      expect(res.json.error_code).toBe("BAD_GATEWAY");
    });
  });
});
