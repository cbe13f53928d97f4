/**
 * `llm/v1/chat` engine (both `/invocations` and the OpenAI `/chat/completions` route): a deterministic local
 * stand-in for a foundation chat model, NOT a real model. See README.md in this folder for its behaviour.
 */
import { type ChatRequest, parseChatRequest } from "./chat-request.js";
import type { EngineHandler, EngineModel } from "./contract.js";
import { completionTokens, promptTokens, runTurn, type Turn, turnOptions } from "./generate.js";
import { chatId, nowSeconds } from "./ids.js";
import { checkTokenLimits } from "./limits.js";
import { streamPieces } from "./reply.js";
import { countTokens } from "./tokenizer.js";
import type { Json } from "./validate.js";

/** Claude endpoints reason only when asked (`thinking`/`reasoning_effort`); GPT-OSS style models always do. */
const wantsReasoning = (model: EngineModel, req: ChatRequest): boolean =>
  model.reasoning === true && (model.family !== "claude" || req.reasoningRequested);

export const runChat: EngineHandler = (body, model) => {
  const req = parseChatRequest(body, model);
  const prompt = promptTokens(req.messages, req.promptExtras);
  checkTokenLimits(model, prompt, req.maxTokens);
  const opts = turnOptions(req, wantsReasoning(model, req));
  opts.outputLimit = model.maxOutputTokens;
  const turns: Turn[] = [];
  for (let i = 0; i < req.n; i++) turns.push(runTurn(req.messages, opts));
  if (req.stream) return { kind: "stream", events: streamChat(turns, prompt, model, req.includeUsage) };
  return { kind: "json", body: chatCompletion(turns, prompt, model) };
};

const usage = (prompt: number, completion: number): Json => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

const reasoningBlock = (r: NonNullable<Turn["reasoning"]>, text: string, withSignature: boolean): Json => ({
  type: "reasoning",
  summary: [
    withSignature ? { type: "summary_text", text, signature: r.signature } : { type: "summary_text", text },
  ],
});

/** Message content: a string, or (with reasoning) a list of a reasoning block and a text block. */
const messageContent = (turn: Turn): unknown => {
  if (!turn.reasoning) return turn.toolCalls.length > 0 && turn.text === "" ? null : turn.text;
  const blocks: Json[] = [reasoningBlock(turn.reasoning, turn.reasoning.text, true)];
  if (turn.text !== "" || turn.toolCalls.length === 0) blocks.push({ type: "text", text: turn.text });
  return blocks;
};

const chatCompletion = (turns: Turn[], prompt: number, model: EngineModel): Json => {
  let completion = 0;
  const choices = turns.map((turn, index) => {
    completion += completionTokens(turn);
    const message: Json = { role: "assistant", content: messageContent(turn) };
    if (turn.toolCalls.length > 0) {
      message.tool_calls = turn.toolCalls.map((tc) => ({
        id: tc.id,
        type: "function",
        function: { name: tc.name, arguments: tc.arguments },
      }));
    }
    return { index, message, finish_reason: turn.finishReason, logprobs: null };
  });
  return {
    id: chatId(),
    object: "chat.completion",
    created: nowSeconds(),
    model: model.modelName,
    choices,
    usage: usage(prompt, completion),
  };
};

/** Splits tool-call arguments into a few fragments, as models stream them. */
const argumentFragments = (args: string): string[] => {
  const size = Math.max(8, Math.ceil(args.length / 4));
  const out: string[] = [];
  for (let i = 0; i < args.length; i += size) out.push(args.slice(i, i + size));
  return out.length > 0 ? out : [""];
};

/**
 * Chunks per spec/serving.md 3.5. FMAPI style (llama/claude/...): running `usage` on every chunk. GPT family:
 * OpenAI style, usage only in a final chunk with empty `choices` and only with `stream_options.include_usage`.
 */
function* streamChat(
  turns: Turn[],
  prompt: number,
  model: EngineModel,
  includeUsage: boolean,
): Generator<Json> {
  const id = chatId();
  const created = nowSeconds();
  const usageMode = model.streamUsage ?? (model.family === "gpt" ? "final-when-asked" : "chunks");
  const openAiUsage = usageMode !== "chunks";
  const total = turns.reduce((n, t) => n + completionTokens(t), 0);
  let running = 0;
  const chunk = (index: number, delta: Json, finish: string | null): Json => {
    const c: Json = {
      id,
      object: "chat.completion.chunk",
      created,
      model: model.modelName,
      choices: [{ index, delta, finish_reason: finish, logprobs: null }],
    };
    if (!openAiUsage) c.usage = usage(prompt, Math.min(running, total));
    return c;
  };
  for (let index = 0; index < turns.length; index++) {
    const turn = turns[index] as Turn;
    yield chunk(index, { role: "assistant", content: "" }, null);
    if (turn.reasoning) {
      const pieces = streamPieces(turn.reasoning.text);
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i] as string;
        running += countTokens(piece);
        const block = reasoningBlock(turn.reasoning, piece, i === pieces.length - 1);
        yield chunk(index, { content: [block] }, null);
      }
    }
    if (turn.toolCalls.length > 0) {
      for (let k = 0; k < turn.toolCalls.length; k++) {
        const tc = turn.toolCalls[k] as (typeof turn.toolCalls)[number];
        running += countTokens(tc.name);
        yield chunk(
          index,
          {
            tool_calls: [
              { index: k, id: tc.id, type: "function", function: { name: tc.name, arguments: "" } },
            ],
          },
          null,
        );
        const frags = argumentFragments(tc.arguments);
        for (let f = 0; f < frags.length; f++) {
          const frag = frags[f] as string;
          running += countTokens(frag);
          const last = k === turn.toolCalls.length - 1 && f === frags.length - 1;
          if (last && index === turns.length - 1) running = total;
          yield chunk(
            index,
            { tool_calls: [{ index: k, id: null, function: { arguments: frag } }] },
            last ? turn.finishReason : null,
          );
        }
      }
      continue;
    }
    const pieces = streamPieces(turn.text);
    if (pieces.length === 0) pieces.push("");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      running += countTokens(piece);
      const last = i === pieces.length - 1;
      if (last && index === turns.length - 1) running = total;
      yield chunk(index, { content: piece }, last ? turn.finishReason : null);
    }
  }
  if (usageMode === "final" || (usageMode === "final-when-asked" && includeUsage)) {
    yield {
      id,
      object: "chat.completion.chunk",
      created,
      model: model.modelName,
      choices: [],
      usage: usage(prompt, total),
    };
  }
}
