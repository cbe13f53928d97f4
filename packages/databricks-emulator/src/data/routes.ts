import type { FastifyInstance } from "fastify";
import type { Ctx } from "../context.js";
import { badRequest } from "../errors.js";
import { parseJson } from "../http/body.js";
import { isObject } from "../util/json.js";
import { serveQuery } from "./dispatch.js";
import type { ProxyPath } from "./external.js";

type NameParams = { name: string };
type ServedParams = { name: string; served: string };

const OPENAI_PATHS: ProxyPath[] = ["chat/completions", "completions", "embeddings", "responses"];

/** Inference data plane (wire-spec 3): invocations and the OpenAI-compatible routes. */
export const registerDataRoutes = (app: FastifyInstance, ctx: Ctx): void => {
  app.post<{ Params: NameParams }>("/serving-endpoints/:name/invocations", async (req, reply) =>
    serveQuery(ctx, req, reply, req.params.name, parseJson(req.body), { route: "invocations" }),
  );

  app.post<{ Params: ServedParams }>(
    "/serving-endpoints/:name/served-models/:served/invocations",
    async (req, reply) =>
      serveQuery(
        ctx,
        req,
        reply,
        req.params.name,
        parseJson(req.body),
        { route: "invocations" },
        req.params.served,
      ),
  );

  for (const path of OPENAI_PATHS) {
    app.post(`/serving-endpoints/${path}`, async (req, reply) => {
      const body = parseJson(req.body);
      if (!isObject(body)) throw badRequest("Bad request: the request body must be a JSON object.");
      if (typeof body.model !== "string" || body.model === "") {
        throw badRequest('Bad request: "model" (the serving endpoint name) is required.');
      }
      return serveQuery(ctx, req, reply, body.model, body, { route: "openai", path });
    });
  }
};
