import { isRecord } from "../utils/is-record.js";
import type { WireContentPart } from "./wire.js";

/** A LangChain content block as it appears in `message.content` arrays (loosely typed on purpose). */
type Block = Record<string, unknown> & { type?: unknown };

/** Block types that describe tool calls in other providers' formats; tool calls travel in `tool_calls` instead. */
const TOOL_CALL_BLOCKS = new Set([
  "tool_use",
  "tool_call",
  "function_call",
  "functionCall",
  "tool_call_chunk",
]);

function dataUrl(mime: unknown, data: unknown): string {
  return `data:${typeof mime === "string" && mime ? mime : "image/png"};base64,${String(data)}`;
}

/** Image blocks in any LangChain flavour (OpenAI `image_url`, v0 data blocks, v1 standard blocks) -> `image_url`. */
function toImagePart(block: Block): WireContentPart | undefined {
  if (block.type === "image_url") {
    const url = typeof block.image_url === "string" ? { url: block.image_url } : block.image_url;
    return { type: "image_url", image_url: url };
  }
  if (block.type !== "image") return undefined;
  const mime = block.mime_type ?? block.mimeType;
  if (block.source_type === "base64" || (block.source_type === undefined && typeof block.data === "string")) {
    return { type: "image_url", image_url: { url: dataUrl(mime, block.data) } };
  }
  const url = block.url ?? (block.source_type === "url" ? block.data : undefined);
  if (typeof url === "string") return { type: "image_url", image_url: { url } };
  return undefined;
}

/** Strips the merge bookkeeping (`index`) that streamed blocks carry; the API does not accept it. */
function withoutIndex(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIndex);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== "index") out[k] = withoutIndex(v);
  return out;
}

/**
 * Reasoning blocks in any flavour -> Databricks' `{type:"reasoning", summary:[...]}`, keeping signatures so
 * a Claude thinking turn can be replayed verbatim in the next request.
 */
function toReasoningPart(block: Block): WireContentPart | undefined {
  if (block.type === "reasoning" && Array.isArray(block.summary)) {
    return withoutIndex(block) as WireContentPart;
  }
  if (block.type === "reasoning" && typeof block.reasoning === "string") {
    const item: Record<string, unknown> = { type: "summary_text", text: block.reasoning };
    if (typeof block.signature === "string") item.signature = block.signature;
    return { type: "reasoning", summary: [item] };
  }
  if (block.type === "thinking" && typeof block.thinking === "string") {
    const item: Record<string, unknown> = { type: "summary_text", text: block.thinking };
    if (typeof block.signature === "string") item.signature = block.signature;
    return { type: "reasoning", summary: [item] };
  }
  if (block.type === "redacted_thinking" && typeof block.data === "string") {
    return { type: "reasoning", summary: [{ type: "summary_encrypted_text", data: block.data }] };
  }
  return undefined;
}

/**
 * Converts LangChain content to the chat-completions `content` field.
 * Text-only lists collapse to a string (every Databricks model accepts strings, not every one accepts parts).
 */
export function toWireContent(
  content: unknown,
  opts: { keepReasoning: boolean },
): string | WireContentPart[] {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content == null ? "" : JSON.stringify(content);
  const parts: WireContentPart[] = [];
  for (const raw of content as unknown[]) {
    if (typeof raw === "string") {
      parts.push({ type: "text", text: raw });
      continue;
    }
    if (!isRecord(raw)) continue;
    const block = raw as Block;
    if (typeof block.type === "string" && TOOL_CALL_BLOCKS.has(block.type)) continue;
    if (block.type === "text" || block.type === "text_delta" || block.type === "output_text") {
      if (typeof block.text === "string" && block.text !== "") parts.push({ type: "text", text: block.text });
      continue;
    }
    const image = toImagePart(block);
    if (image) {
      parts.push(image);
      continue;
    }
    const reasoning = toReasoningPart(block);
    if (reasoning) {
      if (opts.keepReasoning) parts.push(reasoning);
      continue;
    }
    if (typeof block.type === "string") parts.push(withoutIndex(block) as WireContentPart);
  }
  if (parts.every((p) => p.type === "text")) return parts.map((p) => p.text as string).join("");
  return parts;
}

/** Plain text of any LangChain content (used for tool results and prompts). */
export function contentToText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const texts = content.map((c) =>
      typeof c === "string" ? c : isRecord(c) && typeof c.text === "string" ? c.text : "",
    );
    if (texts.some((t) => t !== "")) return texts.join("");
  }
  return content == null ? "" : JSON.stringify(content);
}
