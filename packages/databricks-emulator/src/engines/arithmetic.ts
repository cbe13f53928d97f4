/**
 * Arithmetic in user text ("What is (3 + 4) * 5?", "12 divided by 4 plus 1") parsed into an expression tree,
 * and the arithmetic role of a tool (add / subtract / multiply / divide) read from its name and description.
 * The turn planner (turn-plan.ts) evaluates the tree bottom-up through the matching tools.
 */
import { wordStems } from "./text-facts.js";
import type { ToolDef } from "./tool-defs.js";

export type Op = "add" | "sub" | "mul" | "div";

export type Expr = { kind: "num"; value: number } | { kind: "op"; op: Op; left: Expr; right: Expr };

const OP_STEMS: Record<string, Op> = {
  add: "add",
  addition: "add",
  sum: "add",
  plu: "add",
  plus: "add",
  subtract: "sub",
  subtraction: "sub",
  minu: "sub",
  minus: "sub",
  difference: "sub",
  sub: "sub",
  multiply: "mul",
  multiplie: "mul",
  multiplication: "mul",
  product: "mul",
  mul: "mul",
  divide: "div",
  division: "div",
  quotient: "div",
  div: "div",
};

/** The arithmetic operation a tool performs, from its name first, then its description; undefined if none. */
export const toolOp = (tool: ToolDef): Op | undefined => {
  const name = tool.name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]/g, " ");
  for (const w of wordStems(name)) if (OP_STEMS[w]) return OP_STEMS[w];
  for (const w of wordStems(tool.description)) if (OP_STEMS[w]) return OP_STEMS[w];
  return undefined;
};

const SYMBOLS: Record<string, Op> = { "+": "add", "-": "sub", "*": "mul", "/": "div" };

/** Words for operators -> symbols: "plus", "minus", "times", "multiplied by", "divided by", "x", "×", "÷". */
const normalise = (text: string): string =>
  text
    .replace(/[×✕]/g, "*")
    .replace(/÷/g, "/")
    .replace(/[−–]/g, "-")
    .replace(/\bmultiplied\s+by\b/gi, "*")
    .replace(/\bdivided\s+by\b/gi, "/")
    .replace(/\btimes\b/gi, "*")
    .replace(/\bplus\b/gi, "+")
    .replace(/\bminus\b/gi, "-")
    .replace(/(\d)\s*x\s*(?=[\d(])/gi, "$1 * ");

const NOT_ARITHMETIC = /^\d+(?:[-/]\d+)+$|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/;

/** Leading signs and "(" (with spaces between: "- (2 + 3)"), then a number and the rest of the expression. */
const EXPRESSION = /(?:[-+(]\s*)*\d[\d.\s+\-*/()]*/g;

/** The first arithmetic expression in `text` with at least one operator, or undefined. */
export const parseArithmetic = (text: string): Expr | undefined => {
  const src = normalise(text);
  let best: Expr | undefined;
  for (const m of src.matchAll(EXPRESSION)) {
    const candidate = m[0].trim();
    if (!/\d\s*[-+*/]\s*[-(\d]|\)\s*[-+*/]/.test(candidate)) continue;
    // Dates (2024-01-15, 1/2/2024), phone numbers and ranges (555-1234, 3-4) are not arithmetic.
    if (NOT_ARITHMETIC.test(candidate)) continue;
    const expr = parseExpr(balance(candidate));
    if (expr && expr.kind === "op") {
      best = expr;
      break;
    }
  }
  return best;
};

/** Drops unmatched trailing ")" and leading "(" left by the surrounding sentence. */
const balance = (s: string): string => {
  let out = s.replace(/[-+*/\s]+$/, "");
  let depth = 0;
  let cut = out.length;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === "(") depth++;
    else if (out[i] === ")") {
      depth--;
      if (depth < 0) {
        cut = i;
        break;
      }
    }
  }
  out = out.slice(0, cut);
  while (depth > 0 && out.startsWith("(")) {
    out = out.slice(1);
    depth--;
  }
  return out;
};

/**
 * Recursive-descent parser: sum := term (('+'|'-') term)*, term := factor (('*'|'/') factor)*,
 * factor := ('+'|'-') factor | '(' sum ')' | number.
 */
const parseExpr = (s: string): Expr | undefined => {
  const tokens = s.match(/\d+(?:\.\d+)?|[-+*/()]/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const factor = (): Expr | undefined => {
    const t = tokens[i++];
    if (t === undefined) return undefined;
    if (t === "(") {
      const e = sum();
      if (tokens[i++] !== ")") return undefined;
      return e;
    }
    // Unary plus is nothing; unary minus negates a number in place and turns a group into `0 - group`, a step
    // the planner (turn-plan.ts) evaluates like any other subtraction.
    if (t === "+") return factor();
    if (t === "-") {
      const inner = factor();
      if (!inner) return undefined;
      return inner.kind === "num"
        ? { kind: "num", value: -inner.value }
        : { kind: "op", op: "sub", left: { kind: "num", value: 0 }, right: inner };
    }
    const v = Number(t);
    return Number.isFinite(v) ? { kind: "num", value: v } : undefined;
  };
  const term = (): Expr | undefined => {
    let left = factor();
    while (left && (peek() === "*" || peek() === "/")) {
      const op = SYMBOLS[tokens[i++] as string] as Op;
      const right = factor();
      if (!right) return undefined;
      left = { kind: "op", op, left, right };
    }
    return left;
  };
  const sum = (): Expr | undefined => {
    let left = term();
    while (left && (peek() === "+" || peek() === "-")) {
      const op = SYMBOLS[tokens[i++] as string] as Op;
      const right = term();
      if (!right) return undefined;
      left = { kind: "op", op, left, right };
    }
    return left;
  };
  const e = sum();
  return e && i === tokens.length ? e : undefined;
};

export const applyOp = (op: Op, a: number, b: number): number => {
  switch (op) {
    case "add":
      return a + b;
    case "sub":
      return a - b;
    case "mul":
      return a * b;
    default:
      return a / b;
  }
};

/** A number as people write it: integers without ".0", others to at most 10 significant decimals. */
export const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) return String(n);
  return String(Number(n.toFixed(10)));
};

export const OP_SYMBOL: Record<Op, string> = { add: "+", sub: "-", mul: "*", div: "/" };
