import type { WireContentPart, WireMessage, WireTool } from "./wire.js";

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
