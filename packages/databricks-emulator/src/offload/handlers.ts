import {
  type EngineHandler,
  runChat,
  runChatAgent,
  runCompletions,
  runEmbeddings,
  runResponses,
} from "../engines/index.js";

/** The built-in engine handlers by name, so a request can name its handler across the worker boundary. */
export const HANDLERS: Record<string, EngineHandler> = {
  chat: runChat,
  completions: runCompletions,
  embeddings: runEmbeddings,
  chatAgent: runChatAgent,
  responses: runResponses,
};

export const handlerName = (h: EngineHandler): string | undefined =>
  Object.keys(HANDLERS).find((k) => HANDLERS[k] === h);
