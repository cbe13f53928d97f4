import { describe, expect, it } from "vitest";
import { DatabricksConfigError } from "../../errors.js";
import { stripStrict, toWireToolChoice, toWireTools } from "./chat-completions.js";

describe("toWireTools", () => {
  it("an OpenAI-format tool without parameters gets an empty object schema (Databricks requires one)", () => {
    expect(toWireTools([{ type: "function", function: { name: "now", description: "time" } }])).toEqual([
      {
        type: "function",
        function: { name: "now", description: "time", parameters: { type: "object", properties: {} } },
      },
    ]);
  });
});

describe("toWireToolChoice", () => {
  const tools = toWireTools([{ type: "function", function: { name: "f", parameters: { type: "object" } } }]);

  it("maps auto/none/required as is, any to required, and names (string or object forms) to the function form", () => {
    expect(["auto", "none", "required", "any"].map((c) => toWireToolChoice(c, tools))).toEqual([
      "auto",
      "none",
      "required",
      "required",
    ]);
    const named = { type: "function", function: { name: "f" } };
    expect(toWireToolChoice("f", tools)).toEqual(named);
    expect(toWireToolChoice({ type: "function", function: { name: "f" } }, tools)).toEqual(named);
    expect(toWireToolChoice({ type: "function", name: "f" } as never, tools)).toEqual(named);
    expect(toWireToolChoice(undefined, tools)).toBeUndefined();
  });

  it("an object without a name is refused with the accepted forms; a name with no tools bound lists none", () => {
    const bad = () => toWireToolChoice({ type: "function" } as never, tools);
    expect(bad).toThrow(DatabricksConfigError);
    expect(bad).toThrow(
      'Unrecognized tool_choice {"type":"function"}. Use "auto", "none", "any", "required", a tool name, or {type: "function", function: {name}}.',
    );
    expect(() => toWireToolChoice("f", undefined)).toThrow(
      'tool_choice names the tool "f", but the bound tools are: (none).',
    );
  });
});

describe("stripStrict", () => {
  it("removes strict from function tools only, leaving the rest untouched", () => {
    const other = { type: "web_search" } as never;
    expect(
      stripStrict([{ type: "function", function: { name: "f", parameters: {}, strict: true } }, other]),
    ).toEqual([{ type: "function", function: { name: "f", parameters: {} } }, other]);
  });
});
