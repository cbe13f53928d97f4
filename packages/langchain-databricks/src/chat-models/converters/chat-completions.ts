/**
 * The chat-completions wire protocol, both directions: LangChain messages and tools -> request body
 * (`toWireMessages`, `toWireTools`, `toWireToolChoice`), response body -> LangChain results (`parseChatResponse`,
 * tool calls included). Streaming chunks are assembled in `chat-completions-stream.ts`.
 */
import type { BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  type BaseMessage,
  type ChatMessage,
  type InvalidToolCall,
  type MessageContent,
  type ToolCall,
  type ToolMessage,
} from "@langchain/core/messages";
import { makeInvalidToolCall, parseToolCall } from "@langchain/core/output_parsers/openai_tools";
import type { ChatGeneration, ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { ConfigError } from "../../errors.js";
import { contentToText, toWireContent } from "../content.js";
import { toTokenUsage, toUsageMetadata } from "../usage.js";
import type {
  WireChatResponse,
  WireContentPart,
  WireMessage,
  WireTool,
  WireToolCall,
  WireToolChoice,
} from "../wire.js";

// ---------------------------------------------------------------- request: messages

export interface MessageConversionOptions {
  /** Claude rejects empty text next to tool calls: send a single space instead of null. */
  spaceForEmptyToolCallContent: boolean;
}

function aiToolCalls(message: AIMessage): WireToolCall[] {
  const calls: WireToolCall[] = [];
  for (const tc of message.tool_calls ?? []) {
    calls.push({
      id: tc.id ?? "",
      type: "function",
      function: { name: tc.name, arguments: JSON.stringify(tc.args ?? {}) },
    });
  }
  for (const tc of message.invalid_tool_calls ?? []) {
    calls.push({
      id: tc.id ?? "",
      type: "function",
      function: { name: tc.name ?? "", arguments: tc.args ?? "" },
    });
  }
  if (calls.length > 0) return calls;
  const raw = message.additional_kwargs?.tool_calls;
  if (!Array.isArray(raw)) return calls;
  return raw.map((c) => ({ id: c.id, type: c.type ?? "function", function: c.function }));
}

function convertAssistant(message: AIMessage, opts: MessageConversionOptions): WireMessage {
  const content = toWireContent(message.content, { keepReasoning: true });
  const toolCalls = aiToolCalls(message);
  const out: WireMessage = { role: "assistant", content };
  if (toolCalls.length > 0) {
    out.tool_calls = toolCalls;
    const empty = typeof content === "string" ? content.trim() === "" : content.length === 0;
    if (empty) out.content = opts.spaceForEmptyToolCallContent ? " " : null;
  }
  return out;
}

/**
 * LangChain messages -> chat-completions `messages`. `name` is never sent (FMAPI rejects it); function
 * messages are refused with a clear error since Databricks has no function role.
 */
export function toWireMessages(messages: BaseMessage[], opts: MessageConversionOptions): WireMessage[] {
  return messages.map((message, i): WireMessage => {
    const type = message.getType();
    switch (type) {
      case "system":
        return { role: "system", content: toWireContent(message.content, { keepReasoning: false }) };
      case "human":
        return { role: "user", content: toWireContent(message.content, { keepReasoning: false }) };
      case "ai":
        if (message.additional_kwargs?.function_call) throw functionMessageError(i);
        return convertAssistant(message as AIMessage, opts);
      case "tool":
        return {
          role: "tool",
          tool_call_id: (message as ToolMessage).tool_call_id,
          content: contentToText(message.content),
        };
      case "function":
        throw functionMessageError(i);
      case "generic": {
        const role = (message as ChatMessage).role;
        if (role === "assistant" && AIMessage.isInstance(message)) return convertAssistant(message, opts);
        return { role, content: toWireContent(message.content, { keepReasoning: role === "assistant" }) };
      }
      default:
        throw new ConfigError(
          `Message ${i} has type "${type}", which ChatDatabricks cannot send. Use system, human, ai or tool messages.`,
        );
    }
  });
}

function functionMessageError(i: number) {
  return new ConfigError(
    `Message ${i} is a function message (legacy OpenAI function calling), which Databricks does not support. ` +
      "Use tool calls (AIMessage.tool_calls) and ToolMessage instead.",
  );
}

// ---------------------------------------------------------------- request: tools

/** Any LangChain tool (StructuredTool, RunnableToolLike, `{name, schema}` params, OpenAI format) -> OpenAI tool. */
export function toWireTools(tools: BindToolsInput[], strict?: boolean): WireTool[] {
  return tools.map((tool) => {
    const converted = convertToOpenAITool(tool, strict === undefined ? undefined : { strict }) as WireTool;
    // Databricks validation requires `parameters`; a tool without arguments gets an empty object schema.
    if (converted.type === "function" && converted.function && !converted.function.parameters) {
      converted.function = { ...converted.function, parameters: { type: "object", properties: {} } };
    }
    return converted;
  });
}

function toolNames(tools: WireTool[] | undefined): string[] {
  return (tools ?? []).flatMap((t) =>
    t.function?.name ? [t.function.name] : typeof t.name === "string" ? [t.name] : [],
  );
}

/**
 * LangChain `tool_choice` -> the wire value: "any" means "required"; a tool name (or function object) must
 * name a bound tool, so a typo fails here with the list of valid names instead of as an opaque 400.
 */
export function toWireToolChoice(
  choice: ToolChoice | undefined,
  tools: WireTool[] | undefined,
): WireToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  if (choice === "any") return "required";
  let name: string | undefined;
  if (typeof choice === "string") name = choice;
  else if (typeof choice === "object") {
    const fn = (choice as { function?: { name?: unknown }; name?: unknown }).function;
    const candidate = fn?.name ?? (choice as { name?: unknown }).name;
    if (typeof candidate === "string") name = candidate;
  }
  if (name === undefined) {
    throw new ConfigError(
      `Unrecognized tool_choice ${JSON.stringify(choice)}. Use "auto", "none", "any", "required", a tool name, ` +
        'or {type: "function", function: {name}}.',
    );
  }
  const names = toolNames(tools);
  if (!names.includes(name)) {
    throw new ConfigError(
      `tool_choice names the tool "${name}", but the bound tools are: ${names.length ? names.join(", ") : "(none)"}. ` +
        "Bind that tool with bindTools() or choose one of the bound tools.",
    );
  }
  return { type: "function", function: { name } };
}

/** Non-GPT Databricks models reject `strict` inside tool functions; drop it there. */
export function stripStrict(tools: WireTool[]): WireTool[] {
  return tools.map((t) => {
    if (!t.function || !("strict" in t.function)) return t;
    const { strict: _ignored, ...fn } = t.function;
    return { ...t, function: fn };
  });
}

// ---------------------------------------------------------------- response

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
