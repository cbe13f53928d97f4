import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import { parseResponsesInput } from "./responses-input.js";

/** The 400 message `parseResponsesInput(input)` fails with (it must fail with a 400 ApiError). */
function rejection(input: unknown): string {
  try {
    parseResponsesInput(input, undefined);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    return (e as Error).message;
  }
  throw new Error("expected a rejection");
}

describe("parseResponsesInput", () => {
  it("a string is one user message, after the instructions as a system message", () => {
    expect(parseResponsesInput("hi", "be brief")).toEqual([
      { role: "system", text: "be brief", toolCalls: [] },
      { role: "user", text: "hi", toolCalls: [] },
    ]);
  });

  it("message items: roles mapped (developer -> system), text parts joined, images/refusals/files skipped", () => {
    expect(
      parseResponsesInput(
        [
          { role: "developer", content: "rules" },
          {
            type: "message",
            role: "user",
            content: [
              { type: "input_text", text: "look " },
              { type: "input_image", image_url: "u" },
              { type: "input_file", file_id: "f" },
              { type: "text", text: "here" },
            ],
          },
          {
            role: "assistant",
            content: [
              { type: "output_text", text: "ok" },
              { type: "refusal", refusal: "no" },
            ],
          },
          { type: "reasoning", summary: [] },
        ],
        undefined,
      ),
    ).toEqual([
      { role: "system", text: "rules", toolCalls: [] },
      { role: "user", text: "look here", toolCalls: [] },
      { role: "assistant", text: "ok", toolCalls: [] },
    ]);
  });

  it("consecutive function_call items are one assistant turn; outputs become tool messages (JSON when not text)", () => {
    expect(
      parseResponsesInput(
        [
          { role: "user", content: "add" },
          { type: "function_call", call_id: "c1", name: "add", arguments: '{"a":1}' },
          { type: "function_call", call_id: "c2", name: "add" },
          { type: "function_call_output", call_id: "c1", output: "1" },
          { type: "function_call_output", call_id: "c2", output: { v: 2 } },
        ],
        undefined,
      ),
    ).toEqual([
      { role: "user", text: "add", toolCalls: [] },
      {
        role: "assistant",
        text: "",
        toolCalls: [
          { id: "c1", name: "add", arguments: '{"a":1}' },
          { id: "c2", name: "add", arguments: "" },
        ],
      },
      { role: "tool", text: "1", toolCalls: [], toolCallId: "c1" },
      { role: "tool", text: '{"v":2}', toolCalls: [], toolCallId: "c2" },
    ]);
  });

  it("rejects malformed input with FMAPI's 400 wording", () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'Bad request: "input" is a required property'],
      [42, 'Bad request: json: cannot unmarshal number into field "input" of type string or array'],
      [[], 'Bad request: "input" must contain at least one item'],
      [["x"], 'Bad request: json: cannot unmarshal string into field "input[0]" of type object'],
      [
        [{ role: "user", content: "x", id: 7 }],
        'Bad request: json: cannot unmarshal number into field "input[0].id" of type string',
      ],
      [
        [{ role: "user", content: "x", id: "i".repeat(65) }],
        "Bad request: Invalid 'input[0].id': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
      ],
      [
        [{ role: "tool", content: "x" }],
        'Bad request: invalid role "tool" in input[0]; expected user, system, developer or assistant',
      ],
      [
        [{ role: "user", content: 5 }],
        'Bad request: json: cannot unmarshal number into field "input[0].content" of type string or array',
      ],
      [
        [{ role: "user", content: [null] }],
        'Bad request: json: cannot unmarshal null into field "input[0].content[0]" of type object',
      ],
      [
        [{ role: "user", content: [{ type: "input_text" }] }],
        "Bad request: input[0].content[0].text must be a string",
      ],
      [
        [{ role: "user", content: [{ type: "input_audio" }] }],
        'Bad request: input[0].content[0].type "input_audio" is not supported; use "input_text"',
      ],
      [
        [{ type: "function_call", name: "f" }],
        'Bad request: input[0]: function_call items need string "call_id" and "name"',
      ],
      [
        [{ type: "function_call", call_id: "c", name: "f", arguments: {} }],
        'Bad request: json: cannot unmarshal object into field "input[0].arguments" of type string',
      ],
      [
        [{ type: "function_call_output", output: "x" }],
        'Bad request: input[0]: function_call_output items need a string "call_id"',
      ],
      [
        [{ type: "function_call_output", call_id: "nope", output: "x" }],
        "Bad request: No tool call found for function call output with call_id nope.",
      ],
      [[{ type: "reasoning", summary: "x" }], "Bad request: input[0].summary must be a list"],
      [
        [{ type: "web_search_call" }],
        'Bad request: input[0].type "web_search_call" is not supported by this endpoint',
      ],
    ];
    for (const [input, message] of cases) expect(rejection(input), JSON.stringify(input)).toBe(message);
  });
});
