/**
 * The arithmetic the stand-in models do for calculator tools (engines/arithmetic.ts): which operation a tool
 * performs, which expression a sentence holds (and which number runs are not arithmetic), and the values.
 */
import { describe, expect, it } from "vitest";
import { applyOp, type Expr, formatNumber, parseArithmetic, toolOp } from "./arithmetic.js";

/** Evaluates a parsed expression (independently of the engine's own evaluation). */
const evaluate = (e: Expr): number =>
  e.kind === "num" ? e.value : applyOp(e.op, evaluate(e.left), evaluate(e.right));
const tool = (name: string, description = "") => ({ name, description }) as Parameters<typeof toolOp>[0];

describe("toolOp", () => {
  it.each([
    ["addNumbers", "", "add"],
    ["calc_sum", "", "add"],
    ["subtract-values", "", "sub"],
    ["multiply", "", "mul"],
    ["get_quotient", "", "div"],
    ["calculator", "Returns the product of a and b", "mul"],
    ["calculator", "Computes the difference between two numbers", "sub"],
    ["weather", "Current weather for a city", undefined],
  ])("%s / %j -> %s", (name, description, op) => {
    expect(toolOp(tool(name, description))).toBe(op);
  });
});

describe("parseArithmetic", () => {
  it.each([
    ["What is 2 + 3?", 5],
    ["what's 7 times 6", 42],
    ["12 divided by 4", 3],
    ["9 multiplied by 3", 27],
    ["10 minus 4 plus 1", 7],
    ["compute 3 x 4", 12],
    ["6 × 7 and 8 ÷ 2", 42],
    ["5 − 2", 3],
    ["(2 + 3) * 4", 20],
    ["2 + 3 * 4", 14],
    ["the answer to (1 + 2) * (3 + 4)) please", 21],
    ["((2 * 5", 10],
    ["(2 + 3", 5],
    ["-3 * 2", -6],
    ["1.5 + 2.25", 3.75],
    ["it is 8 / 2 +", 4],
    // Unary minus and plus before a number or a parenthesised group, at the start and after an operator.
    ["- (2 + 3) * 1", -5],
    ["what is -(2+3)*1?", -5],
    ["2 * -3", -6],
    ["2 * - 3", -6],
    ["2 - -4", 6],
    ["--4 * 2", 8],
    ["+3 * 2", 6],
    ["2 * +(1 + 2)", 6],
    ["2 * -(1 + 2)", -6],
    ["-(-(2 + 3)) * 1", 5],
    ["10 - -(2 * 3)", 16],
  ])("%j = %d", (text, value) => {
    const e = parseArithmetic(text);
    expect(e?.kind).toBe("op");
    expect(evaluate(e as Expr)).toBe(value);
  });

  it.each([
    ["on 2024-01-15 we met"],
    ["call 555-1234"],
    ["pages 3-4"],
    ["on 1/2/2024"],
    ["just 42"],
    ["no numbers here"],
    ["2 + + 3"],
    ["2 * (3 + )"],
    ["2 * - - "],
    ["--4"],
  ])("%j is not arithmetic", (text) => {
    expect(parseArithmetic(text)).toBeUndefined();
  });
});

it("a negated group is 0 minus the group, so the planner evaluates it with a subtract tool like any other step", () => {
  expect(parseArithmetic("-(2 + 3) * 4")).toEqual({
    kind: "op",
    op: "mul",
    left: {
      kind: "op",
      op: "sub",
      left: { kind: "num", value: 0 },
      right: { kind: "op", op: "add", left: { kind: "num", value: 2 }, right: { kind: "num", value: 3 } },
    },
    right: { kind: "num", value: 4 },
  });
  // A negated number stays a number: no extra tool step.
  expect(parseArithmetic("-3 * --2")).toEqual({
    kind: "op",
    op: "mul",
    left: { kind: "num", value: -3 },
    right: { kind: "num", value: 2 },
  });
});

describe("applyOp and formatNumber", () => {
  it("computes each operation and prints numbers as people write them", () => {
    expect([applyOp("add", 2, 3), applyOp("sub", 2, 3), applyOp("mul", 2, 3), applyOp("div", 3, 2)]).toEqual([
      5, -1, 6, 1.5,
    ]);
    expect(formatNumber(6)).toBe("6");
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(1 / 3)).toBe("0.3333333333");
    expect(formatNumber(applyOp("div", 1, 0))).toBe("Infinity");
    expect(formatNumber(Number.NaN)).toBe("NaN");
  });
});
