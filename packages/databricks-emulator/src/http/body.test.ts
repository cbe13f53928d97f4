import { describe, expect, it } from "vitest";
import { checkJsonDepth, MAX_BODY_DEPTH, mayNestDeeperThan, parseJson } from "./body.js";

const nested = (levels: number): string => `${"[".repeat(levels)}${"]".repeat(levels)}`;

describe("mayNestDeeperThan (the data plane's guard before the depth walk)", () => {
  it("a typical chat body cannot be too deep: the walk is skipped", () => {
    const body = Buffer.from(
      JSON.stringify({ messages: [{ role: "user", content: "Say hello. {[" }], max_tokens: 16 }),
    );
    expect(mayNestDeeperThan(body)).toBe(false);
    expect(mayNestDeeperThan(undefined)).toBe(false);
  });

  it("exactly the limit passes; one level more is sent to the walk, which refuses it", () => {
    expect(mayNestDeeperThan(Buffer.from(nested(MAX_BODY_DEPTH)))).toBe(false);
    expect(() => checkJsonDepth(JSON.parse(nested(MAX_BODY_DEPTH)))).not.toThrow();
    const deep = Buffer.from(nested(MAX_BODY_DEPTH + 1));
    expect(mayNestDeeperThan(deep)).toBe(true);
    expect(() => checkJsonDepth(JSON.parse(deep.toString()))).toThrow(
      `Request body is nested more than ${MAX_BODY_DEPTH} levels deep.`,
    );
  });

  it("counts braces and brackets together, and those inside strings too (never an underestimate)", () => {
    const mixed = `${'{"a":['.repeat(3)}1${"]}".repeat(3)}`; // 6 levels
    expect(mayNestDeeperThan(Buffer.from(mixed), 5)).toBe(true);
    expect(mayNestDeeperThan(Buffer.from(mixed), 6)).toBe(false);
    expect(mayNestDeeperThan(Buffer.from(JSON.stringify({ s: "[[[[" })), 3)).toBe(true);
  });

  it("multi-byte UTF-8 text adds nothing to the count", () => {
    const body = Buffer.from(JSON.stringify({ content: "ǻ€😀 ünïcödé ".repeat(50) }));
    expect(mayNestDeeperThan(body, 1)).toBe(false);
  });
});

describe("parseJson", () => {
  it("parses JSON bodies, surrounding whitespace included", () => {
    expect(parseJson(Buffer.from('{"a":[1]}'))).toEqual({ a: [1] });
    expect(parseJson(Buffer.from(' \n {"a":1}\t'))).toEqual({ a: 1 });
    expect(parseJson('"s"')).toBe("s");
  });

  it("an absent or blank body (Unicode spaces too) is no body", () => {
    expect(parseJson(undefined)).toBeUndefined();
    expect(parseJson(Buffer.alloc(0))).toBeUndefined();
    expect(parseJson(Buffer.from(" \r\n\t\u00a0\ufeff"))).toBeUndefined();
  });

  it("anything else that does not parse is the 400 envelope", () => {
    for (const bad of ["{", "\u00a0{}", "nope"]) {
      expect(() => parseJson(Buffer.from(bad))).toThrow(
        "Failed to parse input from JSON: the request body is not valid JSON.",
      );
    }
  });
});
