import { AIMessage, type BaseMessage, type ChatMessage, type ToolMessage } from "@langchain/core/messages";
import { DatabricksConfigError } from "../errors.js";
import { contentToText, toWireContent } from "./content.js";
import type { WireMessage, WireToolCall } from "./wire.js";

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
        throw new DatabricksConfigError(
          `Message ${i} has type "${type}", which ChatDatabricks cannot send. Use system, human, ai or tool messages.`,
        );
    }
  });
}

function functionMessageError(i: number) {
  return new DatabricksConfigError(
    `Message ${i} is a function message (legacy OpenAI function calling), which Databricks does not support. ` +
      "Use tool calls (AIMessage.tool_calls) and ToolMessage instead.",
  );
}
