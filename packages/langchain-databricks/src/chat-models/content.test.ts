import { describe, expect, it } from "vitest";
import { contentToText, toWireContent } from "./content.js";

const keep = { keepReasoning: true };
const drop = { keepReasoning: false };

describe("toWireContent: images", () => {
  it("passes OpenAI image_url blocks through, string or object form", () => {
    expect(
      toWireContent(
        [
          { type: "text", text: "what is this?" },
          { type: "image_url", image_url: "https://x.test/a.png" },
          { type: "image_url", image_url: { url: "https://x.test/b.png", detail: "low" } },
        ],
        drop,
      ),
    ).toEqual([
      { type: "text", text: "what is this?" },
      { type: "image_url", image_url: { url: "https://x.test/a.png" } },
      { type: "image_url", image_url: { url: "https://x.test/b.png", detail: "low" } },
    ]);
  });

  it("turns base64 image data (v0 and v1 blocks) into data URLs with the block's MIME type, PNG by default", () => {
    expect(
      toWireContent(
        [
          { type: "image", source_type: "base64", mime_type: "image/jpeg", data: "AAA" },
          { type: "image", mimeType: "image/webp", data: "BBB" },
          { type: "image", data: "CCC" },
        ],
        drop,
      ),
    ).toEqual([
      { type: "image_url", image_url: { url: "data:image/jpeg;base64,AAA" } },
      { type: "image_url", image_url: { url: "data:image/webp;base64,BBB" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,CCC" } },
    ]);
  });

  it("sends image URLs as URLs (url field or a url source), and keeps an image block it cannot read as is", () => {
    expect(
      toWireContent(
        [
          { type: "image", url: "https://x.test/c.png" },
          { type: "image", source_type: "url", data: "https://x.test/d.png" },
          { type: "image", source_type: "file", id: "file-1" },
        ],
        drop,
      ),
    ).toEqual([
      { type: "image_url", image_url: { url: "https://x.test/c.png" } },
      { type: "image_url", image_url: { url: "https://x.test/d.png" } },
      { type: "image", source_type: "file", id: "file-1" },
    ]);
  });
});

describe("toWireContent: reasoning", () => {
  const blocks = [
    { type: "reasoning", summary: [{ type: "summary_text", text: "s1", index: 0 }], index: 3 },
    { type: "reasoning", reasoning: "r2", signature: "sig-2" },
    { type: "reasoning", reasoning: "r3" },
    { type: "thinking", thinking: "t4", signature: "sig-4" },
    { type: "thinking", thinking: "t5" },
    { type: "redacted_thinking", data: "enc-6" },
    { type: "text", text: "answer" },
  ];

  it("kept: every flavour becomes Databricks' reasoning summary, signatures kept, stream indexes dropped", () => {
    expect(toWireContent(blocks, keep)).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: "s1" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "r2", signature: "sig-2" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "r3" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "t4", signature: "sig-4" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "t5" }] },
      { type: "reasoning", summary: [{ type: "summary_encrypted_text", data: "enc-6" }] },
      { type: "text", text: "answer" },
    ]);
  });

  it("dropped: only the text is left, collapsed to a string", () => {
    expect(toWireContent(blocks, drop)).toBe("answer");
  });
});

describe("toWireContent: text and the rest", () => {
  it("collapses text-only lists (strings, text, text_delta, output_text) to one string; empty texts vanish", () => {
    expect(
      toWireContent(
        [
          "a",
          { type: "text", text: "b" },
          { type: "text_delta", text: "c" },
          { type: "output_text", text: "d" },
        ],
        drop,
      ),
    ).toBe("abcd");
    expect(toWireContent([{ type: "text", text: "" }, { type: "text" }], drop)).toBe("");
  });

  it("drops tool-call blocks of every provider format (tool calls travel in tool_calls) and non-objects", () => {
    expect(
      toWireContent(
        [
          { type: "tool_use", id: "t", name: "f", input: {} },
          { type: "tool_call", id: "t" },
          { type: "function_call", name: "f" },
          { type: "functionCall", name: "f" },
          { type: "tool_call_chunk", index: 0 },
          null,
          42,
          "x",
        ],
        drop,
      ),
    ).toBe("x");
  });

  it("keeps unknown typed blocks without their stream index; untyped objects are dropped", () => {
    expect(
      toWireContent(
        [{ type: "input_audio", input_audio: { data: "A", format: "wav" }, index: 1 }, { foo: 1 }],
        drop,
      ),
    ).toEqual([{ type: "input_audio", input_audio: { data: "A", format: "wav" } }]);
  });

  it("strings pass through; null/undefined become empty; other values are JSON", () => {
    expect(toWireContent("hi", drop)).toBe("hi");
    expect(toWireContent(null, drop)).toBe("");
    expect(toWireContent(undefined, drop)).toBe("");
    expect(toWireContent({ a: 1 }, drop)).toBe('{"a":1}');
  });
});

describe("contentToText", () => {
  it("joins strings and text fields; falls back to JSON when there is no text at all", () => {
    expect(contentToText("plain")).toBe("plain");
    expect(contentToText(["a", { type: "text", text: "b" }, { type: "image_url", image_url: "u" }])).toBe(
      "ab",
    );
    expect(contentToText([{ type: "image_url", image_url: "u" }])).toBe(
      '[{"type":"image_url","image_url":"u"}]',
    );
    expect(contentToText(null)).toBe("");
    expect(contentToText(7)).toBe("7");
  });
});
