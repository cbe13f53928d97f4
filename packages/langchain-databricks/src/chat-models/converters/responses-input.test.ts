import { describe, expect, it } from "vitest";
import {
  MAX_RESPONSES_ID_LENGTH,
  shortenId,
  toResponsesInput,
  toResponsesToolChoice,
  toResponsesTools,
} from "./responses.js";

describe("shortenId", () => {
  it("keeps ids up to 64 chars; longer ids keep their prefix, get a hash, and stay distinct", () => {
    const ok = "x".repeat(MAX_RESPONSES_ID_LENGTH);
    expect(shortenId(ok)).toBe(ok);
    const a = `call_${"a".repeat(80)}1`;
    const b = `call_${"a".repeat(80)}2`;
    const sa = shortenId(a);
    expect(sa).toHaveLength(MAX_RESPONSES_ID_LENGTH);
    expect(sa).toMatch(/^call_a+_[0-9a-f]{16}$/);
    expect(shortenId(b)).not.toBe(sa);
    expect(shortenId(a)).toBe(sa); // deterministic
    expect(shortenId(a, false)).toBe(a);
  });
});

describe("toResponsesInput", () => {
  it("user and system messages: text and images become input_text / input_image; null content is empty", () => {
    expect(
      toResponsesInput(
        [
          { role: "system", content: "sys" },
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "https://x.test/i.png" } },
              { type: "input_audio", input_audio: { data: "A" } },
            ],
          },
          { role: "user", content: null },
        ],
        true,
      ),
    ).toEqual([
      { role: "system", content: "sys" },
      {
        role: "user",
        content: [
          { type: "input_text", text: "look" },
          { type: "input_image", image_url: "https://x.test/i.png" },
          { type: "input_audio", input_audio: { data: "A" } },
        ],
      },
      { role: "user", content: "" },
    ]);
  });

  it("assistant turns: text and refusals grouped into messages around passthrough items; tool calls follow", () => {
    const longId = `rs_${"r".repeat(70)}`;
    const items = toResponsesInput(
      [
        {
          role: "assistant",
          content: [
            { type: "text", text: "one" },
            { type: "reasoning", id: longId, status: "completed", summary: [] },
            { type: "output_text", text: "two", annotations: [{ type: "url_citation" }] },
            { type: "refusal", refusal: "no" },
            { type: "unknown_part", x: 1 },
          ],
          tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "3" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "x" }] },
      ],
      true,
    );
    expect(items).toEqual([
      {
        type: "message",
        role: "assistant",
        content: [{ type: "output_text", text: "one", annotations: [] }],
      },
      { type: "reasoning", id: shortenId(longId), summary: [] },
      {
        type: "message",
        role: "assistant",
        content: [
          { type: "output_text", text: "two", annotations: [{ type: "url_citation" }] },
          { type: "refusal", refusal: "no" },
        ],
      },
      { type: "function_call", id: "fc_call_1", call_id: "call_1", name: "f", arguments: '{"a":1}' },
      { type: "function_call_output", call_id: "call_1", output: "3" },
      { type: "function_call_output", call_id: "call_2", output: '[{"type":"text","text":"x"}]' },
    ]);
  });

  it("a blank assistant string sends no message item; a tool call without arguments sends {}", () => {
    expect(
      toResponsesInput(
        [
          {
            role: "assistant",
            content: "  ",
            tool_calls: [{ id: "fc_9", type: "function", function: { name: "g" } }],
          },
        ],
        false,
      ),
    ).toEqual([{ type: "function_call", id: "fc_9", call_id: "fc_9", name: "g", arguments: "{}" }]);
    expect(toResponsesInput([{ role: "assistant", content: "hi" }], true)).toEqual([
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "hi", annotations: [] }] },
    ]);
  });
});

describe("toResponsesTools / toResponsesToolChoice", () => {
  it("flattens function tools (description and parameters defaulted, strict kept); other tools pass through", () => {
    expect(
      toResponsesTools([
        { type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } },
        { type: "function", function: { name: "g", description: "G" } },
        { type: "web_search_preview" } as never,
      ]),
    ).toEqual([
      { type: "function", name: "f", description: "", parameters: { type: "object" }, strict: true },
      { type: "function", name: "g", description: "G", parameters: {} },
      { type: "web_search_preview" },
    ]);
  });

  it("the chat object form names the function at the top level; strings pass through", () => {
    expect(toResponsesToolChoice({ type: "function", function: { name: "f" } })).toEqual({
      type: "function",
      name: "f",
    });
    expect(toResponsesToolChoice("required")).toBe("required");
    expect(toResponsesToolChoice(undefined)).toBeUndefined();
  });
});
