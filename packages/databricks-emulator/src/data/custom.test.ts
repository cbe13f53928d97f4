import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import type { CustomModel } from "../options.js";
import { invokeAgent, invokePyfunc } from "./custom.js";

/** A pyfunc that echoes what MLflow would hand it. */
const echo: CustomModel = { predict: (records, params) => ({ records, params }) };

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return `${(e as ApiError).status} ${(e as ApiError).errorCode}: ${(e as Error).message}`;
  }
  throw new Error("expected a rejection");
}

const EXACTLY_ONE =
  "400 BAD_REQUEST: The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}.";

describe("invokePyfunc (MLflow scoring-server semantics)", () => {
  it("converts each input form to records; params pass through", async () => {
    const rec = async (body: unknown) =>
      ((await invokePyfunc(echo, body)).predictions as { records: unknown }).records;
    expect(
      await rec({
        dataframe_split: {
          columns: ["a", "b"],
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      }),
    ).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
    expect(await rec({ dataframe_split: { data: [[1, 2]] } })).toEqual([{ 0: 1, 1: 2 }]);
    expect(await rec({ dataframe_records: [{ a: 1 }] })).toEqual([{ a: 1 }]);
    expect(await rec({ instances: [1, 2] })).toEqual([1, 2]);
    expect(await rec({ inputs: [5] })).toEqual([5]);
    expect(await rec({ inputs: { a: [1, 2], b: [3, 4] } })).toEqual([
      { a: 1, b: 3 },
      { a: 2, b: 4 },
    ]);
    expect(await rec({ inputs: { a: [1], b: 2 } })).toEqual([{ a: [1], b: 2 }]);
    expect(await rec({ inputs: "text" })).toEqual(["text"]);
    expect(await invokePyfunc(echo, { instances: [1], params: { t: 1 } })).toEqual({
      predictions: { records: [1], params: { t: 1 } },
    });
  });

  it("unified LLM bodies reach the model whole; an object answer is the body, anything else is wrapped", async () => {
    expect(await invokePyfunc(echo, { prompt: "p" })).toEqual({
      records: { prompt: "p" },
      params: undefined,
    });
    expect(await invokePyfunc({ predict: () => "s" }, { messages: [] })).toEqual({ predictions: "s" });
    expect(await invokePyfunc({ predict: () => undefined }, { instances: [1] })).toEqual({
      predictions: null,
    });
  });

  it("rejects bodies that are not exactly one input field, with MLflow's wording", async () => {
    expect(await rejection(invokePyfunc(echo, [1]))).toBe(`${EXACTLY_ONE} Received a list.`);
    expect(await rejection(invokePyfunc(echo, "x"))).toBe(`${EXACTLY_ONE} Received a non-dictionary input.`);
    expect(await rejection(invokePyfunc(echo, { instances: [1], inputs: [2], params: {} }))).toBe(
      `${EXACTLY_ONE} Received dictionary with input fields: ['instances', 'inputs']`,
    );
    expect(await rejection(invokePyfunc(echo, {}))).toBe(
      `${EXACTLY_ONE} Received dictionary with input fields: []`,
    );
  });

  it("rejects malformed input fields and params", async () => {
    const bad = "400 BAD_REQUEST: Failed to parse input from JSON: ";
    expect(await rejection(invokePyfunc(echo, { instances: [1], params: [1] }))).toBe(
      `${bad}'params' must be a JSON object.`,
    );
    expect(await rejection(invokePyfunc(echo, { dataframe_split: { columns: ["a"] } }))).toBe(
      `${bad}dataframe_split needs 'columns' and 'data' lists.`,
    );
    expect(await rejection(invokePyfunc(echo, { dataframe_split: { data: [1] } }))).toBe(
      `${bad}dataframe_split.data[0] is not a list.`,
    );
    expect(await rejection(invokePyfunc(echo, { dataframe_split: { columns: ["a"], data: [[1, 2]] } }))).toBe(
      `${bad}dataframe_split.data[0] has 2 values for 1 columns.`,
    );
    expect(await rejection(invokePyfunc(echo, { dataframe_records: { a: 1 } }))).toBe(
      `${bad}dataframe_records must be a list of records.`,
    );
    expect(await rejection(invokePyfunc(echo, { instances: { a: 1 } }))).toBe(
      `${bad}instances must be a list.`,
    );
  });

  it("a model that throws is a 400 quoting its message; an ApiError it throws passes through", async () => {
    const boom: CustomModel = {
      predict: () => {
        throw new Error("shape mismatch");
      },
    };
    expect(await rejection(invokePyfunc(boom, { instances: [1] }))).toBe(
      "400 BAD_REQUEST: Encountered an unexpected error while evaluating the model. Verify that the input is compatible with the model for inference. Error 'shape mismatch'",
    );
    const typed: CustomModel = {
      predict: () => {
        throw new ApiError(503, "TEMPORARILY_UNAVAILABLE", "busy");
      },
    };
    expect(await rejection(invokePyfunc(typed, { instances: [1] }))).toBe(
      "503 TEMPORARILY_UNAVAILABLE: busy",
    );
  });
});

describe("invokeAgent", () => {
  const collect = async (events: Iterable<unknown> | AsyncIterable<unknown>) => {
    const out: unknown[] = [];
    for await (const e of events) out.push(e);
    return out;
  };

  it("answers JSON, or streams a non-streaming answer as ChatAgent deltas / Responses events", async () => {
    const chat: CustomModel = {
      kind: "chat-agent",
      predict: (_body, custom) => ({ messages: [{ role: "assistant", content: "hi", id: "m" }], custom }),
    };
    expect(await invokeAgent(chat, { messages: [], custom_inputs: { k: 1 } })).toEqual({
      kind: "json",
      body: { messages: [{ role: "assistant", content: "hi", id: "m" }], custom: { k: 1 } },
    });
    const streamed = await invokeAgent(chat, { messages: [], stream: true });
    expect(streamed.kind).toBe("stream");
    expect(await collect((streamed as { events: Iterable<unknown> }).events)).toEqual([
      { delta: { role: "assistant", content: "hi", id: "m" } },
    ]);
    const responses: CustomModel = {
      kind: "responses-agent",
      predict: () => ({ output: [{ type: "message" }] }),
    };
    const r = await invokeAgent(responses, { input: [], stream: true });
    expect(await collect((r as { events: Iterable<unknown> }).events)).toEqual([
      { type: "response.output_item.done", item: { type: "message" } },
      { type: "response.completed", response: { output: [{ type: "message" }] } },
    ]);
  });

  it("uses predictStream when streaming is asked and the agent has it", async () => {
    const agent: CustomModel = {
      kind: "chat-agent",
      predict: () => ({}),
      *predictStream() {
        yield { delta: { role: "assistant", content: "a", id: "1" } };
      },
    };
    const out = await invokeAgent(agent, { messages: [], stream: true });
    expect(await collect((out as { events: Iterable<unknown> }).events)).toEqual([
      { delta: { role: "assistant", content: "a", id: "1" } },
    ]);
  });

  it("rejects a non-object body or a non-object answer", async () => {
    const agent: CustomModel = { kind: "chat-agent", predict: () => "text" };
    expect(await rejection(invokeAgent(agent, [1]))).toBe(
      "400 BAD_REQUEST: Bad request: the request body must be a JSON object.",
    );
    expect(await rejection(invokeAgent(agent, { messages: [] }))).toMatch(
      /Error 'the agent returned a non-object response'$/,
    );
  });
});
