/**
 * Built-in model engines of the emulator: deterministic local stand-ins for Databricks foundation models
 * (chat, completions, embeddings) and agent endpoints (ChatAgent, ResponsesAgent). They are NOT real models;
 * see README.md in this folder for exactly how they answer.
 */
export { runChatAgent } from "./agent.js";
export { runChat } from "./chat.js";
export { parseChatRequest } from "./chat_request.js";
export { parseCompletionsRequest, runCompletions } from "./completions.js";
export type { EngineHandler, EngineModel, EngineResult, EngineRoute, EngineTask } from "./contract.js";
export { parseEmbeddingsRequest, runEmbeddings } from "./embeddings.js";
export { FOUNDATION_MODELS, type FoundationModel, findFoundationModel } from "./foundation.js";
export { runResponses } from "./responses.js";
export { MAX_ITEM_ID_LENGTH } from "./responses_input.js";
export { countTokens, warmTokenizer } from "./tokenizer.js";
