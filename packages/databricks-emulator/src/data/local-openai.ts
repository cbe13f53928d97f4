import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type EngineHandler,
  type EngineTask,
  runChat,
  runCompletions,
  runEmbeddings,
  runResponses,
} from "../engines/index.js";
import { ApiError } from "../errors.js";
import { checkJsonDepth, parseJson } from "../http/body.js";
import { isHeavyGeneration, runOffloaded, SerializedJson } from "../offload/offload.js";
import { isObject } from "../util/json.js";
import { localEngineModel } from "./entities.js";
import { writeSse } from "./sse.js";

export const LOCAL_OPENAI_PREFIX = "/local-openai/v1";

const ROUTES: { path: string; task: EngineTask; run: EngineHandler }[] = [
  { path: "chat/completions", task: "llm/v1/chat", run: runChat },
  { path: "completions", task: "llm/v1/completions", run: runCompletions },
  { path: "embeddings", task: "llm/v1/embeddings", run: runEmbeddings },
  // The Responses API on a chat model: what `/serving-endpoints/responses` proxies to for llm/v1/chat
  // external endpoints, so that path works offline too.
  { path: "responses", task: "llm/v1/chat", run: runResponses },
];

const openAiError = (
  reply: FastifyReply,
  status: number,
  message: string,
  type: string,
  code: string | null,
) =>
  reply
    .code(status)
    .type("application/json")
    .send({ error: { message, type, param: null, code } });

/** OpenAI requires `Authorization: Bearer <non-empty key>`; any key works here (it stands in for a provider). */
const hasKey = (req: FastifyRequest): boolean => {
  const h = req.headers.authorization;
  return typeof h === "string" && /^bearer\s+\S+/i.test(h);
};

/**
 * An OpenAI-compatible API served by the built-in engines, so external-model endpoints (`provider: openai`,
 * `openai_api_base: <this route>`) work fully offline. Errors use OpenAI's `{"error": {...}}` shape.
 */
export const registerLocalOpenAi = (app: FastifyInstance): void => {
  const config = { public: true };
  for (const r of ROUTES) {
    app.post(`${LOCAL_OPENAI_PREFIX}/${r.path}`, { config }, async (req, reply) => {
      if (!hasKey(req)) {
        return openAiError(
          reply,
          401,
          "You didn't provide an API key.",
          "invalid_request_error",
          "invalid_api_key",
        );
      }
      try {
        const body = parseJson(req.body);
        checkJsonDepth(body);
        if (!isObject(body))
          throw new ApiError(400, "BAD_REQUEST", "The request body must be a JSON object.");
        if (typeof body.model !== "string" || body.model === "") {
          throw new ApiError(400, "BAD_REQUEST", "you must provide a model parameter");
        }
        const model = localEngineModel(body.model, r.task);
        const abort = new AbortController();
        reply.raw.once("close", () => {
          if (!reply.raw.writableEnded) abort.abort();
        });
        // Big generations run on a worker thread so they cannot stall other requests (offload/offload.ts).
        const result = isHeavyGeneration(body)
          ? await runOffloaded(r.run, body, model, "openai", abort.signal)
          : r.run(body, model, "openai");
        if (result.kind === "stream") {
          await writeSse({ res: reply.raw, requestId: req.id, fault: req.fault }, result.events, {}, () =>
            reply.hijack(),
          );
          return reply;
        }
        if (result.body instanceof SerializedJson)
          return reply.type("application/json").send(result.body.text);
        return result.body;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const message = err.message.replace(/^Bad request: /, "");
        return openAiError(reply, err.status, message, "invalid_request_error", null);
      }
    });
  }
  app.get(`${LOCAL_OPENAI_PREFIX}/models`, { config }, async (req, reply) => {
    if (!hasKey(req)) {
      return openAiError(
        reply,
        401,
        "You didn't provide an API key.",
        "invalid_request_error",
        "invalid_api_key",
      );
    }
    return {
      object: "list",
      data: ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"].map((id) => ({
        id,
        object: "model",
        created: 1_700_000_000,
        owned_by: "databricks-emulator",
      })),
    };
  });
};
