/**
 * Built-in model engines of the emulator: deterministic local stand-ins for Databricks foundation models
 * (chat, completions, embeddings) and agent endpoints (ChatAgent, ResponsesAgent). They are NOT real models;
 * see README.md in this folder for exactly how they answer.
 */
export { runChatAgent } from "./agent.js";
export { runChat } from "./chat.js";
export { parseChatRequest } from "./chat-request.js";
export { parseCompletionsRequest, runCompletions } from "./completions.js";
export type { EngineHandler, EngineModel, EngineResult, EngineRoute, EngineTask } from "./contract.js";
export { parseEmbeddingsRequest, runEmbeddings } from "./embeddings.js";
export { FOUNDATION_MODELS, type FoundationModel } from "./foundation.js";
export { runResponses } from "./responses.js";
export { warmTokenizer } from "./tokenizer.js";
