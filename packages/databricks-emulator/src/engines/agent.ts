/**
 * `agent/v1/chat` engine: an MLflow ChatAgent stand-in (spec/serving.md 3.3C). Request `{messages, context?,
 * custom_inputs?, stream?}`; response `{messages:[{role, content, id}], finish_reason, custom_outputs, usage}`;
 * stream chunks `{delta:{role, content, id}}` with `finish_reason`, `usage` and `custom_outputs` on the last one.
 * `custom_inputs` is echoed back as `custom_outputs` so clients can test the round trip.
 */
import type { EngineHandler } from "./contract.js";
import { completionTokens, promptTokens, runTurn } from "./generate.js";
import { itemId } from "./ids.js";
import { parseMessages } from "./messages.js";
import { streamPieces } from "./reply.js";
import { type Json, optBool, optObject, rejectUnknown, requireObjectBody, typeError } from "./validate.js";

const AGENT_KEYS = new Set(["messages", "context", "custom_inputs", "stream", "model"]);

export const runChatAgent: EngineHandler = (raw) => {
  const body = requireObjectBody(raw);
  rejectUnknown(body, AGENT_KEYS);
  const messages = parseMessages(body.messages);
  const context = optObject(body, "context");
  if (context) {
    rejectUnknown(context, new Set(["conversation_id", "user_id"]));
    for (const k of ["conversation_id", "user_id"]) {
      if (context[k] !== undefined && context[k] !== null && typeof context[k] !== "string") {
        throw typeError(`context.${k}`, "string", context[k]);
      }
    }
  }
  const customInputs = optObject(body, "custom_inputs");
  const stream = optBool(body, "stream") ?? false;
  const turn = runTurn(messages, {});
  const prompt = promptTokens(messages);
  const completion = completionTokens(turn);
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const id = itemId("msg");
  if (stream) {
    const pieces = streamPieces(turn.text);
    if (pieces.length === 0) pieces.push("");
    return {
      kind: "stream",
      events: (function* (): Generator<Json> {
        for (let i = 0; i < pieces.length; i++) {
          const chunk: Json = { delta: { role: "assistant", content: pieces[i], id } };
          if (i === pieces.length - 1) {
            chunk.finish_reason = "stop";
            chunk.usage = usage;
            if (customInputs) chunk.custom_outputs = customInputs;
          }
          yield chunk;
        }
      })(),
    };
  }
  const out: Json = {
    messages: [{ role: "assistant", content: turn.text, id }],
    finish_reason: "stop",
    usage,
  };
  if (customInputs) out.custom_outputs = customInputs;
  return { kind: "json", body: out };
};
