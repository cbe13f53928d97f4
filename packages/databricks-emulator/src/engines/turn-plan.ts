/**
 * Multi-turn tool planning for the stand-in chat model. From the conversation since the last user message
 * (earlier tool calls and their results) it decides, deterministically, the next tool call(s) or that the
 * model should answer now:
 * - arithmetic in the request ("What is (3 + 4) * 5?") with add/subtract/multiply/divide-like tools is
 *   evaluated bottom-up: every operation whose operands are known becomes a call (in parallel when allowed),
 *   the next turn feeds their results into the next operation, and the answer quotes the final result;
 *   an operation without a matching tool is computed locally;
 * - otherwise the request is split into sequential steps ("... then ...", "after that"); each step's clauses
 *   are parallel calls (tool_plan.ts), and a later step's arguments are filled from earlier results;
 * - `tool_choice` is always obeyed: "none" never calls, "required" and a named function always call (once the
 *   plan is done, "required" calls a tool not used yet for this request, e.g. a structured-output tool).
 */
import {
  applyOp,
  type Expr,
  formatNumber,
  OP_SYMBOL,
  type Op,
  parseArithmetic,
  toolOp,
} from "./arithmetic.js";
import { toolCallId } from "./ids.js";
import type { ChatMessage, ToolCall } from "./messages.js";
import { valueForSchema } from "./schema-value.js";
import { extractFacts, type TextFacts } from "./text-facts.js";
import type { ToolChoice, ToolDef } from "./tool-defs.js";
import { best, NO_TOOLS, planToolCalls, SMALL_TALK } from "./tool-plan.js";
import { isObject, type Json } from "./validate.js";

/** A tool call made since the last user message, with its result once a tool message answered it. */
export interface PastCall {
  name: string;
  arguments: string;
  result?: string;
}

export interface TurnPlan {
  /** Calls to make now; empty -> answer in text (or structured output). */
  calls: ToolCall[];
  /** Calls made since the last user message, in order, with their results. */
  past: PastCall[];
  /** When the request was arithmetic and is fully evaluated: the value and the steps taken. */
  arithmetic?: { value: number; steps: string[] };
  /** Every call so far served the arithmetic (so the answer is the arithmetic result alone). */
  arithmeticOnly?: boolean;
}

const SEQUENCE_SPLIT =
  /\s*(?:[,;]?\s*\b(?:and\s+)?then\b|[,;]?\s*\bafter\s+that\b|[,;]?\s*\bafterwards\b)\s*,?\s*/i;

/** The last user message's index and the tool calls (with results) made after it. */
export const pastCalls = (messages: readonly ChatMessage[]): { userIndex: number; past: PastCall[] } => {
  let userIndex = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if ((messages[i] as ChatMessage).role === "user") {
      userIndex = i;
      break;
    }
  }
  const past: PastCall[] = [];
  // The usual request ends with the user message: nothing was called since, so no lookup table is needed.
  if (userIndex === messages.length - 1) return { userIndex, past };
  const byId = new Map<string, PastCall>();
  for (let i = userIndex + 1; i < messages.length; i++) {
    const m = messages[i] as ChatMessage;
    if (m.role === "assistant") {
      for (const tc of m.toolCalls) {
        const call: PastCall = { name: tc.name, arguments: tc.arguments };
        past.push(call);
        byId.set(tc.id, call);
      }
    } else if (m.role === "tool") {
      const call = byId.get(m.toolCallId ?? "");
      if (call) call.result = m.text;
    }
  }
  return { userIndex, past };
};

export const planTurn = (
  messages: readonly ChatMessage[],
  tools: readonly ToolDef[],
  choice: ToolChoice,
  parallel: boolean,
): TurnPlan => {
  const { userIndex, past } = pastCalls(messages);
  const userText = userIndex >= 0 ? (messages[userIndex] as ChatMessage).text : "";
  const plan: TurnPlan = { calls: [], past };
  if (tools.length === 0) return plan;
  const quiet =
    choice.kind === "none" ||
    (choice.kind === "auto" && past.length === 0 && (SMALL_TALK.test(userText) || NO_TOOLS.test(userText)));
  const segments = userText.split(SEQUENCE_SPLIT).filter((s) => s.trim().length > 0);
  if (segments.length === 0) segments.push(userText);
  const consumed = new Set<PastCall>();
  // Arithmetic steps first: their calls are recognised by name and arguments wherever they are in `past`.
  const arithmetic = segments.map((segment) =>
    arithmeticPlan(segment, tools, quiet ? { kind: "none" } : choice, past, consumed),
  );
  for (const a of arithmetic)
    if (a?.value !== undefined) plan.arithmetic = { value: a.value, steps: a.steps };
  plan.arithmeticOnly = arithmetic.some((a) => a !== undefined) && past.every((p) => consumed.has(p));
  if (quiet) return plan;
  let made = past.filter((p) => !consumed.has(p)).length;
  for (let i = 0; i < segments.length; i++) {
    const a = arithmetic[i];
    if (a) {
      if (a.ready.length > 0) {
        plan.calls = parallel ? a.ready : a.ready.slice(0, 1);
        return plan;
      }
      continue;
    }
    const step = stepCalls(segments[i] as string, i, tools, choice, past, made);
    if (step.calls.length > 0) {
      plan.calls = parallel ? step.calls : step.calls.slice(0, 1);
      return plan;
    }
    made = step.made;
  }
  if (choice.kind === "required" || choice.kind === "named")
    plan.calls = [forcedCall(userText, tools, choice, plan)];
  return plan;
};

// ---------------------------------------------------------------------------------------------------------
// Arithmetic

interface ArithmeticState {
  /** Calls whose operands are known but which were not made yet. */
  ready: ToolCall[];
  value?: number;
  steps: string[];
}

const arithmeticPlan = (
  userText: string,
  tools: readonly ToolDef[],
  choice: ToolChoice,
  past: readonly PastCall[],
  consumed: Set<PastCall>,
): ArithmeticState | undefined => {
  const expr = parseArithmetic(userText);
  if (!expr) return undefined;
  const usable =
    choice.kind === "none"
      ? []
      : choice.kind === "named"
        ? tools.filter((t) => t.name === choice.name)
        : tools;
  const byOp = new Map<Op, ToolDef>();
  for (const t of usable) {
    const op = toolOp(t);
    if (op && !byOp.has(op)) byOp.set(op, t);
  }
  // Results of earlier calls of any arithmetic tool count, even when tool_choice now narrows the set.
  const known = new Map<Op, ToolDef>(byOp);
  for (const t of tools) {
    const op = toolOp(t);
    if (op && !known.has(op)) known.set(op, t);
  }
  if (byOp.size === 0) {
    const calc = calculatorPlan(expr, usable, tools, past, consumed);
    if (calc) return calc;
  }
  // No tool can do arithmetic: the model works it out itself (used by the answer and by forced calls, e.g. a
  // structured-output tool whose number field should hold the result).
  if (known.size === 0) return { ready: [], value: evaluate(expr), steps: [] };
  const state: ArithmeticState = { ready: [], steps: [] };
  const seen = new Set<string>();
  const resolve = (e: Expr): number | undefined => {
    if (e.kind === "num") return e.value;
    const a = resolve(e.left);
    const b = resolve(e.right);
    if (a === undefined || b === undefined) return undefined;
    const tool = known.get(e.op);
    if (!tool) return applyOp(e.op, a, b);
    const args = arithmeticArgs(tool, a, b);
    const done = past.find(
      (p) => p.name === tool.name && sameArgs(p.arguments, args) && p.result !== undefined,
    );
    if (done) {
      consumed.add(done);
      const v = numberIn(done.result as string) ?? applyOp(e.op, a, b);
      state.steps.push(`${tool.name}(${formatNumber(a)}, ${formatNumber(b)}) = ${formatNumber(v)}`);
      return v;
    }
    const callable = byOp.get(e.op);
    if (!callable) return applyOp(e.op, a, b);
    const key = `${tool.name}\u0000${args}`;
    if (!seen.has(key)) {
      seen.add(key);
      state.ready.push({ id: toolCallId(), name: tool.name, arguments: args });
    }
    return undefined;
  };
  const value = resolve(expr);
  if (value !== undefined) state.value = value;
  return state;
};

const CALCULATOR = /calc|evaluat|math|arithmetic|comput|expression/i;
const EXPRESSION_PARAM = /expr|formula|equation|calculation|input|query|question|problem/i;

/** A calculator-like tool (one string parameter for the whole expression) and that parameter's name. */
const calculatorOf = (tools: readonly ToolDef[]): { tool: ToolDef; param: string } | undefined => {
  for (const tool of tools) {
    if (!CALCULATOR.test(`${tool.name} ${tool.description}`)) continue;
    const props = isObject(tool.parameters.properties) ? tool.parameters.properties : {};
    const strings = Object.keys(props).filter((k) => {
      const p = props[k];
      return isObject(p) && (p.type === "string" || p.type === undefined);
    });
    const param =
      strings.find((k) => EXPRESSION_PARAM.test(k)) ?? (strings.length === 1 ? strings[0] : undefined);
    if (param !== undefined) return { tool, param };
  }
  return undefined;
};

const PRECEDENCE: Record<Op, number> = { add: 1, sub: 1, mul: 2, div: 2 };

/** The expression as text, with parentheses only where precedence needs them. */
export const exprText = (e: Expr): string => {
  if (e.kind === "num") return formatNumber(e.value);
  const wrap = (c: Expr, right: boolean) => {
    const t = exprText(c);
    if (c.kind !== "op") return t;
    const tighter =
      PRECEDENCE[c.op] < PRECEDENCE[e.op] ||
      (right && PRECEDENCE[c.op] === PRECEDENCE[e.op] && (e.op === "sub" || e.op === "div"));
    return tighter ? `(${t})` : t;
  };
  return `${wrap(e.left, false)} ${OP_SYMBOL[e.op]} ${wrap(e.right, true)}`;
};

const evaluate = (e: Expr): number =>
  e.kind === "num" ? e.value : applyOp(e.op, evaluate(e.left), evaluate(e.right));

/** The whole expression in one call to a calculator-like tool, then its result. */
const calculatorPlan = (
  expr: Expr,
  usable: readonly ToolDef[],
  tools: readonly ToolDef[],
  past: readonly PastCall[],
  consumed: Set<PastCall>,
): ArithmeticState | undefined => {
  const calc = calculatorOf(usable) ?? calculatorOf(tools);
  if (!calc) return undefined;
  const text = exprText(expr);
  const base = valueForSchema(calc.tool.parameters, extractFacts(text));
  const args: Json = isObject(base) ? base : {};
  args[calc.param] = text;
  const argText = JSON.stringify(args);
  const done = past.find(
    (p) => p.name === calc.tool.name && sameArgs(p.arguments, argText) && p.result !== undefined,
  );
  if (done) {
    consumed.add(done);
    const value = numberIn(done.result as string) ?? evaluate(expr);
    return { ready: [], value, steps: [`${calc.tool.name}("${text}") = ${formatNumber(value)}`] };
  }
  if (!usable.includes(calc.tool)) return { ready: [], value: evaluate(expr), steps: [] };
  return { ready: [{ id: toolCallId(), name: calc.tool.name, arguments: argText }], steps: [] };
};

const sameArgs = (a: string, b: string): boolean => {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
};

const NUMERIC = new Set(["number", "integer"]);

const isNumeric = (s: unknown): boolean =>
  isObject(s) &&
  (NUMERIC.has(s.type as string) || (Array.isArray(s.type) && s.type.some((t) => NUMERIC.has(t))));

/** Arguments for an arithmetic tool: operands into its first two numeric properties (or one numeric list). */
const arithmeticArgs = (tool: ToolDef, a: number, b: number): string => {
  const props = isObject(tool.parameters.properties) ? tool.parameters.properties : {};
  const numeric = Object.keys(props).filter((k) => isNumeric(props[k]));
  const list = Object.keys(props).find((k) => {
    const p = props[k];
    return isObject(p) && p.type === "array" && isNumeric(p.items);
  });
  const base = valueForSchema(tool.parameters, factsWith(`${a} ${b}`, [a, b]));
  const out: Json = isObject(base) ? base : {};
  if (numeric.length >= 2) {
    out[numeric[0] as string] = a;
    out[numeric[1] as string] = b;
  } else if (list) {
    out[list] = [a, b];
  } else if (numeric.length === 1) {
    out[numeric[0] as string] = a;
  }
  return JSON.stringify(out);
};

/** The number a tool returned: a JSON number, a JSON object's single/`result`-like number, or the first in text. */
export const numberIn = (text: string): number | undefined => {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === "number") return v;
    if (isObject(v)) {
      for (const k of ["result", "value", "answer", "sum", "product", "difference", "quotient"]) {
        if (typeof v[k] === "number") return v[k] as number;
      }
      const nums = Object.values(v).filter((x): x is number => typeof x === "number");
      if (nums.length === 1) return nums[0];
    }
  } catch {
    // not JSON: fall through to the first number in the text
  }
  const m = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/i.exec(text);
  return m ? Number(m[0]) : undefined;
};

const factsWith = (text: string, numbers: number[]): TextFacts => ({
  ...extractFacts(text),
  numbers: [...numbers],
});

// ---------------------------------------------------------------------------------------------------------
// Sequential steps

/**
 * The calls of one sequential step not made yet. `made` counts earlier non-arithmetic calls still to be
 * attributed to steps, in order; returns what is left of it after this step.
 */
const stepCalls = (
  segment: string,
  index: number,
  tools: readonly ToolDef[],
  choice: ToolChoice,
  past: readonly PastCall[],
  made: number,
): { calls: ToolCall[]; made: number } => {
  const candidates = choice.kind === "named" ? tools.filter((t) => t.name === choice.name) : tools;
  // The first step always calls (the single-turn behaviour); later steps only when a tool matches.
  if (index > 0 && !best(candidates, segment)) return { calls: [], made };
  const planned = planToolCalls(candidates, index === 0 ? choice : { kind: "required" }, segment, true);
  if (made >= planned.length) return { calls: [], made: made - planned.length };
  const calls = planned.slice(made).map((c) => (index === 0 ? c : withResults(c, tools, segment, past)));
  return { calls, made: 0 };
};

/** Rebuilds a later step's call with facts from earlier results (same-named keys, numbers, names, places). */
const withResults = (
  call: ToolCall,
  tools: readonly ToolDef[],
  segment: string,
  past: readonly PastCall[],
): ToolCall => {
  const tool = tools.find((t) => t.name === call.name);
  if (!tool) return call;
  const facts = resultFacts(segment, past);
  const value = valueForSchema(tool.parameters, facts);
  const out: Json = isObject(value) ? value : {};
  const props = isObject(tool.parameters.properties) ? tool.parameters.properties : {};
  for (const p of past) {
    const parsed = parseJson(p.result ?? "");
    if (!isObject(parsed)) continue;
    for (const key of Object.keys(props))
      if (key in parsed && typeOk(props[key], parsed[key])) out[key] = parsed[key];
  }
  return { ...call, arguments: JSON.stringify(out) };
};

const typeOk = (schema: unknown, v: unknown): boolean => {
  if (!isObject(schema) || schema.type === undefined) return true;
  const t = schema.type;
  const types = Array.isArray(t) ? t : [t];
  const actual =
    v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;
  return types.some(
    (x) =>
      x === actual || (x === "integer" && Number.isInteger(v)) || (x === "number" && actual === "number"),
  );
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Facts of `text` where missing numbers, places and strings come from earlier tool results. */
export const resultFacts = (text: string, past: readonly PastCall[], leading: number[] = []): TextFacts => {
  const facts = extractFacts(text);
  const fromResults = extractFacts(past.map((p) => p.result ?? "").join(" . "));
  if (leading.length > 0) facts.numbers = [...leading, ...facts.numbers];
  else if (facts.numbers.length === 0) facts.numbers = fromResults.numbers;
  if (facts.places.length === 0) facts.places = fromResults.places;
  for (const p of past) {
    const v = parseJson(p.result ?? "");
    const plain = typeof v === "string" ? v : v === undefined ? (p.result ?? "").trim() : undefined;
    if (plain && plain.length <= 80 && !facts.quoted.includes(plain)) facts.quoted.push(plain);
  }
  return facts;
};

// ---------------------------------------------------------------------------------------------------------
// Forced calls once the plan is done

const forcedCall = (
  userText: string,
  tools: readonly ToolDef[],
  choice: ToolChoice,
  plan: TurnPlan,
): ToolCall => {
  let tool: ToolDef | undefined;
  if (choice.kind === "named") tool = tools.find((t) => t.name === choice.name);
  if (!tool) {
    const used = new Set(plan.past.map((p) => p.name));
    const fresh = tools.filter((t) => !used.has(t.name) && !(plan.arithmetic && toolOp(t)));
    tool = best(fresh, userText) ?? fresh[0] ?? best(tools, userText) ?? (tools[0] as ToolDef);
  }
  const leading = plan.arithmetic ? [plan.arithmetic.value] : [];
  const facts = resultFacts(userText, plan.past, leading);
  return {
    id: toolCallId(),
    name: tool.name,
    arguments: JSON.stringify(valueForSchema(tool.parameters, facts)),
  };
};

// ---------------------------------------------------------------------------------------------------------
// The answer

/** The final answer text: the arithmetic result with its steps, or what each tool returned. */
export const answerFromPlan = (plan: TurnPlan): string | undefined => {
  if (plan.arithmetic && plan.arithmeticOnly) {
    const v = formatNumber(plan.arithmetic.value);
    const steps = plan.arithmetic.steps;
    return steps.length > 0 ? `The answer is ${v} (${steps.join(", then ")}).` : `The answer is ${v}.`;
  }
  const done = plan.past.filter((p) => p.result !== undefined);
  const result = plan.arithmetic ? ` The answer is ${formatNumber(plan.arithmetic.value)}.` : "";
  if (done.length === 0) return result === "" ? undefined : result.trim();
  const quote = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}...` : s).trim();
  return `Based on the tool results: ${done.map((p) => `${p.name} returned ${quote(p.result as string)}`).join("; ")}.${result}`;
};
