import { AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AdderTool, weatherTool } from "../../test-support/chat-fixtures.js";
import { ChatDatabricks } from "./chat-databricks.js";
import type { ChatDatabricksInput } from "./types.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    transitionMs: 0,
    requestLog: true,
    models: {
      "main.agents.echo_agent": {
        kind: "chat-agent",
        predict: (body: unknown) => {
          const b = body as { messages: Array<{ content: string }>; custom_inputs?: unknown };
          return {
            messages: [
              { role: "assistant", content: `agent heard: ${b.messages.at(-1)?.content}`, id: "m1" },
            ],
            custom_outputs: { echoed: b.custom_inputs ?? null },
          };
        },
      },
      "main.agents.chat_model": {
        // A pyfunc chat model: MLflow's unified LLM input hands it the body and returns its answer unwrapped.
        predict: () => ({
          choices: [
            { index: 0, message: { role: "assistant", content: "custom reply" }, finish_reason: "stop" },
          ],
        }),
      },
    },
  });
  await createEndpoint("echo-agent", "main.agents.echo_agent");
  await createEndpoint("custom-chat", "main.agents.chat_model");
});
afterAll(async () => {
  await emu?.close();
});

async function createEndpoint(name: string, entity: string) {
  const res = await fetch(`${emu.url}/api/2.0/serving-endpoints`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      name,
      config: { served_entities: [{ entity_name: entity, entity_version: "1", workload_size: "Small" }] },
    }),
  });
  expect(res.status, await res.text()).toBe(200);
  for (let i = 0; i < 5; i++) {
    const ep = (await (
      await fetch(`${emu.url}/api/2.0/serving-endpoints/${name}`, {
        headers: { authorization: `Bearer ${emu.token}` },
      })
    ).json()) as { state?: { ready?: string } };
    if (ep.state?.ready === "READY") return;
    emu.admin.advanceClock(1000);
  }
  throw new Error(`endpoint ${name} not ready`);
}

const make = (model: string, extra: Partial<ChatDatabricksInput> = {}) =>
  new ChatDatabricks({ model, host: emu.url, token: emu.token, maxRetries: 0, ...extra });

async function concat(stream: AsyncIterable<AIMessageChunk>) {
  let merged: AIMessageChunk | undefined;
  for await (const c of stream) merged = merged ? merged.concat(c) : c;
  return merged as AIMessageChunk;
}

describe("ChatDatabricks against the emulator", () => {
  test("Claude reasoning comes back structured, with a signature, and replays in the next turn", async () => {
    const model = make("databricks-claude-sonnet-4-5", {
      extraParams: { thinking: { type: "enabled", budget_tokens: 1024 } },
    });
    const first = await model.invoke("What is 2 + 2?");
    expect(Array.isArray(first.content)).toBe(true);
    const blocks = first.content as Array<Record<string, unknown>>;
    const reasoning = blocks.find((b) => b.type === "reasoning") as {
      summary: Array<{ signature?: string }>;
    };
    expect(reasoning.summary[0]?.signature).toEqual(expect.any(String));
    expect(first.text.length).toBeGreaterThan(0);

    const second = await model.invoke([
      new HumanMessage("What is 2 + 2?"),
      first,
      new HumanMessage('say "done"'),
    ]);
    expect(second.text).toBe("done");

    const streamed = await concat(await model.stream("What is 2 + 2?"));
    const streamedBlocks = streamed.content as Array<Record<string, unknown>>;
    expect(streamedBlocks.filter((b) => b.type === "reasoning")).toHaveLength(1);
    expect(streamed.text.length).toBeGreaterThan(0);
  });

  test("multi-turn with tool messages on Claude (empty assistant content shim)", async () => {
    const model = make("databricks-claude-sonnet-4-5").bindTools([weatherTool()]);
    const first = await model.invoke([new HumanMessage("What is the weather in Paris?")]);
    const call = first.tool_calls![0]!;
    const final = await model.invoke([
      new HumanMessage("What is the weather in Paris?"),
      new AIMessage({ content: "", tool_calls: first.tool_calls }),
      new ToolMessage({ content: "Sunny", tool_call_id: call.id!, name: call.name }),
    ]);
    expect(final.text).toContain("get_current_weather returned Sunny");
  });

  test("Responses API on a GPT endpoint: text, tools, usage (invoke and stream)", async () => {
    const model = make("databricks-gpt-oss-120b", { useResponsesApi: true });
    const res = await model.invoke('say "hello responses"');
    expect(res.text).toBe("hello responses");
    expect(res.usage_metadata?.total_tokens).toBeGreaterThan(0);

    const tooled = model.bindTools([AdderTool()], { tool_choice: "AdderTool" });
    const called = await tooled.invoke("Add 3 and 4");
    expect(called.tool_calls?.[0]).toMatchObject({ name: "AdderTool", args: { a: 3, b: 4 } });
    const streamed = await concat(await tooled.stream("Add 3 and 4"));
    expect(streamed.tool_calls).toHaveLength(1);
    expect(streamed.usage_metadata?.total_tokens).toBeGreaterThan(0);

    const followUp = await model.bindTools([AdderTool()]).invoke([
      new HumanMessage("Add 3 and 4"),
      called,
      new ToolMessage({
        content: '{"result":7}',
        tool_call_id: called.tool_calls![0]!.id!,
        name: "AdderTool",
      }),
    ]);
    expect(followUp.text.length).toBeGreaterThan(0);
  });

  test("Responses API structured output (jsonSchema, jsonMode) is accepted by the Responses route", async () => {
    const model = make("databricks-gpt-oss-120b", { useResponsesApi: true });
    const schema = {
      title: "Person",
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" } },
      required: ["name", "age"],
    };
    const viaSchema = await model
      .withStructuredOutput(schema, { method: "jsonSchema" })
      .invoke("Alice is 30");
    expect(viaSchema).toMatchObject({ name: expect.any(String), age: expect.any(Number) });
    const viaMode = await model
      .withStructuredOutput(schema, { method: "jsonMode" })
      .invoke("Alice is 30, answer in JSON");
    expect(typeof viaMode).toBe("object");
  });

  test("n = 2 against the emulator: two generations from invoke, two choices in the stream", async () => {
    const model = make("databricks-meta-llama-3-3-70b-instruct", { n: 2 });
    const gens = (await model.generate([["Say hi"]])).generations[0]!;
    expect(gens).toHaveLength(2);
    const byIndex = new Map<number, AIMessageChunk>();
    for await (const c of await model.stream("Say hi")) {
      const i = c.response_metadata.index as number;
      byIndex.set(i, byIndex.get(i)?.concat(c) ?? c);
    }
    expect([...byIndex.keys()].sort()).toEqual([0, 1]);
    expect(byIndex.get(0)!.text.length).toBeGreaterThan(0);
    expect(byIndex.get(1)!.text.length).toBeGreaterThan(0);
    expect(byIndex.get(1)!.text).toBe(gens[1]!.text);
    const streamed = await make("databricks-meta-llama-3-3-70b-instruct", { n: 2, streaming: true }).generate(
      [["Say hi"]],
    );
    expect(streamed.generations[0]!.map((g) => g.text)).toEqual(gens.map((g) => g.text));
  });

  test("ChatAgent endpoint: customInputs round-trip as custom_outputs (invoke and stream)", async () => {
    const model = make("echo-agent");
    const res = await model.invoke("hi agent", { customInputs: { user_id: "u-1" } });
    expect(res.text).toBe("agent heard: hi agent");
    expect(res.response_metadata.custom_outputs).toEqual({ echoed: { user_id: "u-1" } });
    const streamed = await concat(await model.stream("hi agent", { customInputs: { user_id: "u-2" } }));
    expect(streamed.text).toContain("agent heard");
  });

  test("custom pyfunc chat endpoint works on the default route and on route: invocations", async () => {
    emu.admin.resetStats();
    expect((await make("custom-chat").invoke("hello")).text).toBe("custom reply");
    expect((await make("custom-chat", { route: "invocations" }).invoke("hello")).text).toBe("custom reply");
    const log = emu.admin.stats().log.filter((r) => r.path.startsWith("/serving-endpoints"));
    expect(log.map((r) => `${r.status} ${r.path}`)).toEqual([
      "200 /serving-endpoints/chat/completions",
      "200 /serving-endpoints/custom-chat/invocations",
    ]);
  });

  test("unknown endpoint: typed 404 error naming the endpoint, no fallback loop", async () => {
    await expect(make("no-such-endpoint").invoke("hi")).rejects.toMatchObject({ status: 404 });
  });

  test("usage is counted once when streaming a long answer (FMAPI sends running totals per chunk)", async () => {
    const model = make("databricks-meta-llama-3-3-70b-instruct");
    const streamed = await concat(await model.stream("200 words"));
    const invoked = await model.invoke("200 words");
    expect(streamed.usage_metadata?.output_tokens).toBe(invoked.usage_metadata?.output_tokens);
    expect(streamed.usage_metadata?.input_tokens).toBe(invoked.usage_metadata?.input_tokens);
  });
});
