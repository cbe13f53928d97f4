import { AIMessageChunk, type MessageContent, type ToolCallChunk } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { toUsageMetadata } from "../usage.js";
import type { WireChatResponse, WireContentPart, WireToolCall, WireUsage } from "../wire.js";
import { baseResponseMetadata } from "./chat-completions.js";

type Block = Record<string, unknown>;

/**
 * Turns chat-completion (or ChatAgent) stream chunks into LangChain chunks.
 *
 * LangChain concatenates chunk metadata (strings joined, numbers and usage summed), so everything that must
 * appear once — usage, finish reason, model name — is held back and emitted on a single final chunk. Databricks
 * sends cumulative usage on every chunk (FMAPI) or one usage-only chunk at the end (OpenAI style): either way the
 * last non-null usage is the total.
 */
export class ChatStreamAssembler {
  private usage: WireUsage | undefined;
  /** Last `custom_outputs` seen: emitted once, on the final chunk (merging per-chunk values sums numbers or throws). */
  private customOutputs: unknown;
  private finishReason: string | undefined;
  private lastResponse: WireChatResponse = {};
  private id: string | undefined;
  /** Once any list content arrives, text is emitted as indexed blocks so merged content stays tidy. */
  private listMode = false;
  private blockIndex = -1;
  private blockType: string | undefined;
  private toolIndexById = new Map<string, number>();
  private lastToolIndex = -1;
  private nextToolIndex = 0;

  constructor(
    private readonly endpoint: string,
    private readonly streamUsage: boolean,
  ) {}

  /** Converts one wire chunk; yields nothing for usage-only or empty chunks. */
  push(chunk: WireChatResponse): ChatGenerationChunk | undefined {
    this.lastResponse = chunk;
    if (typeof chunk.id === "string" && chunk.id) this.id ??= chunk.id;
    if (chunk.usage) this.usage = chunk.usage;
    if (chunk.custom_outputs !== undefined) this.customOutputs = chunk.custom_outputs;

    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    // Endpoints that cannot stream answer a stream request with one plain JSON body (`message`, or a ChatAgent
    // `messages` list); treat that as a single delta so `.stream()` still works against them.
    const delta =
      choice?.delta ??
      choice?.message ??
      (Array.isArray(chunk.choices) ? undefined : (chunk.delta ?? lastAssistant(chunk.messages)));
    const finish = choice?.finish_reason ?? (Array.isArray(chunk.choices) ? undefined : chunk.finish_reason);
    if (finish) this.finishReason = finish;
    if (!delta) return undefined;

    const content = this.convertContent(delta?.content);
    const toolCallChunks = this.convertToolCalls(delta?.tool_calls);
    const additional: Record<string, unknown> = {};
    if (delta?.tool_calls?.length) additional.tool_calls = delta.tool_calls;
    const message = new AIMessageChunk({
      content: content as MessageContent,
      tool_call_chunks: toolCallChunks,
      additional_kwargs: additional,
      response_metadata: {},
      id: this.id,
    });
    return new ChatGenerationChunk({
      message,
      text: typeof content === "string" ? content : textOf(content),
    });
  }

  /** Records usage seen elsewhere in the stream (with n > 1, usage may ride on another choice's chunk). */
  noteUsage(usage: WireUsage | undefined): void {
    if (usage) this.usage = usage;
  }

  /** The single closing chunk: finish reason, model, and (when requested) usage. */
  finish(): ChatGenerationChunk {
    const usage = this.streamUsage ? toUsageMetadata(this.usage) : undefined;
    const meta = baseResponseMetadata(
      { ...this.lastResponse, custom_outputs: this.customOutputs },
      this.endpoint,
    );
    if (this.finishReason) meta.finish_reason = this.finishReason;
    const message = new AIMessageChunk({
      content: "",
      usage_metadata: usage,
      response_metadata: meta,
      additional_kwargs: this.customOutputs !== undefined ? { custom_outputs: this.customOutputs } : {},
      id: this.id,
    });
    return new ChatGenerationChunk({
      message,
      text: "",
      generationInfo: this.finishReason ? { finish_reason: this.finishReason } : {},
    });
  }

  private convertContent(raw: unknown): string | Block[] {
    if (raw == null) return "";
    if (typeof raw === "string") {
      if (!this.listMode || raw === "") return raw;
      return [this.indexed({ type: "text", text: raw })];
    }
    if (!Array.isArray(raw)) return "";
    this.listMode = true;
    return (raw as WireContentPart[]).map((p) => {
      if (typeof p !== "object" || p === null || Array.isArray(p)) {
        return this.indexed({ type: "text", text: textValue(p) });
      }
      // LangChain concatenates `text` across chunks of one block: a non-string would make the merge throw.
      const part: Block = "text" in p ? { ...p, text: textValue(p.text) } : { ...p };
      if (part.type !== "reasoning" || !("summary" in part)) return this.indexed(part);
      if (!Array.isArray(part.summary)) {
        const { summary: _notAList, ...rest } = part;
        return this.indexed(rest);
      }
      // Summary items are `{type: "summary_text", text}`; anything else is normalised to that shape.
      const summary = (part.summary as unknown[]).map((item, j) => {
        const rec = typeof item === "object" && item !== null ? (item as Block) : { text: item };
        const type = typeof rec.type === "string" ? rec.type : "summary_text";
        return { ...rec, type, text: textValue(rec.text), index: j };
      });
      return this.indexed({ ...part, summary });
    });
  }

  /** Consecutive blocks of the same type share an index so LangChain merges them into one block. */
  private indexed(block: Block): Block {
    const type = String(block.type);
    if (type !== this.blockType) {
      this.blockIndex += 1;
      this.blockType = type;
    }
    return { ...block, index: this.blockIndex };
  }

  private convertToolCalls(raw: WireToolCall[] | undefined): ToolCallChunk[] {
    if (!raw?.length) return [];
    return raw.map((tc) => {
      const index = this.toolIndex(tc);
      return {
        type: "tool_call_chunk",
        index,
        id: typeof tc?.id === "string" ? tc.id : undefined,
        name: typeof tc?.function?.name === "string" ? tc.function.name : undefined,
        // Argument fragments are concatenated across chunks: they must be strings for the merge to work.
        args: textValue(tc?.function?.arguments),
      };
    });
  }

  /** Some endpoints omit `index` on tool-call deltas: a new id starts a new call, no id continues the last one. */
  private toolIndex(tc: WireToolCall): number {
    let index: number;
    if (typeof tc.index === "number") index = tc.index;
    else if (tc.id && this.toolIndexById.has(tc.id)) index = this.toolIndexById.get(tc.id) as number;
    else if (tc.id || this.lastToolIndex < 0) index = this.nextToolIndex;
    else index = this.lastToolIndex;
    if (tc.id) this.toolIndexById.set(tc.id, index);
    this.lastToolIndex = index;
    this.nextToolIndex = Math.max(this.nextToolIndex, index + 1);
    return index;
  }
}

function lastAssistant(messages: WireChatResponse["messages"]): WireChatResponse["delta"] {
  return messages?.filter((m) => m.role === "assistant").at(-1);
}

/** A text field as a string (`null`/absent -> "", other non-strings -> JSON), so chunks always merge. */
function textValue(v: unknown): string {
  if (typeof v === "string") return v;
  return v == null ? "" : JSON.stringify(v);
}

function textOf(blocks: Block[]): string {
  return blocks.map((b) => (b.type === "text" && typeof b.text === "string" ? b.text : "")).join("");
}

/**
 * Streams of `n > 1` choices: one {@link ChatStreamAssembler} per choice `index`, every chunk tagged with
 * `generationInfo.index` (LangChain copies it into `response_metadata.index`, a key its merge never sums), so the
 * choices can be told apart and `invoke` can rebuild one generation per choice. Usage belongs to the whole
 * response and is emitted once, on choice 0's closing chunk.
 */
export class MultiChoiceStreamAssembler {
  private readonly byIndex = new Map<number, ChatStreamAssembler>();

  constructor(
    private readonly endpoint: string,
    private readonly streamUsage: boolean,
  ) {}

  private get(index: number): ChatStreamAssembler {
    let a = this.byIndex.get(index);
    if (!a) {
      a = new ChatStreamAssembler(this.endpoint, this.streamUsage && index === 0);
      this.byIndex.set(index, a);
    }
    return a;
  }

  /** Converts one wire chunk into zero or more chunks, one per choice it carries. */
  push(chunk: WireChatResponse): ChatGenerationChunk[] {
    const out: ChatGenerationChunk[] = [];
    const choices = Array.isArray(chunk.choices) ? chunk.choices : undefined;
    if (!choices || choices.length === 0) {
      const c = this.get(0).push(chunk);
      if (c) out.push(tagChoice(c, 0));
      return out;
    }
    for (const choice of choices) {
      const index = typeof choice?.index === "number" ? choice.index : 0;
      const c = this.get(index).push({ ...chunk, choices: [choice] });
      if (c) out.push(tagChoice(c, index));
    }
    if (chunk.usage) this.get(0).noteUsage(chunk.usage);
    return out;
  }

  /** One closing chunk per choice, in index order. */
  finish(): ChatGenerationChunk[] {
    if (this.byIndex.size === 0) this.get(0);
    return [...this.byIndex.keys()].sort((a, b) => a - b).map((i) => tagChoice(this.get(i).finish(), i));
  }
}

function tagChoice(chunk: ChatGenerationChunk, index: number): ChatGenerationChunk {
  chunk.generationInfo = { ...chunk.generationInfo, index };
  return chunk;
}
