/** Validation and flattening of chat `messages` (shared by Chat Completions and ChatAgent). */
import { fail, isObject, type Json, typeError } from "./validate.js";

export type Role = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A message reduced to what the engines need: its role, plain text and tool-call links. */
export interface ChatMessage {
  role: Role;
  text: string;
  toolCalls: ToolCall[];
  toolCallId?: string;
}

const ROLES = new Set<string>(["system", "user", "assistant", "tool"]);

/** Text of a content value; reasoning blocks (sent back by clients after Claude turns) are accepted and skipped. */
const contentText = (content: unknown, role: string, where: string): string => {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw typeError(`${where}.content`, "string or array", content);
  let text = "";
  for (let j = 0; j < content.length; j++) {
    const part = content[j];
    const at = `${where}.content[${j}]`;
    if (!isObject(part)) throw typeError(at, "object", part);
    switch (part.type) {
      case "text":
      case "input_text":
      case "output_text":
        if (typeof part.text !== "string") throw fail(`${at}.text must be a string`);
        text += part.text;
        break;
      case "reasoning":
        if (role !== "assistant")
          throw fail(`${at}: reasoning blocks are only allowed in assistant messages`);
        if (!Array.isArray(part.summary)) throw fail(`${at}.summary must be a list of summary_text blocks`);
        break;
      case "image_url":
        if (role !== "user") throw fail(`${at}: image_url parts are only allowed in user messages`);
        break;
      default:
        throw fail(`${at}.type ${JSON.stringify(part.type ?? null)} is not supported; use "text"`);
    }
  }
  return text;
};

const parseToolCalls = (value: unknown, where: string): ToolCall[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw typeError(`${where}.tool_calls`, "array", value);
  return value.map((tc, k) => {
    const at = `${where}.tool_calls[${k}]`;
    if (!isObject(tc)) throw typeError(at, "object", tc);
    if (typeof tc.id !== "string" || tc.id.length === 0) throw fail(`${at}.id must be a non-empty string`);
    const fn = tc.function;
    if (!isObject(fn) || typeof fn.name !== "string") throw fail(`${at}.function.name must be a string`);
    const args = fn.arguments ?? "";
    if (typeof args !== "string") throw typeError(`${at}.function.arguments`, "string", args);
    return { id: tc.id, name: fn.name, arguments: args };
  });
};

/**
 * Checks `messages` like FMAPI does: a non-empty list, known roles, string-or-parts content, and tool messages
 * that answer a tool call made by an earlier assistant message.
 */
export const parseMessages = (value: unknown): ChatMessage[] => {
  if (value === undefined || value === null) throw fail(`"messages" is a required property`);
  if (!Array.isArray(value)) throw typeError("messages", "[]Message", value);
  if (value.length === 0) throw fail(`"messages" must contain at least one message`);
  const out: ChatMessage[] = [];
  // Ids of the tool calls made so far; created with the first one (most requests make none).
  let openCalls: Set<string> | undefined;
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    const where = `messages[${i}]`;
    if (!isObject(m)) throw typeError(where, "object", m);
    const role = m.role;
    if (role === undefined) throw fail(`"role" is a required property for ${where}`);
    if (typeof role !== "string" || !ROLES.has(role)) {
      throw fail(
        `invalid role ${JSON.stringify(role)} in ${where}; expected one of system, user, assistant, tool`,
      );
    }
    const msg = parseOne(m, role as Role, where);
    if (msg.role === "tool") {
      if (!openCalls?.has(msg.toolCallId ?? "")) {
        throw fail(
          `${where} has tool_call_id "${msg.toolCallId}" but no preceding assistant message made a tool call with that id`,
        );
      }
    }
    if (msg.role === "assistant" && msg.toolCalls.length > 0) {
      openCalls ??= new Set();
      for (const tc of msg.toolCalls) openCalls.add(tc.id);
    }
    out.push(msg);
  }
  return out;
};

const parseOne = (m: Json, role: Role, where: string): ChatMessage => {
  const content = m.content;
  if (role !== "assistant" && (content === undefined || content === null)) {
    throw fail(`"content" is a required property for ${where} with role "${role}"`);
  }
  const text = contentText(content, role, where);
  if (m.name !== undefined && m.name !== null && typeof m.name !== "string")
    throw typeError(`${where}.name`, "string", m.name);
  if (role === "assistant") {
    const toolCalls = parseToolCalls(m.tool_calls, where);
    if ((content === undefined || content === null) && toolCalls.length === 0) {
      throw fail(`${where}: an assistant message needs "content" or "tool_calls"`);
    }
    return { role, text, toolCalls };
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null)
    throw fail(`${where}: only assistant messages may carry tool_calls`);
  if (role === "tool") {
    const id = m.tool_call_id;
    if (typeof id !== "string" || id.length === 0) {
      throw fail(`"tool_call_id" is a required string property for ${where} with role "tool"`);
    }
    return { role, text, toolCalls: [], toolCallId: id };
  }
  return { role, text, toolCalls: [] };
};
