import {
  AIMessage,
  type BaseMessage,
  type InvalidToolCall,
  type MessageContent,
  type ToolCall,
} from "@langchain/core/messages";
import { makeInvalidToolCall, parseToolCall } from "@langchain/core/output_parsers/openai_tools";
import type { ChatGeneration, ChatResult } from "@langchain/core/outputs";
import { toTokenUsage, toUsageMetadata } from "./usage.js";
import type { WireChatResponse, WireContentPart, WireMessage, WireToolCall } from "./wire.js";

export const MODEL_PROVIDER = "databricks";

/**
 * A generation's text. `message.text` runs core's three content-block translators on every call; for string
 * content (nearly every chat answer) that is the content itself, at no cost on the invoke hot path.
 */
export function generationText(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : message.text;
}

/** Parses raw tool calls; a call whose arguments are not valid JSON becomes an invalid tool call, never a throw. */
export function parseWireToolCalls(raw: WireToolCall[] | undefined): {
  toolCalls: ToolCall[];
  invalidToolCalls: InvalidToolCall[];
} {
  const toolCalls: ToolCall[] = [];
  const invalidToolCalls: InvalidToolCall[] = [];
  for (const call of raw ?? []) {
    const normalised = {
      ...call,
      function: { name: call.function?.name ?? "", arguments: call.function?.arguments || "{}" },
    };
    try {
      toolCalls.push(parseToolCall(normalised, { returnId: true }) as ToolCall);
    } catch (e) {
      invalidToolCalls.push(makeInvalidToolCall(normalised, e instanceof Error ? e.message : String(e)));
    }
  }
  return { toolCalls, invalidToolCalls };
}

/** Response content: strings stay strings; part lists (reasoning + text) stay structured, never JSON-stringified. */
function messageContent(content: WireMessage["content"]): string | WireContentPart[] {
  if (content == null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content;
  return JSON.stringify(content);
}

/** Common `response_metadata`: `model` (what the standard tests read) and `model_name` (what OpenAI code reads). */
export function baseResponseMetadata(resp: WireChatResponse, endpoint: string): Record<string, unknown> {
  const model = typeof resp.model === "string" && resp.model ? resp.model : endpoint;
  const meta: Record<string, unknown> = { model_provider: MODEL_PROVIDER, model, model_name: model };
  if (resp.system_fingerprint) meta.system_fingerprint = resp.system_fingerprint;
  if (resp.custom_outputs !== undefined) meta.custom_outputs = resp.custom_outputs;
  return meta;
}

/** ChatAgent (`messages` without `choices`): the agent's turn becomes one AIMessage, last assistant text as content. */
function parseChatAgent(resp: WireChatResponse, endpoint: string): ChatResult {
  const messages = resp.messages ?? [];
  const assistant = messages.filter((m) => m.role === "assistant");
  const last = assistant.at(-1);
  const { toolCalls, invalidToolCalls } = parseWireToolCalls(last?.tool_calls);
  const usage = toUsageMetadata(resp.usage);
  const meta: Record<string, unknown> = { ...baseResponseMetadata(resp, endpoint), agent_messages: messages };
  if (resp.finish_reason) meta.finish_reason = resp.finish_reason;
  const message = new AIMessage({
    content: messageContent(last?.content) as MessageContent,
    tool_calls: toolCalls,
    invalid_tool_calls: invalidToolCalls,
    usage_metadata: usage,
    response_metadata: meta,
    id: typeof resp.id === "string" ? resp.id : last?.id,
  });
  if (resp.custom_outputs !== undefined) message.additional_kwargs.custom_outputs = resp.custom_outputs;
  return {
    generations: [{ text: generationText(message), message }],
    llmOutput: { tokenUsage: toTokenUsage(usage) },
  };
}

/**
 * Chat completion (or ChatAgent) JSON -> ChatResult with one generation per choice.
 *
 * Where metadata lives is a measured choice. Core copies each `generationInfo` and then, for a single generation,
 * `llmOutput` into `response_metadata` (`{...generationInfo, ...response_metadata}`, `{...llmOutput, ...merged}`),
 * and V8 (Node 20) copies every property of such a spread's second operand the slow way, about 1 µs each: a full
 * `response_metadata` cost ~12 µs per invoke. With one choice, the response-wide fields therefore ride in
 * `llmOutput` (a spread's fast first operand) and the message's own `response_metadata` starts empty; after core's
 * merge the caller sees the same keys as before. With `n > 1` core does not merge `llmOutput`, so each message
 * carries them itself.
 */
export function parseChatResponse(resp: WireChatResponse, endpoint: string): ChatResult {
  if (!Array.isArray(resp.choices) && Array.isArray(resp.messages)) return parseChatAgent(resp, endpoint);
  const usage = toUsageMetadata(resp.usage);
  const choices = resp.choices ?? [];
  const shared = baseResponseMetadata(resp, endpoint);
  if (resp.usage) shared.usage = resp.usage;
  const single = choices.length === 1;
  const generations: ChatGeneration[] = choices.map((choice, i) => {
    const wire = choice.message ?? { role: "assistant", content: "" };
    const { toolCalls, invalidToolCalls } = parseWireToolCalls(wire.tool_calls);
    const generationInfo: Record<string, unknown> = {};
    if (choice.finish_reason) generationInfo.finish_reason = choice.finish_reason;
    if (choice.logprobs != null) generationInfo.logprobs = choice.logprobs;
    const additional: Record<string, unknown> = {};
    if (wire.tool_calls?.length) additional.tool_calls = wire.tool_calls;
    if (resp.custom_outputs !== undefined) additional.custom_outputs = resp.custom_outputs;
    const message = new AIMessage({
      content: messageContent(wire.content) as MessageContent,
      tool_calls: toolCalls,
      invalid_tool_calls: invalidToolCalls,
      additional_kwargs: additional,
      // Usage belongs to the whole response; attach it to the first choice only so sums stay right.
      usage_metadata: i === 0 ? usage : undefined,
      response_metadata: single ? {} : { ...shared, ...generationInfo },
      id: typeof resp.id === "string" ? resp.id : undefined,
    });
    return { text: generationText(message), message, generationInfo };
  });
  const tokenUsage = toTokenUsage(usage);
  if (!single) return { generations, llmOutput: { tokenUsage, model: shared.model } };
  shared.tokenUsage = tokenUsage; // set, not `{...shared, tokenUsage}`: that literal is the same slow copy
  return { generations, llmOutput: shared };
}
