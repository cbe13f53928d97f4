/** Scanning helpers over a token list (tokenize.ts): parenthesis matching, argument ranges, significant tokens. */
import { isOp, SqlSyntaxError, type Token } from "./tokenize.js";

/** A token range: [start, end). */
export type Range = [number, number];

/** Matching close paren index for the `(` at i, over the full token list. */
export const closeParen = (t: Token[], i: number): number => {
  let depth = 0;
  for (let j = i; j < t.length; j++) {
    if (isOp(t[j], "(")) depth++;
    else if (isOp(t[j], ")")) {
      depth--;
      if (depth === 0) return j;
    }
  }
  throw new SqlSyntaxError("Unbalanced parentheses.");
};

export const nextSig = (t: Token[], i: number): number => {
  let j = i + 1;
  while (j < t.length && t[j]!.kind === "ws") j++;
  return j;
};

export const prevSig = (t: Token[], i: number): number => {
  let j = i - 1;
  while (j >= 0 && t[j]!.kind === "ws") j--;
  return j;
};

/** Splits the tokens between parens (exclusive) at top-level commas: [start, end) ranges. */
export const splitArgs = (t: Token[], open: number, close: number): Range[] => {
  const out: Range[] = [];
  let depth = 0;
  let start = open + 1;
  for (let j = open + 1; j < close; j++) {
    if (isOp(t[j], "(")) depth++;
    else if (isOp(t[j], ")")) depth--;
    else if (isOp(t[j], ",") && depth === 0) {
      out.push([start, j]);
      start = j + 1;
    }
  }
  if (t.slice(start, close).some((x) => x.kind !== "ws")) out.push([start, close]);
  return out;
};

export const sigTokens = (t: Token[], [a, b]: Range) => t.slice(a, b).filter((x) => x.kind !== "ws");
