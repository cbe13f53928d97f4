/**
 * `agent/v1/responses` engine and the `/serving-endpoints/responses` route: an OpenAI Responses API stand-in
 * (ResponsesAgent and GPT-style FMAPI endpoints). Deterministic; same reply/tool rules as chat. Rejects input
 * item ids longer than 64 characters like FMAPI. `custom_inputs` is echoed as `custom_outputs`.
 */
import { parseResponseFormat, type ResponseFormat } from "./chat-request.js";
import type { EngineHandler, EngineModel } from "./contract.js";
import { completionTokens, promptTokens, runTurn, type Turn } from "./generate.js";
import { itemId, nowSeconds, responseId } from "./ids.js";
import { checkTokenLimits } from "./limits.js";
import { streamPieces } from "./reply.js";
import { parseResponsesInput } from "./responses-input.js";
import { countTokens } from "./tokenizer.js";
import { parseResponsesTools, parseToolChoice } from "./tool-defs.js";
import {
  fail,
  isObject,
  type Json,
  optBool,
  optInt,
  optNumber,
  optObject,
  optString,
  rejectUnknown,
  requireObjectBody,
} from "./validate.js";

const RESPONSES_KEYS = new Set([
  "input",
  "model",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "temperature",
  "top_p",
  "max_output_tokens",
  "stream",
  "stream_options",
  "custom_inputs",
  "context",
  "metadata",
  "reasoning",
  "text",
  "store",
  "user",
  "include",
  "truncation",
  "previous_response_id",
  "top_logprobs",
  "max_tool_calls",
  "service_tier",
  "prompt_cache_key",
  "safety_identifier",
]);

/** `text.format` in Responses is flat (`{type:"json_schema", name, schema}`); map it to the chat shape. */
const textFormat = (text: Json | undefined): ResponseFormat => {
  const format = text ? optObject(text, "format", "text.format") : undefined;
  if (!format) return { type: "text" };
  if (format.type !== "json_schema") return parseResponseFormat({ type: format.type });
  const { type: _t, ...jsonSchema } = format;
  return parseResponseFormat({ type: "json_schema", json_schema: jsonSchema });
};

const formatJson = (f: ResponseFormat): Json =>
  f.type === "json_schema" ? { type: "json_schema", name: f.name, schema: f.schema } : { type: f.type };

export const runResponses: EngineHandler = (raw, model) => {
  const body = requireObjectBody(raw);
  rejectUnknown(body, RESPONSES_KEYS);
  const instructions = optString(body, "instructions");
  const messages = parseResponsesInput(body.input, instructions);
  const tools = parseResponsesTools(body.tools);
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  optNumber(body, "temperature", { min: 0, max: 2 });
  optNumber(body, "top_p", { min: 0, max: 1, exclusiveMin: true });
  const maxTokens = optInt(body, "max_output_tokens", { min: 16, max: 1_000_000 });
  const stream = optBool(body, "stream") ?? false;
  const parallel = optBool(body, "parallel_tool_calls") ?? true;
  const customInputs = optObject(body, "custom_inputs");
  const reasoningParam = optObject(body, "reasoning");
  const text = optObject(body, "text");
  const format = textFormat(text);
  const metadata = optObject(body, "metadata") ?? {};
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw fail(`"previous_response_id" is not supported: send the full conversation in "input"`);
  }
  const reasoning = model.reasoning === true && (model.family !== "claude" || reasoningParam !== undefined);
  const prompt = promptTokens(messages, tools.length > 0 ? JSON.stringify(body.tools) : "");
  checkTokenLimits(model, prompt, maxTokens, "max_output_tokens");
  const turn = runTurn(messages, {
    maxTokens,
    outputLimit: model.maxOutputTokens,
    tools,
    toolChoice,
    parallelToolCalls: parallel,
    responseFormat: format,
    reasoning,
  });
  const response: Json = {
    id: responseId(),
    object: "response",
    created_at: nowSeconds(),
    status: turn.finishReason === "length" ? "incomplete" : "completed",
    error: null,
    incomplete_details: turn.finishReason === "length" ? { reason: "max_output_tokens" } : null,
    instructions: instructions ?? null,
    max_output_tokens: maxTokens ?? null,
    model: model.modelName,
    output: outputItems(turn),
    parallel_tool_calls: parallel,
    temperature: typeof body.temperature === "number" ? body.temperature : 1,
    tool_choice:
      isObject(body.tool_choice) || typeof body.tool_choice === "string" ? body.tool_choice : "auto",
    tools: body.tools ?? [],
    top_p: typeof body.top_p === "number" ? body.top_p : 1,
    text: { format: formatJson(format) },
    metadata,
    usage: usageOf(prompt, turn),
  };
  if (customInputs) response.custom_outputs = customInputs;
  if (stream) return { kind: "stream", events: streamResponse(response, turn, model) };
  return { kind: "json", body: response };
};

const usageOf = (prompt: number, turn: Turn): Json => {
  const output = completionTokens(turn);
  return {
    input_tokens: prompt,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: turn.reasoning ? countTokens(turn.reasoning.text) : 0 },
    total_tokens: prompt + output,
  };
};

const outputItems = (turn: Turn): Json[] => {
  const items: Json[] = [];
  if (turn.reasoning) {
    items.push({
      type: "reasoning",
      id: itemId("rs"),
      summary: [{ type: "summary_text", text: turn.reasoning.text }],
    });
  }
  for (const tc of turn.toolCalls) {
    items.push({
      type: "function_call",
      id: itemId("fc"),
      call_id: tc.id,
      name: tc.name,
      arguments: tc.arguments,
      status: "completed",
    });
  }
  if (turn.toolCalls.length === 0) {
    items.push({
      type: "message",
      id: itemId("msg"),
      status: turn.finishReason === "length" ? "incomplete" : "completed",
      role: "assistant",
      content: [{ type: "output_text", text: turn.text, annotations: [] }],
    });
  }
  return items;
};

/** OpenAI Responses stream events (data-only SSE), each with a `sequence_number`. */
function* streamResponse(response: Json, turn: Turn, _model: EngineModel): Generator<Json> {
  let seq = 0;
  const ev = (type: string, fields: Json): Json => ({ type, sequence_number: seq++, ...fields });
  const items = response.output as Json[];
  const snapshot = { ...response, status: "in_progress", output: [], incomplete_details: null, usage: null };
  yield ev("response.created", { response: snapshot });
  yield ev("response.in_progress", { response: snapshot });
  for (let outputIndex = 0; outputIndex < items.length; outputIndex++) {
    const item = items[outputIndex] as Json;
    const itemIdValue = item.id as string;
    if (item.type === "message") {
      yield ev("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, status: "in_progress", content: [] },
      });
      const part = { type: "output_text", text: "", annotations: [] };
      yield ev("response.content_part.added", {
        item_id: itemIdValue,
        output_index: outputIndex,
        content_index: 0,
        part,
      });
      for (const delta of streamPieces(turn.text)) {
        yield ev("response.output_text.delta", {
          item_id: itemIdValue,
          output_index: outputIndex,
          content_index: 0,
          delta,
          logprobs: [],
        });
      }
      yield ev("response.output_text.done", {
        item_id: itemIdValue,
        output_index: outputIndex,
        content_index: 0,
        text: turn.text,
        logprobs: [],
      });
      yield ev("response.content_part.done", {
        item_id: itemIdValue,
        output_index: outputIndex,
        content_index: 0,
        part: { ...part, text: turn.text },
      });
    } else if (item.type === "function_call") {
      yield ev("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, status: "in_progress", arguments: "" },
      });
      const args = item.arguments as string;
      yield ev("response.function_call_arguments.delta", {
        item_id: itemIdValue,
        output_index: outputIndex,
        delta: args,
      });
      yield ev("response.function_call_arguments.done", {
        item_id: itemIdValue,
        output_index: outputIndex,
        arguments: args,
      });
    } else {
      yield ev("response.output_item.added", { output_index: outputIndex, item: { ...item, summary: [] } });
    }
    yield ev("response.output_item.done", { output_index: outputIndex, item });
  }
  const done: Json = { response };
  if (response.custom_outputs !== undefined) done.custom_outputs = response.custom_outputs;
  yield ev(response.status === "incomplete" ? "response.incomplete" : "response.completed", done);
}
