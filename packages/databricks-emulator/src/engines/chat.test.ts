import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { jsonBody, streamEvents } from "../../test-support/engines.js";
import { runChat } from "./chat.js";
import type { EngineModel } from "./contract.js";
import { countTokens } from "./tokenizer.js";

const llama: EngineModel = { modelName: "meta-llama-3.3-70b-instruct", task: "llm/v1/chat", family: "llama" };
const claude: EngineModel = {
  modelName: "claude-sonnet-4-5",
  task: "llm/v1/chat",
  family: "claude",
  reasoning: true,
};
const gpt: EngineModel = { modelName: "gpt-oss-120b", task: "llm/v1/chat", family: "gpt", reasoning: true };

type Choice = {
  index: number;
  message: { role: string; content: unknown; tool_calls?: ToolCallOut[] };
  finish_reason: string;
};
type ToolCallOut = { id: string; type: string; function: { name: string; arguments: string } };
type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

const chat = (body: Record<string, unknown>, model = llama) => {
  const b = jsonBody(runChat(body, model, "invocations"));
  return { body: b, choices: b.choices as Choice[], usage: b.usage as Usage };
};
const ask = (content: string, extra: Record<string, unknown> = {}, model = llama) =>
  chat({ messages: [{ role: "user", content }], ...extra }, model);

const weatherParams = {
  type: "object",
  properties: {
    location: { type: "string", description: "City name" },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["location"],
  additionalProperties: false,
};
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather for a location",
    parameters: weatherParams,
  },
};
const addTool = {
  type: "function",
  function: {
    name: "add",
    description: "Add two numbers",
    parameters: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
      required: ["a", "b"],
    },
  },
};

describe("chat completion shape", () => {
  it("answers a greeting with a chat.completion and tokenizer-counted usage", () => {
    const { body, choices, usage } = ask("hello");
    expect(body.object).toBe("chat.completion");
    expect(body.id).toMatch(/^chatcmpl_[0-9a-f-]{36}$/);
    expect(String(body.created)).toMatch(/^\d{10}$/);
    expect(body.model).toBe(llama.modelName);
    expect(choices[0]?.message).toEqual({ role: "assistant", content: "Hello! How can I help you today?" });
    expect(choices[0]?.finish_reason).toBe("stop");
    expect(usage.completion_tokens).toBe(countTokens("Hello! How can I help you today?"));
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it("echoes other user text deterministically", () => {
    const a = ask("What is Delta Lake?").choices[0]?.message.content;
    expect(a).toContain("What is Delta Lake?");
    expect(ask("What is Delta Lake?").choices[0]?.message.content).toBe(a);
  });

  it("counts longer prompts as more prompt tokens", () => {
    expect(ask("word ".repeat(50)).usage.prompt_tokens).toBeGreaterThan(ask("word").usage.prompt_tokens + 40);
  });

  it("cuts the reply before the first stop sequence", () => {
    const { choices } = ask('say "alpha beta. gamma"', { stop: [".", "gamma"] });
    expect(choices[0]?.message.content).toBe("alpha beta");
    expect(choices[0]?.finish_reason).toBe("stop");
  });

  it("respects max_tokens with finish_reason length", () => {
    const { choices, usage } = ask("count to 100", { max_tokens: 7 });
    expect(usage.completion_tokens).toBe(7);
    expect(countTokens(choices[0]?.message.content as string)).toBe(7);
    expect(choices[0]?.finish_reason).toBe("length");
  });

  it("returns n choices and sums their usage", () => {
    const one = ask("hello").usage.completion_tokens;
    const { choices, usage } = ask("hello", { n: 3 });
    expect(choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(usage.completion_tokens).toBe(3 * one);
  });

  it("produces long replies on request (N words, or 'long' up to max_tokens)", () => {
    const text = ask("write 500 words about lakes").choices[0]?.message.content as string;
    expect(text.split(" ")).toHaveLength(500);
    const long = ask("tell me a long story", { max_tokens: 300 });
    expect(long.usage.completion_tokens).toBe(300);
    expect(long.choices[0]?.finish_reason).toBe("length");
  });
});

describe("tools", () => {
  const ajv = new Ajv({ strict: false, logger: false });

  it("calls the required tool with arguments valid against its schema", () => {
    const tools = [
      { type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } },
    ];
    const { choices } = ask("do it", { tools, tool_choice: "required" });
    const call = choices[0]?.message.tool_calls?.[0];
    expect(choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(call?.type).toBe("function");
    expect(call?.function.name).toBe("f");
    expect(JSON.parse(call?.function.arguments ?? "")).toEqual({});
  });

  it("fills a location from the user text", () => {
    const { choices } = ask("What's the weather like in Paris today?", { tools: [weatherTool, addTool] });
    const calls = choices[0]?.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0]?.function.name).toBe("get_weather");
    const args = JSON.parse(calls[0]?.function.arguments ?? "");
    expect(args.location).toBe("Paris");
    expect(ajv.validate(weatherParams, args)).toBe(true);
  });

  it("takes numbers from the text in order", () => {
    const { choices } = ask("Please add 3 and 4.5", { tools: [weatherTool, addTool], tool_choice: "auto" });
    const calls = choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => c.function.name)).toEqual(["add"]);
    expect(JSON.parse(calls[0]?.function.arguments ?? "")).toEqual({ a: 3, b: 4.5 });
  });

  it("makes parallel calls to the same tool for several places", () => {
    const { choices } = ask("What is the weather in Paris and in London?", { tools: [weatherTool] });
    const calls = choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => JSON.parse(c.function.arguments).location)).toEqual(["Paris", "London"]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("makes one call only when parallel_tool_calls is false", () => {
    const { choices } = ask("What is the weather in Paris and in London?", {
      tools: [weatherTool],
      parallel_tool_calls: false,
    });
    expect(choices[0]?.message.tool_calls).toHaveLength(1);
  });

  it("honours a named tool_choice and 'none'", () => {
    const named = { type: "function", function: { name: "add" } };
    const { choices } = ask("weather in Rome", { tools: [weatherTool, addTool], tool_choice: named });
    expect(choices[0]?.message.tool_calls?.map((c) => c.function.name)).toEqual(["add"]);
    const none = ask("weather in Rome", { tools: [weatherTool], tool_choice: "none" });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
    expect(none.choices[0]?.finish_reason).toBe("stop");
  });

  it("answers small talk in text under tool_choice auto", () => {
    const { choices } = ask("hello", { tools: [weatherTool] });
    expect(choices[0]?.message.content).toBe("Hello! How can I help you today?");
  });

  it("answers in text from tool results", () => {
    const { choices } = chat({
      tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temp_c": 21}' },
      ],
    });
    expect(choices[0]?.finish_reason).toBe("stop");
    expect(choices[0]?.message.content).toBe(
      'Based on the tool results: get_weather returned {"temp_c": 21}.',
    );
  });

  it("generates arguments valid against richer schemas", () => {
    const parameters = {
      type: "object",
      properties: {
        query: { type: "string", minLength: 3, maxLength: 40 },
        limit: { type: "integer", minimum: 1, maximum: 10 },
        tags: {
          type: "array",
          items: { type: "string", enum: ["a", "b", "c"] },
          minItems: 2,
          uniqueItems: true,
        },
        filter: { $ref: "#/$defs/filter" },
        when: { type: "string", format: "date" },
        code: { type: "string", pattern: "^[A-Z]{3}$" },
        flag: { anyOf: [{ type: "null" }, { type: "boolean" }] },
      },
      required: ["query", "limit", "tags", "filter", "when", "code", "flag"],
      $defs: {
        filter: {
          type: "object",
          properties: { min: { type: "number", exclusiveMinimum: 0 } },
          required: ["min"],
        },
      },
    };
    const tools = [
      { type: "function", function: { name: "search_docs", description: "Search documents", parameters } },
    ];
    const { choices } = ask("search the docs for unity catalog, 50 results", { tools });
    const args = JSON.parse(choices[0]?.message.tool_calls?.[0]?.function.arguments ?? "");
    const valid = ajv.validate(parameters, args);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(args.limit).toBe(10);
  });
});

describe("response_format", () => {
  it("json_object yields a JSON object string", () => {
    const content = ask("hello", { response_format: { type: "json_object" } }).choices[0]?.message
      .content as string;
    const parsed = JSON.parse(content);
    expect(typeof parsed).toBe("object");
    expect(Array.isArray(parsed)).toBe(false);
  });

  it("json_schema output validates against the schema", () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        population: { type: "integer", minimum: 0 },
        landmarks: { type: "array", items: { type: "string" } },
        kind: { type: "string", enum: ["capital", "town"] },
      },
      required: ["city", "population", "landmarks", "kind"],
      additionalProperties: false,
    };
    const content = ask("Describe Paris, a capital of 2100000 people", {
      response_format: { type: "json_schema", json_schema: { name: "city", schema, strict: true } },
    }).choices[0]?.message.content as string;
    const value = JSON.parse(content);
    expect(new Ajv().validate(schema, value)).toBe(true);
    expect(value).toMatchObject({ city: "Paris", population: 2100000, kind: "capital" });
  });
});

describe("reasoning", () => {
  const thinking = { type: "enabled", budget_tokens: 2048 };

  it("Claude returns a reasoning block then text when thinking is enabled", () => {
    const content = ask("why is the sky blue", { thinking }, claude).choices[0]?.message.content as Record<
      string,
      unknown
    >[];
    expect(content).toHaveLength(2);
    expect(content[0]?.type).toBe("reasoning");
    const summary = (content[0]!.summary as Record<string, unknown>[])[0];
    expect(summary?.type).toBe("summary_text");
    expect(typeof summary?.text).toBe("string");
    expect(typeof summary?.signature).toBe("string");
    expect(content[1]).toEqual({ type: "text", text: expect.stringContaining("why is the sky blue") });
  });

  it("Claude answers with plain text when not asked to think", () => {
    expect(typeof ask("hello", {}, claude).choices[0]?.message.content).toBe("string");
  });

  it("accepts reasoning blocks sent back in assistant messages", () => {
    const first = ask("why is the sky blue", { thinking }, claude).choices[0]?.message;
    const { choices } = chat(
      {
        thinking,
        messages: [
          { role: "user", content: "why is the sky blue" },
          first,
          { role: "user", content: "hello" },
        ],
      },
      claude,
    );
    expect((choices[0]!.message.content as Record<string, unknown>[])[1]?.text).toBe(
      "Hello! How can I help you today?",
    );
  });
});

describe("streaming", () => {
  const stream = (body: Record<string, unknown>, model = llama) =>
    streamEvents(runChat(body, model, "invocations"));
  type Chunk = {
    id: string;
    created: number;
    object: string;
    choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[];
    usage?: Usage;
  };

  it("emits FMAPI chunks: shared id, role first, word deltas, finish_reason last, running usage on every chunk", () => {
    const full = ask("What is MLflow?");
    const chunks = stream({
      messages: [{ role: "user", content: "What is MLflow?" }],
      stream: true,
    }) as unknown as Chunk[];
    expect(chunks.length).toBeGreaterThan(5);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(full.choices[0]?.message.content);
    expect(chunks.slice(0, -1).every((c) => c.choices[0]?.finish_reason === null)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    const completion = chunks.map((c) => c.usage?.completion_tokens ?? -1);
    expect(completion.every((n, i) => n >= 0 && (i === 0 || n >= (completion[i - 1] as number)))).toBe(true);
    expect(chunks.at(-1)?.usage).toEqual(full.usage);
  });

  it("streams tool calls: id/type/name first, then argument fragments with id null", () => {
    const chunks = stream({
      messages: [{ role: "user", content: "weather in Paris and in London" }],
      tools: [weatherTool],
      stream: true,
    }) as unknown as Chunk[];
    type TcDelta = {
      index: number;
      id: string | null;
      type?: string;
      function: { name?: string; arguments: string };
    };
    const deltas = chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as TcDelta[] | undefined) ?? []);
    const byIndex = new Map<number, { id: string; name: string; args: string }>();
    for (const d of deltas) {
      const cur = byIndex.get(d.index);
      if (!cur) {
        expect(d.id).toMatch(/^call_/);
        expect(d.type).toBe("function");
        byIndex.set(d.index, {
          id: d.id as string,
          name: d.function.name as string,
          args: d.function.arguments,
        });
      } else {
        expect(d.id).toBeNull();
        cur.args += d.function.arguments;
      }
    }
    expect([...byIndex.values()].map((c) => JSON.parse(c.args).location)).toEqual(["Paris", "London"]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("GPT family: no per-chunk usage; one final usage chunk with empty choices when include_usage", () => {
    const body = { messages: [{ role: "user", content: "hello" }], stream: true };
    const plain = stream(body, gpt) as unknown as Chunk[];
    expect(plain.every((c) => c.usage === undefined)).toBe(true);
    const withUsage = stream({ ...body, stream_options: { include_usage: true } }, gpt) as unknown as Chunk[];
    const last = withUsage.at(-1) as Chunk;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBe(
      (last.usage?.prompt_tokens ?? 0) + (last.usage?.completion_tokens ?? 0),
    );
    expect(withUsage.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
  });

  it("streams Claude reasoning as list-content deltas before the text", () => {
    const chunks = stream(
      {
        messages: [{ role: "user", content: "hello" }],
        stream: true,
        thinking: { type: "enabled", budget_tokens: 2048 },
      },
      claude,
    ) as unknown as Chunk[];
    const firstText = chunks.findIndex(
      (c) => typeof c.choices[0]?.delta.content === "string" && c.choices[0]?.delta.content !== "",
    );
    const reasoning = chunks.filter((c) => Array.isArray(c.choices[0]?.delta.content));
    expect(reasoning.length).toBeGreaterThan(1);
    expect(chunks.indexOf(reasoning.at(-1) as Chunk)).toBeLessThan(firstText);
  });

  it("streams a long reply in many chunks (throughput benchmarks)", () => {
    const chunks = stream({
      messages: [{ role: "user", content: "write 2000 words" }],
      stream: true,
    }) as unknown as Chunk[];
    expect(chunks.length).toBe(2001);
  });
});
