/**
 * One model "turn": text (with stop/max_tokens applied), tool calls or structured output, and an optional
 * reasoning summary. Shared by Chat Completions, ChatAgent and Responses so they behave alike.
 */
import { createHash } from "node:crypto";
import type { ChatRequest, ResponseFormat } from "./chat-request.js";
import { jsonObjectFor } from "./json-object.js";
import type { ChatMessage, ToolCall } from "./messages.js";
import { applyStop, composeReply, lastUserText } from "./reply.js";
import { valueForSchema } from "./schema-value.js";
import { countTokens, truncateToTokens } from "./tokenizer.js";
import type { ToolChoice, ToolDef } from "./tool-defs.js";
import { answerFromPlan, planTurn, resultFacts, type TurnPlan } from "./turn-plan.js";

export type FinishReason = "stop" | "length" | "tool_calls";

export interface Turn {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  reasoning?: { text: string; signature: string };
}

export interface TurnOptions {
  maxTokens?: number;
  /** The model's output limit: truncates like `maxTokens` when the request set none (engines/limits.ts). */
  outputLimit?: number;
  stop?: readonly string[];
  tools?: readonly ToolDef[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: boolean;
}

export const turnOptions = (req: ChatRequest, reasoning: boolean): TurnOptions => ({
  maxTokens: req.maxTokens,
  stop: req.stop,
  tools: req.tools,
  toolChoice: req.toolChoice,
  parallelToolCalls: req.parallelToolCalls,
  responseFormat: req.responseFormat,
  reasoning,
});

const reasoningFor = (
  messages: readonly ChatMessage[],
  toolCalls: readonly ToolCall[],
): Turn["reasoning"] => {
  const last = messages[messages.length - 1];
  const user = lastUserText(messages);
  const snippet = user.length > 120 ? `${user.slice(0, 120)}...` : user;
  const text =
    toolCalls.length > 0
      ? `The user asked: "${snippet}". I should call ${toolCalls.map((t) => t.name).join(" and ")} to answer.`
      : last?.role === "tool"
        ? "The tool results are in; I will summarise them for the user."
        : `The user asked: "${snippet}". I will answer directly and concisely.`;
  // Real signatures are opaque; a digest of the text is stable and looks the part.
  const signature = createHash("sha256").update(text).digest("base64");
  return { text, signature };
};

export const runTurn = (messages: readonly ChatMessage[], opts: TurnOptions): Turn => {
  const tools = opts.tools ?? [];
  const plan = planTurn(messages, tools, opts.toolChoice ?? { kind: "auto" }, opts.parallelToolCalls ?? true);
  if (plan.calls.length > 0) {
    const turn: Turn = { text: "", toolCalls: plan.calls, finishReason: "tool_calls" };
    if (opts.reasoning) turn.reasoning = reasoningFor(messages, plan.calls);
    return turn;
  }
  let text = contentFor(messages, opts, plan);
  let finishReason: FinishReason = "stop";
  if (opts.stop && opts.stop.length > 0) text = applyStop(text, opts.stop).text;
  const cap = opts.maxTokens ?? opts.outputLimit;
  if (cap !== undefined) {
    const cut = truncateToTokens(text, cap);
    text = cut.text;
    if (cut.truncated) finishReason = "length";
  }
  const turn: Turn = { text, toolCalls: [], finishReason };
  if (opts.reasoning) turn.reasoning = reasoningFor(messages, []);
  return turn;
};

const contentFor = (messages: readonly ChatMessage[], opts: TurnOptions, plan: TurnPlan): string => {
  const format = opts.responseFormat ?? { type: "text" };
  const user = lastUserText(messages);
  const leading = plan.arithmetic ? [plan.arithmetic.value] : [];
  if (format.type === "json_schema") {
    return JSON.stringify(valueForSchema(format.schema, resultFacts(user, plan.past, leading)));
  }
  const reply = answerFromPlan(plan) ?? composeReply(messages, { maxTokens: opts.maxTokens });
  if (format.type === "json_object") {
    return JSON.stringify(jsonObjectFor(messages, reply, resultFacts(user, plan.past, leading)));
  }
  return reply;
};

/** Prompt tokens the OpenAI way: content tokens plus a small per-message overhead, plus tool definitions. */
export const promptTokens = (messages: readonly ChatMessage[], extras = ""): number => {
  let n = 3;
  for (const m of messages) {
    n += 4 + countTokens(m.text);
    for (const tc of m.toolCalls) n += countTokens(tc.name) + countTokens(tc.arguments);
  }
  if (extras.length > 0) n += countTokens(extras);
  return n;
};

/** Completion tokens of a turn (text, tool-call names/arguments and reasoning). */
export const completionTokens = (turn: Turn): number => {
  let n = countTokens(turn.text);
  for (const tc of turn.toolCalls) n += countTokens(tc.name) + countTokens(tc.arguments);
  if (turn.reasoning) n += countTokens(turn.reasoning.text);
  return n;
};
