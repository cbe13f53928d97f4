import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { jsonBody, streamEvents } from "../../test-support/engines.js";
import { parseArithmetic } from "./arithmetic.js";
import { runChat } from "./chat.js";
import type { EngineModel } from "./contract.js";
import { runResponses } from "./responses.js";
import { exprText } from "./turn-plan.js";

const llama: EngineModel = { modelName: "llama", task: "llm/v1/chat", family: "llama" };
const agent: EngineModel = { modelName: "responses-agent", task: "agent/v1/responses", family: "agent" };
type Msg = Record<string, unknown>;
type Call = { id: string; type: string; function: { name: string; arguments: string } };

const twoNumbers = (a = "a", b = "b") => ({
  type: "object",
  properties: { [a]: { type: "number" }, [b]: { type: "number" } },
  required: [a, b],
});
const fn = (name: string, description: string, parameters: unknown = twoNumbers()) => ({
  type: "function",
  function: { name, description, parameters },
});
const ARITH = [
  fn("add", "Add two numbers"),
  fn("subtract", "Subtract b from a"),
  fn("multiply", "Multiply two numbers"),
  fn("divide", "Divide a by b"),
];
const OPS: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
};

const chat = (body: Record<string, unknown>) => jsonBody(runChat(body, llama, "openai"));
const message = (body: Record<string, unknown>) =>
  ((chat(body).choices as Msg[])[0] as Msg).message as { content: string | null; tool_calls?: Call[] };

/** Runs the agent loop the way createAgent does: execute each call, send the results back, until an answer. */
const loop = (question: string, extra: Record<string, unknown> = {}, maxTurns = 8) => {
  const messages: Msg[] = [{ role: "user", content: question }];
  const turns: Call[][] = [];
  for (let t = 0; t < maxTurns; t++) {
    const m = message({ messages, tools: ARITH, ...extra });
    if (!m.tool_calls) return { answer: m.content as string, turns };
    turns.push(m.tool_calls);
    messages.push({ role: "assistant", content: null, tool_calls: m.tool_calls });
    for (const c of m.tool_calls) {
      const args = JSON.parse(c.function.arguments);
      const op = OPS[c.function.name] as (a: number, b: number) => number;
      messages.push({ role: "tool", tool_call_id: c.id, content: String(op(args.a, args.b)) });
    }
  }
  throw new Error("the model never answered");
};

const callsOf = (turn: Call[]) =>
  turn.map(
    (c) => `${c.function.name}(${JSON.parse(c.function.arguments).a},${JSON.parse(c.function.arguments).b})`,
  );

describe("multi-turn tool planning (chat)", () => {
  it("(3 + 4) * 5: calls add, then multiply with add's result, then answers 35", () => {
    const { answer, turns } = loop("What is (3 + 4) * 5?");
    expect(turns.map(callsOf)).toEqual([["add(3,4)"], ["multiply(7,5)"]]);
    expect(answer).toContain("35");
    expect(answer).toBe("The answer is 35 (add(3, 4) = 7, then multiply(7, 5) = 35).");
  });

  it("-(2 + 3) * 4: a negated group is subtract(0, group), then multiply; a negative number is an operand", () => {
    const { answer, turns } = loop("What is -(2 + 3) * 4?");
    expect(turns.map(callsOf)).toEqual([["add(2,3)"], ["subtract(0,5)"], ["multiply(-5,4)"]]);
    expect(answer).toMatch(/^The answer is -20 /);
    expect(loop("What is 2 * -3?").turns.map(callsOf)).toEqual([["multiply(2,-3)"]]);
  });

  it("respects precedence and runs independent operations in parallel", () => {
    const { answer, turns } = loop("Compute 2 * 3 + 10 / 4 - 1");
    expect(turns.map(callsOf)).toEqual([
      ["multiply(2,3)", "divide(10,4)"],
      ["add(6,2.5)"],
      ["subtract(8.5,1)"],
    ]);
    expect(answer).toMatch(/^The answer is 7\.5 /);
  });

  it("with parallel_tool_calls false makes one call per turn", () => {
    const { answer, turns } = loop("what is 2 * 3 + 10 / 4", { parallel_tool_calls: false });
    expect(turns.map(callsOf)).toEqual([["multiply(2,3)"], ["divide(10,4)"], ["add(6,2.5)"]]);
    expect(answer).toContain("8.5");
  });

  it("uses the tool's result, not its own arithmetic (a tool that lies is believed)", () => {
    const messages: Msg[] = [{ role: "user", content: "What is (3 + 4) * 5?" }];
    const first = message({ messages, tools: ARITH });
    const call = (first.tool_calls as Call[])[0] as Call;
    messages.push(
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: call.id, content: "10" },
    );
    const second = message({ messages, tools: ARITH });
    expect(JSON.parse(((second.tool_calls as Call[])[0] as Call).function.arguments)).toEqual({
      a: 10,
      b: 5,
    });
  });

  it("understands operator words and computes an operation it has no tool for", () => {
    const tools = [fn("add", "Add two numbers")];
    const messages: Msg[] = [{ role: "user", content: "what is 6 times 7 plus 8?" }];
    const first = message({ messages, tools });
    const call = (first.tool_calls as Call[])[0] as Call;
    expect(JSON.parse(call.function.arguments)).toEqual({ a: 42, b: 8 });
    messages.push(
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: call.id, content: "50" },
    );
    expect(message({ messages, tools }).content).toBe("The answer is 50 (add(42, 8) = 50).");
  });

  it("tool_choice none answers from its own arithmetic without calling", () => {
    const m = message({
      messages: [{ role: "user", content: "What is (3 + 4) * 5?" }],
      tools: ARITH,
      tool_choice: "none",
    });
    expect(m.tool_calls).toBeUndefined();
    expect(m.content).toBe("The answer is 35.");
  });

  it("tool_choice required keeps calling after the plan is done: a tool not used yet (e.g. a structured-output tool)", () => {
    const extract = fn("final_answer", "Record the final answer", {
      type: "object",
      properties: { result: { type: "number" }, unit: { type: "string", enum: ["none", "meters"] } },
      required: ["result", "unit"],
    });
    const tools = [...ARITH, extract];
    const messages: Msg[] = [{ role: "user", content: "What is (3 + 4) * 5?" }];
    const names: string[] = [];
    for (let t = 0; t < 3; t++) {
      const m = message({ messages, tools, tool_choice: "required" });
      const calls = m.tool_calls as Call[];
      expect(calls.length).toBeGreaterThan(0);
      names.push(...calls.map((c) => c.function.name));
      messages.push({ role: "assistant", content: null, tool_calls: calls });
      for (const c of calls) {
        if (c.function.name === "final_answer") {
          expect(JSON.parse(c.function.arguments)).toEqual({ result: 35, unit: "none" });
          continue;
        }
        const args = JSON.parse(c.function.arguments);
        messages.push({
          role: "tool",
          tool_call_id: c.id,
          content: String((OPS[c.function.name] as (a: number, b: number) => number)(args.a, args.b)),
        });
      }
    }
    expect(names).toEqual(["add", "multiply", "final_answer"]);
  });

  it("tool_choice required calls a tool even for small talk; a named choice (both shapes) calls that tool", () => {
    const tools = [
      fn("get_weather", "Weather for a city", {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
      }),
      ...ARITH,
    ];
    expect(message({ messages: [{ role: "user", content: "hello" }], tools }).tool_calls).toBeUndefined();
    expect(
      (
        message({ messages: [{ role: "user", content: "hello" }], tools, tool_choice: "required" })
          .tool_calls as Call[]
      ).length,
    ).toBe(1);
    for (const choice of [
      { type: "function", function: { name: "multiply" } },
      { type: "function", name: "multiply" },
    ]) {
      const m = message({
        messages: [{ role: "user", content: "weather in Paris" }],
        tools,
        tool_choice: choice,
      });
      expect((m.tool_calls as Call[]).map((c) => c.function.name)).toEqual(["multiply"]);
    }
  });

  it("after tool results a named tool_choice still forces that tool (as the real API does)", () => {
    const tools = [
      fn("get_weather", "Weather for a city", {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
      }),
    ];
    const choice = { type: "function", function: { name: "get_weather" } };
    const first = message({
      messages: [{ role: "user", content: "weather in Paris" }],
      tools,
      tool_choice: choice,
    });
    const call = (first.tool_calls as Call[])[0] as Call;
    const again = message({
      messages: [
        { role: "user", content: "weather in Paris" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
      tools,
      tool_choice: choice,
    });
    expect((again.tool_calls as Call[])[0]?.function.name).toBe("get_weather");
  });

  it("sequential steps ('then') feed an earlier result into a later call's arguments", () => {
    const tools = [
      fn("find_user", "Find a user id by name", {
        type: "object",
        properties: { name: { type: "string" } },
        required: ["name"],
      }),
      fn("list_orders", "List orders of a user id", {
        type: "object",
        properties: { user_id: { type: "integer" } },
        required: ["user_id"],
      }),
    ];
    const messages: Msg[] = [
      { role: "user", content: 'Find the user "alice", then list orders for that user' },
    ];
    const first = message({ messages, tools });
    const c1 = (first.tool_calls as Call[])[0] as Call;
    expect([c1.function.name, JSON.parse(c1.function.arguments)]).toEqual(["find_user", { name: "alice" }]);
    messages.push(
      { role: "assistant", content: null, tool_calls: [c1] },
      { role: "tool", tool_call_id: c1.id, content: '{"user_id": 42}' },
    );
    const second = message({ messages, tools });
    const c2 = (second.tool_calls as Call[])[0] as Call;
    expect([c2.function.name, JSON.parse(c2.function.arguments)]).toEqual(["list_orders", { user_id: 42 }]);
    messages.push(
      { role: "assistant", content: null, tool_calls: [c2] },
      { role: "tool", tool_call_id: c2.id, content: "order-1, order-2" },
    );
    expect(message({ messages, tools }).content).toBe(
      'Based on the tool results: find_user returned {"user_id": 42}; list_orders returned order-1, order-2.',
    );
  });

  it("structured output (json_schema) after tools carries the result", () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "integer" } },
      required: ["answer"],
      additionalProperties: false,
    };
    const messages: Msg[] = [{ role: "user", content: "What is (3 + 4) * 5?" }];
    for (let t = 0; t < 2; t++) {
      const m = message({ messages, tools: ARITH });
      messages.push({ role: "assistant", content: null, tool_calls: m.tool_calls });
      for (const c of m.tool_calls as Call[]) {
        const a = JSON.parse(c.function.arguments);
        messages.push({
          role: "tool",
          tool_call_id: c.id,
          content: String((OPS[c.function.name] as (a: number, b: number) => number)(a.a, a.b)),
        });
      }
    }
    const out = message({
      messages,
      tools: ARITH,
      response_format: { type: "json_schema", json_schema: { name: "r", schema } },
    });
    expect(JSON.parse(out.content as string)).toEqual({ answer: 35 });
  });

  it("streams the multi-turn calls too", () => {
    const events = streamEvents(
      runChat(
        { messages: [{ role: "user", content: "What is (3 + 4) * 5?" }], tools: ARITH, stream: true },
        llama,
        "openai",
      ),
    );
    const names = events
      .flatMap((e) => (((e.choices as Msg[])[0]?.delta as Msg | undefined)?.tool_calls as Msg[]) ?? [])
      .map((t) => (t.function as Msg).name)
      .filter(Boolean);
    expect(names).toEqual(["add"]);
  });
});

describe("multi-turn tool planning (Responses)", () => {
  it("(3 + 4) * 5 through function_call / function_call_output items", () => {
    const tools = ARITH.map((t) => ({ type: "function", ...t.function }));
    const input: Msg[] = [{ role: "user", content: "What is (3 + 4) * 5?" }];
    const seen: string[] = [];
    for (let t = 0; t < 4; t++) {
      const body = jsonBody(runResponses({ input, tools }, agent, "openai"));
      const out = body.output as Msg[];
      const calls = out.filter((i) => i.type === "function_call");
      if (calls.length === 0) {
        const text = (((out[0] as Msg).content as Msg[])[0] as Msg).text;
        expect(text).toBe("The answer is 35 (add(3, 4) = 7, then multiply(7, 5) = 35).");
        expect(seen).toEqual(["add", "multiply"]);
        return;
      }
      for (const c of calls) {
        seen.push(c.name as string);
        const a = JSON.parse(c.arguments as string);
        input.push({ type: "function_call", call_id: c.call_id, name: c.name, arguments: c.arguments });
        input.push({
          type: "function_call_output",
          call_id: c.call_id,
          output: String((OPS[c.name as string] as (a: number, b: number) => number)(a.a, a.b)),
        });
      }
    }
    throw new Error("no answer");
  });
});

describe("arithmetic parsing", () => {
  it.each([
    ["What is (3 + 4) * 5?", 35],
    ["2+3*4", 14],
    ["10 divided by 4", 2.5],
    ["what's 6 x 7", 42],
    ["(1 + 2) * (3 + 4) - 5", 16],
  ])("%s", (text, value) => {
    const e = parseArithmetic(text);
    const ev = (x: NonNullable<typeof e>): number =>
      x.kind === "num"
        ? x.value
        : (
            OPS[{ add: "add", sub: "subtract", mul: "multiply", div: "divide" }[x.op]] as (
              a: number,
              b: number,
            ) => number
          )(ev(x.left), ev(x.right));
    expect(e && ev(e)).toBe(value);
  });

  it("ignores text without an operation, dates, phone numbers and ranges", () => {
    expect(parseArithmetic("count to 5")).toBeUndefined();
    expect(parseArithmetic("weather in Paris on 2024-01-15")).toBeUndefined();
    expect(parseArithmetic("call 555-1234 about 1/2/2024")).toBeUndefined();
    expect(parseArithmetic("it takes 3-4 days")).toBeUndefined();
    expect(parseArithmetic("what is 10 - 4")).toEqual({
      kind: "op",
      op: "sub",
      left: { kind: "num", value: 10 },
      right: { kind: "num", value: 4 },
    });
    expect(parseArithmetic("weather in Paris")).toBeUndefined();
  });
});

it("tool arguments always validate (ajv) across the loop", () => {
  const ajv = new Ajv();
  const { turns } = loop("(1 + 2) * (3 + 4) - 5");
  for (const turn of turns)
    for (const c of turn) expect(ajv.validate(twoNumbers(), JSON.parse(c.function.arguments))).toBe(true);
  expect(turns.map(callsOf)).toEqual([["add(1,2)", "add(3,4)"], ["multiply(3,7)"], ["subtract(21,5)"]]);
});

it("a request mixing a lookup and arithmetic runs both steps and answers with every result", () => {
  const tools = [
    fn("get_weather", "Get the current weather for a city", {
      type: "object",
      properties: { location: { type: "string" } },
      required: ["location"],
    }),
    fn("add_numbers", "Add two numbers and return the sum"),
  ];
  const messages: Msg[] = [
    { role: "user", content: "What is the weather in Paris, then compute the sum of 3 plus 4" },
  ];
  const names: string[] = [];
  for (let t = 0; t < 4; t++) {
    const m = message({ messages, tools });
    if (!m.tool_calls) {
      expect(m.content).toBe(
        "Based on the tool results: get_weather returned sunny in Paris; add_numbers returned 7. The answer is 7.",
      );
      expect(names).toEqual(["get_weather", "add_numbers"]);
      return;
    }
    messages.push({ role: "assistant", content: null, tool_calls: m.tool_calls });
    for (const c of m.tool_calls) {
      names.push(c.function.name);
      const a = JSON.parse(c.function.arguments);
      const content = c.function.name === "get_weather" ? `sunny in ${a.location}` : String(a.a + a.b);
      messages.push({ role: "tool", tool_call_id: c.id, content });
    }
  }
  throw new Error("no answer");
});

it("a calculator-like tool gets the whole expression once, and the answer uses its result", () => {
  const tools = [
    fn("calculator", "Evaluate a math expression", {
      type: "object",
      properties: { expression: { type: "string" } },
      required: ["expression"],
    }),
  ];
  const messages: Msg[] = [{ role: "user", content: "What is (3 + 4) * 5 - 10 / 2?" }];
  const first = message({ messages, tools });
  const call = (first.tool_calls as Call[])[0] as Call;
  expect(JSON.parse(call.function.arguments)).toEqual({ expression: "(3 + 4) * 5 - 10 / 2" });
  messages.push(
    { role: "assistant", content: null, tool_calls: [call] },
    { role: "tool", tool_call_id: call.id, content: '{"result": 30}' },
  );
  expect(message({ messages, tools }).content).toBe(
    'The answer is 30 (calculator("(3 + 4) * 5 - 10 / 2") = 30).',
  );
});

it("exprText keeps the parentheses precedence needs", () => {
  for (const text of ["(3 + 4) * 5", "10 - (2 - 1)", "8 / (4 / 2)", "2 * 3 + 4", "1 - 2 - 3"]) {
    const e = parseArithmetic(text);
    expect(e && exprText(e)).toBe(text);
  }
});

it("without arithmetic tools the model computes the result itself: in the answer and in a forced structured call", () => {
  const weather = fn("get_weather", "Weather for a city", {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  });
  expect(message({ messages: [{ role: "user", content: "What is 6 * 7?" }], tools: [weather] }).content).toBe(
    "The answer is 42.",
  );
  const extract = fn("extract", "Extract the answer", {
    type: "object",
    properties: { answer: { type: "number" } },
    required: ["answer"],
  });
  const m = message({
    messages: [{ role: "user", content: "What is 6 * 7?" }],
    tools: [extract],
    tool_choice: { type: "function", function: { name: "extract" } },
  });
  expect(JSON.parse(((m.tool_calls as Call[])[0] as Call).function.arguments)).toEqual({ answer: 42 });
});

it("a lookup step then arithmetic without arithmetic tools: one call, then an answer with both", () => {
  const tools = [
    fn("get_weather", "Get the current weather for a city", {
      type: "object",
      properties: { location: { type: "string" } },
      required: ["location"],
    }),
  ];
  const messages: Msg[] = [{ role: "user", content: "Get the weather in Oslo, then tell me what 2 + 3 is" }];
  const first = message({ messages, tools });
  const call = (first.tool_calls as Call[])[0] as Call;
  expect(JSON.parse(call.function.arguments)).toEqual({ location: "Oslo" });
  messages.push(
    { role: "assistant", content: null, tool_calls: [call] },
    { role: "tool", tool_call_id: call.id, content: "snow" },
  );
  expect(message({ messages, tools }).content).toBe(
    "Based on the tool results: get_weather returned snow. The answer is 5.",
  );
});
