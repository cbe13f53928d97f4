/**
 * Strict parsing of an OpenAI Responses request `input` (string or item list) into chat messages, with the
 * FMAPI limit on item ids (at most 64 characters).
 */
import type { ChatMessage, ToolCall } from "./messages.js";
import { fail, isObject, type Json, typeError } from "./validate.js";

export const MAX_ITEM_ID_LENGTH = 64;

const checkId = (item: Json, where: string): void => {
  const id = item.id;
  if (id === undefined || id === null) return;
  if (typeof id !== "string") throw typeError(`${where}.id`, "string", id);
  if (id.length > MAX_ITEM_ID_LENGTH) {
    throw fail(
      `Invalid '${where}.id': string too long. Expected a string with maximum length ${MAX_ITEM_ID_LENGTH}, but got a string with length ${id.length} instead.`,
    );
  }
};

const TEXT_PARTS = new Set(["input_text", "output_text", "text"]);

const contentText = (content: unknown, where: string): string => {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw typeError(`${where}.content`, "string or array", content);
  let text = "";
  content.forEach((part, j) => {
    const at = `${where}.content[${j}]`;
    if (!isObject(part)) throw typeError(at, "object", part);
    if (TEXT_PARTS.has(String(part.type))) {
      if (typeof part.text !== "string") throw fail(`${at}.text must be a string`);
      text += part.text;
    } else if (part.type !== "input_image" && part.type !== "refusal" && part.type !== "input_file") {
      throw fail(`${at}.type ${JSON.stringify(part.type ?? null)} is not supported; use "input_text"`);
    }
  });
  return text;
};

const ROLE_MAP: Record<string, ChatMessage["role"]> = {
  user: "user",
  system: "system",
  developer: "system",
  assistant: "assistant",
};

/** Converts `instructions` + `input` into chat messages; function_call items become assistant tool calls. */
export const parseResponsesInput = (input: unknown, instructions: string | undefined): ChatMessage[] => {
  const out: ChatMessage[] = [];
  if (instructions) out.push({ role: "system", text: instructions, toolCalls: [] });
  if (input === undefined || input === null) throw fail(`"input" is a required property`);
  if (typeof input === "string") {
    out.push({ role: "user", text: input, toolCalls: [] });
    return out;
  }
  if (!Array.isArray(input)) throw typeError("input", "string or array", input);
  if (input.length === 0) throw fail(`"input" must contain at least one item`);
  const calls = new Set<string>();
  input.forEach((item, i) => {
    const where = `input[${i}]`;
    if (!isObject(item)) throw typeError(where, "object", item);
    checkId(item, where);
    const type = item.type ?? "message";
    switch (type) {
      case "message": {
        const role = ROLE_MAP[String(item.role)];
        if (!role) {
          throw fail(
            `invalid role ${JSON.stringify(item.role ?? null)} in ${where}; expected user, system, developer or assistant`,
          );
        }
        out.push({ role, text: contentText(item.content, where), toolCalls: [] });
        return;
      }
      case "function_call": {
        if (typeof item.call_id !== "string" || typeof item.name !== "string") {
          throw fail(`${where}: function_call items need string "call_id" and "name"`);
        }
        const args = item.arguments ?? "";
        if (typeof args !== "string") throw typeError(`${where}.arguments`, "string", args);
        const call: ToolCall = { id: item.call_id, name: item.name, arguments: args };
        calls.add(call.id);
        const prev = out[out.length - 1];
        // Consecutive function calls are one assistant turn with parallel tool calls.
        if (prev?.role === "assistant" && prev.text === "" && prev.toolCalls.length > 0)
          prev.toolCalls.push(call);
        else out.push({ role: "assistant", text: "", toolCalls: [call] });
        return;
      }
      case "function_call_output": {
        if (typeof item.call_id !== "string")
          throw fail(`${where}: function_call_output items need a string "call_id"`);
        if (!calls.has(item.call_id))
          throw fail(`No tool call found for function call output with call_id ${item.call_id}.`);
        const output = typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? "");
        out.push({ role: "tool", text: output, toolCalls: [], toolCallId: item.call_id });
        return;
      }
      case "reasoning":
        if (!Array.isArray(item.summary)) throw fail(`${where}.summary must be a list`);
        return;
      default:
        throw fail(`${where}.type ${JSON.stringify(type)} is not supported by this endpoint`);
    }
  });
  return out;
};
