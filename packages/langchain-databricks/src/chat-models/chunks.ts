import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessage, type AIMessageChunk } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import { DatabricksError, isDatabricksError } from "../errors.js";
import { generationText } from "./converters/chat-completions.js";

/** Runs a response parser; a body of an unexpected shape becomes a typed error naming the endpoint, never a TypeError. */
export function readResponse<T>(endpoint: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isDatabricksError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new DatabricksError(
      `Endpoint "${endpoint}" returned a response of an unexpected shape (${why}). Check that it is a chat endpoint, ` +
        "or set `route` / `useResponsesApi` to match what it serves.",
      { endpoint, cause: e },
    );
  }
}

const NONE: readonly ChatGenerationChunk[] = [];

export function once(chunk: ChatGenerationChunk | undefined): readonly ChatGenerationChunk[] {
  return chunk ? [chunk] : NONE;
}

/** Streams report each chunk to the callbacks, with the choice it belongs to (`n > 1`) as the completion index. */
export function reportToken(
  runManager: CallbackManagerForLLMRun | undefined,
  chunk: ChatGenerationChunk,
  token: string,
): Promise<void> | undefined {
  const completion = (chunk.generationInfo?.index as number | undefined) ?? 0;
  return runManager?.handleLLMNewToken(token, { prompt: 0, completion }, undefined, undefined, undefined, {
    chunk,
  });
}

/** One generation per choice from the chunks streamed for it (`invoke` with `streaming: true`). */
export function mergedGenerations(byChoice: Map<number, ChatGenerationChunk>): ChatResult {
  if (byChoice.size === 0) return { generations: [] };
  const generations = [...byChoice.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, merged]) => {
      const m = merged.message as AIMessageChunk;
      // Standard tests (and users) expect an AIMessage from invoke, not a chunk.
      const message = new AIMessage({
        content: m.content,
        tool_calls: m.tool_calls,
        invalid_tool_calls: m.invalid_tool_calls,
        additional_kwargs: m.additional_kwargs,
        usage_metadata: m.usage_metadata,
        response_metadata: m.response_metadata,
        id: m.id,
      });
      return { text: generationText(message), message, generationInfo: merged.generationInfo };
    });
  return { generations };
}
