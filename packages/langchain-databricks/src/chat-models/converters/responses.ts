/**
 * The Responses wire protocol, both directions: chat-completions-shaped wire messages and tools -> Responses
 * input items (`toResponsesInput`, `toResponsesTools`, `toResponsesToolChoice`), Responses objects and stream
 * events -> LangChain results (`parseResponsesObject`, `ResponsesStreamAssembler`), tool calls included.
 */
import { AIMessage, AIMessageChunk, type MessageContent, type ToolCallChunk } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { StreamError } from "../../errors.js";
import { toTokenUsage, toUsageMetadata } from "../usage.js";
import type { WireContentPart, WireMessage, WireTool, WireUsage } from "../wire.js";
import { baseResponseMetadata, parseWireToolCalls } from "./chat-completions.js";

// ---------------------------------------------------------------- request: input items

/** FMAPI rejects Responses item ids longer than this. */
export const MAX_RESPONSES_ID_LENGTH = 64;

type Item = Record<string, unknown>;

/**
 * Shortens an id to 64 characters, keeping its prefix readable and adding a hash of the whole id so two long
 * ids that share a prefix stay distinct (plain truncation would merge them).
 */
export function shortenId(id: string, enabled = true): string {
  if (!enabled || id.length <= MAX_RESPONSES_ID_LENGTH) return id;
  const hash = fnv1a(id, 0x811c9dc5) + fnv1a(id, 0x01000193);
  return `${id.slice(0, MAX_RESPONSES_ID_LENGTH - hash.length - 1)}_${hash}`;
}

/** 32-bit FNV-1a as 8 hex chars: no crypto dependency, so this module also runs in browsers and edge runtimes. */
function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function withPrefix(id: string, prefix: string): string {
  return id.startsWith(prefix) ? id : `${prefix}${id}`;
}

/** Block types the Responses API accepts back verbatim as input items. */
const PASSTHROUGH = new Set([
  "reasoning",
  "web_search_call",
  "file_search_call",
  "computer_call",
  "code_interpreter_call",
  "mcp_call",
  "mcp_list_tools",
  "mcp_approval_request",
  "image_generation_call",
]);

function userContent(content: WireMessage["content"]): string | Item[] {
  if (typeof content === "string" || content == null) return content ?? "";
  return content.map((p: WireContentPart): Item => {
    if (p.type === "text") return { type: "input_text", text: p.text };
    if (p.type === "image_url") {
      const url = (p.image_url as { url?: string } | undefined)?.url;
      return { type: "input_image", image_url: url };
    }
    return p;
  });
}

function assistantItems(m: WireMessage, shorten: boolean): Item[] {
  const items: Item[] = [];
  const texts: Item[] = [];
  const flushText = () => {
    if (texts.length === 0) return;
    items.push({ type: "message", role: "assistant", content: texts.splice(0) });
  };
  const parts: WireContentPart[] =
    typeof m.content === "string"
      ? m.content.trim()
        ? [{ type: "text", text: m.content }]
        : []
      : (m.content ?? []);
  for (const part of parts) {
    if (part.type === "text" || part.type === "output_text") {
      texts.push({ type: "output_text", text: part.text, annotations: part.annotations ?? [] });
    } else if (part.type === "refusal") {
      texts.push({ type: "refusal", refusal: part.refusal });
    } else if (PASSTHROUGH.has(part.type)) {
      flushText();
      const { status: _status, ...rest } = part;
      if (typeof rest.id === "string") rest.id = shortenId(rest.id, shorten);
      items.push(rest);
    }
  }
  flushText();
  for (const tc of m.tool_calls ?? []) {
    const callId = tc.id ?? "";
    items.push({
      type: "function_call",
      id: shortenId(withPrefix(callId, "fc_"), shorten),
      call_id: shortenId(callId, shorten),
      name: tc.function?.name ?? "",
      arguments: tc.function?.arguments ?? "{}",
    });
  }
  return items;
}

/** Chat-completions messages -> Responses `input` items (tool results become `function_call_output`). */
export function toResponsesInput(messages: WireMessage[], shorten: boolean): Item[] {
  const input: Item[] = [];
  for (const m of messages) {
    if (m.role === "assistant") input.push(...assistantItems(m, shorten));
    else if (m.role === "tool") {
      input.push({
        type: "function_call_output",
        call_id: shortenId(m.tool_call_id ?? "", shorten),
        output: typeof m.content === "string" ? m.content : JSON.stringify(m.content),
      });
    } else input.push({ role: m.role, content: userContent(m.content) });
  }
  return input;
}

/** Chat-format tools (`{type:"function", function:{...}}`) -> Responses' flat function tools. */
export function toResponsesTools(tools: WireTool[]): Item[] {
  return tools.map((t) => {
    if (t.type !== "function" || !t.function) return t;
    const out: Item = {
      type: "function",
      name: t.function.name,
      description: t.function.description ?? "",
      parameters: t.function.parameters ?? {},
    };
    if (t.function.strict !== undefined) out.strict = t.function.strict;
    return out;
  });
}

/** Chat-format tool_choice -> Responses tool_choice. */
export function toResponsesToolChoice(choice: unknown): unknown {
  if (choice && typeof choice === "object" && "function" in choice) {
    const fn = (choice as { function?: { name?: string } }).function;
    return { type: "function", name: fn?.name };
  }
  return choice;
}

// ---------------------------------------------------------------- request: parameters

/**
 * Chat-completions `response_format` -> Responses `text.format`, which is flat: `{type: "json_schema", name,
 * schema, strict?, description?}`; `json_object` and `text` carry only their type.
 */
export function toResponsesTextFormat(rf: Item): Item {
  if (rf.type !== "json_schema") return { type: rf.type };
  const js = (typeof rf.json_schema === "object" && rf.json_schema !== null ? rf.json_schema : {}) as Item;
  const format: Item = { type: "json_schema", name: js.name ?? "extract", schema: js.schema };
  if (js.description !== undefined) format.description = js.description;
  if (js.strict !== undefined) format.strict = js.strict;
  return format;
}

/** A terminal Responses stream event (`response.failed` / `error` are raised as errors by the decoder). */
export function isResponsesFinalEvent(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null) return false;
  const p = payload as { type?: unknown; output?: unknown };
  if (p.type === "response.completed" || p.type === "response.incomplete") return true;
  // A whole Responses object sent back to a stream request is complete by itself.
  return p.type === undefined && Array.isArray(p.output);
}

// ---------------------------------------------------------------- response

export interface ResponsesObject {
  id?: string;
  model?: string;
  status?: string;
  output?: Item[];
  usage?: WireUsage | null;
  error?: { message?: string; code?: string } | null;
  custom_outputs?: unknown;
}

/** One output item -> content blocks (text/refusal/reasoning...) and raw tool calls. */
function convertItem(item: Item, shorten: boolean): { blocks: Item[]; call?: Item } {
  // Non-object items carry nothing this client can show; spreading them would corrupt chunk merges.
  if (typeof item !== "object" || item === null || Array.isArray(item)) return { blocks: [] };
  if (item.type === "message" && Array.isArray(item.content)) {
    const blocks = (item.content as Item[]).flatMap((c): Item[] => {
      if (typeof c !== "object" || c === null) return [];
      if (c.type === "output_text") {
        const text = typeof c.text === "string" ? c.text : c.text == null ? "" : JSON.stringify(c.text);
        return [{ type: "text", text, annotations: c.annotations ?? [], id: item.id }];
      }
      if (c.type === "refusal") return [{ type: "refusal", refusal: c.refusal, id: item.id }];
      return [];
    });
    return { blocks };
  }
  if (item.type === "function_call") {
    return {
      blocks: [],
      call: {
        id: shortenId(String(item.call_id ?? item.id ?? ""), shorten),
        type: "function",
        function: { name: item.name, arguments: item.arguments },
      },
    };
  }
  if (item.type === "function_call_output") return { blocks: [] };
  const { status: _status, ...rest } = item;
  return { blocks: [rest] };
}

function endpointError(resp: ResponsesObject): StreamError {
  return new StreamError(`Responses API returned an error: ${resp.error?.message ?? "unknown error"}`, {
    errorCode: resp.error?.code,
  });
}

/** A non-streaming Responses object -> one AIMessage with structured content blocks and tool calls. */
export function parseResponsesObject(resp: ResponsesObject, endpoint: string, shorten: boolean): ChatResult {
  if (resp.error) throw endpointError(resp);
  const blocks: Item[] = [];
  const rawCalls: Item[] = [];
  for (const item of resp.output ?? []) {
    const { blocks: b, call } = convertItem(item, shorten);
    blocks.push(...b);
    if (call) rawCalls.push(call);
  }
  const { toolCalls, invalidToolCalls } = parseWireToolCalls(rawCalls);
  const usage = toUsageMetadata(resp.usage);
  const meta = baseResponseMetadata({ model: resp.model, custom_outputs: resp.custom_outputs }, endpoint);
  meta.finish_reason = toolCalls.length > 0 ? "tool_calls" : (resp.status ?? "stop");
  const additional: Record<string, unknown> = {};
  if (resp.custom_outputs !== undefined) additional.custom_outputs = resp.custom_outputs;
  const message = new AIMessage({
    content: blocks as MessageContent,
    tool_calls: toolCalls,
    invalid_tool_calls: invalidToolCalls,
    usage_metadata: usage,
    response_metadata: meta,
    additional_kwargs: additional,
    id: resp.id,
  });
  return { generations: [{ text: message.text, message }], llmOutput: { tokenUsage: toTokenUsage(usage) } };
}

/**
 * Responses stream events -> LangChain chunks. Text deltas stream as indexed blocks; a message item's
 * `output_item.done` only adds text that never arrived as deltas (no duplicates); function calls arrive whole
 * on `output_item.done`; usage and finish reason are emitted once, from `response.completed`.
 */
export class ResponsesStreamAssembler {
  private id: string | undefined;
  private model: string | undefined;
  private usage: WireUsage | undefined;
  private customOutputs: unknown;
  private readonly streamedItems = new Set<string>();
  private blockIndex = -1;
  private lastBlockKey: string | undefined;
  private toolIndex = 0;

  constructor(
    private readonly endpoint: string,
    private readonly streamUsage: boolean,
    private readonly shorten: boolean,
  ) {}

  push(event: Item): ChatGenerationChunk | undefined {
    if (event.custom_outputs !== undefined) this.customOutputs = event.custom_outputs;
    const type = event.type;
    const response = event.response as ResponsesObject | undefined;
    if (response) {
      this.id ??= response.id;
      this.model ??= response.model;
      if (response.usage) this.usage = response.usage;
      if (response.custom_outputs !== undefined) this.customOutputs = response.custom_outputs;
    }
    if (type === "error" || type === "response.failed" || type === "response.error") {
      const message = (event.message ??
        response?.error?.message ??
        (event.error as Item | undefined)?.message) as string | undefined;
      throw new StreamError(`Responses stream reported an error: ${message ?? "unknown error"}`, {
        errorCode: typeof event.code === "string" ? event.code : undefined,
      });
    }
    if (type === undefined && Array.isArray(event.output))
      return this.wholeResponse(event as ResponsesObject);
    if (type === "response.output_text.delta" && typeof event.delta === "string") {
      const itemId = String(event.item_id ?? "");
      this.streamedItems.add(itemId);
      return this.chunk([{ type: "text", text: event.delta, ...this.index(`text:${itemId}`) }], []);
    }
    if (type === "response.output_item.done" && event.item && typeof event.item === "object") {
      const item = event.item as Item;
      if (item.type === "message" && this.streamedItems.has(String(item.id ?? ""))) return undefined;
      const { blocks, call } = convertItem(item, this.shorten);
      const toolChunks: ToolCallChunk[] = call
        ? [
            {
              type: "tool_call_chunk",
              index: this.toolIndex++,
              id: call.id as string,
              name: (call.function as Item).name as string,
              args: ((call.function as Item).arguments as string) ?? "",
            },
          ]
        : [];
      const indexed = blocks.map((b) => ({
        ...b,
        ...this.index(`${String(b.type)}:${String(item.id ?? `item${this.blockIndex + 1}`)}`),
      }));
      if (indexed.length === 0 && toolChunks.length === 0) return undefined;
      return this.chunk(indexed, toolChunks);
    }
    return undefined;
  }

  /** A non-streaming Responses object sent back to a stream request: all its items as one chunk. */
  private wholeResponse(resp: ResponsesObject): ChatGenerationChunk | undefined {
    if (resp.error) throw endpointError(resp);
    this.id ??= resp.id;
    this.model ??= resp.model;
    if (resp.usage) this.usage = resp.usage;
    if (resp.custom_outputs !== undefined) this.customOutputs = resp.custom_outputs;
    const blocks: Item[] = [];
    const toolChunks: ToolCallChunk[] = [];
    for (const item of resp.output ?? []) {
      const { blocks: b, call } = convertItem(item, this.shorten);
      blocks.push(
        ...b.map((block) => ({ ...block, ...this.index(`${String(block.type)}:${String(item.id)}`) })),
      );
      if (call) {
        const fn = call.function as Item;
        toolChunks.push({
          type: "tool_call_chunk",
          index: this.toolIndex++,
          id: call.id as string,
          name: fn.name as string,
          args: (fn.arguments as string) ?? "",
        });
      }
    }
    return blocks.length || toolChunks.length ? this.chunk(blocks, toolChunks) : undefined;
  }

  finish(hadToolCalls: boolean): ChatGenerationChunk {
    const usage = this.streamUsage ? toUsageMetadata(this.usage) : undefined;
    const meta = baseResponseMetadata({ model: this.model }, this.endpoint);
    meta.finish_reason = hadToolCalls || this.toolIndex > 0 ? "tool_calls" : "stop";
    if (this.customOutputs !== undefined) meta.custom_outputs = this.customOutputs;
    const message = new AIMessageChunk({
      content: "",
      usage_metadata: usage,
      response_metadata: meta,
      id: this.id,
    });
    return new ChatGenerationChunk({
      message,
      text: "",
      generationInfo: { finish_reason: meta.finish_reason },
    });
  }

  /** Blocks from the same output item share an index so LangChain merges their deltas into one block. */
  private index(key: string): { index: number } {
    if (key !== this.lastBlockKey) {
      this.blockIndex += 1;
      this.lastBlockKey = key;
    }
    return { index: this.blockIndex };
  }

  private chunk(content: Item[], toolCallChunks: ToolCallChunk[]): ChatGenerationChunk {
    const message = new AIMessageChunk({
      content: content as MessageContent,
      tool_call_chunks: toolCallChunks,
      id: this.id,
    });
    const text = content.map((b) => (b.type === "text" && typeof b.text === "string" ? b.text : "")).join("");
    return new ChatGenerationChunk({ message, text });
  }
}
