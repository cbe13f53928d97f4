/**
 * The request pipeline (`./pipeline.ts`) installed as Fastify hooks, for every route Fastify serves: request id
 * and fault gate and authentication `onRequest`, response faults `onSend`, the request log `onResponse`, and the
 * error envelope for thrown errors, unknown routes and framework failures.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context.js";
import { ADMIN_PREFIX } from "../faults/routes.js";
import { toErrorResponse } from "./envelope.js";
import { admit, faultedBody, pathOf, recordRequest, writeError } from "./pipeline.js";

/** Fastify's `frameworkErrors` option: malformed URLs and similar failures still get the error envelope. */
export const frameworkErrorHandler = (err: Error, req: FastifyRequest, reply: FastifyReply): void => {
  writeError(reply.raw, err, req.id, null);
};

/** The 404 for routes nobody serves: an unknown API version answers as real workspaces do. */
const notFound = (req: FastifyRequest, reply: FastifyReply): void => {
  const path = pathOf(req.url);
  const m = /^\/api\/(\d+\.\d+)(\/.*)?$/.exec(path);
  if (m && m[1] !== "2.0") {
    reply
      .code(404)
      .type("application/json")
      .send({ error: `Bad Target: ${path}` });
    return;
  }
  const shown = m ? (m[2] ?? "/") : path;
  reply
    .code(404)
    .type("application/json")
    .send({ error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${req.method} ${shown}'` });
};

export const installPipeline = (app: FastifyInstance, ctx: EmulatorContext): void => {
  app.decorateRequest("identity", null);
  app.decorateRequest("fault", null);
  // One raw parser for every content type: routes parse JSON themselves to answer with the spec's envelope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    const admission = {
      method: req.method,
      path: pathOf(req.url),
      authorization: req.headers.authorization,
      requestId: req.id,
      // The admin API stays reachable whatever faults are configured.
      faults: req.url.startsWith(ADMIN_PREFIX) ? undefined : ctx.faults,
      identify: req.routeOptions.config?.public ? undefined : ctx.identify,
    };
    admit(admission, (err, fault, identity) => {
      req.fault = fault;
      if (identity) req.identity = identity;
      done(err ? (err as Error) : undefined);
    });
  });

  app.addHook("onSend", (req, _reply, payload, done) => {
    done(null, typeof payload === "string" ? faultedBody(payload, req.fault) : payload);
  });

  app.addHook("onResponse", (req, reply, done) => {
    const answered = {
      method: req.method,
      path: pathOf(req.url),
      route: req.routeOptions.url ?? "(unmatched)",
      status: reply.raw.statusCode,
      principal: req.identity?.name,
      fault: req.fault,
    };
    recordRequest(ctx.stats, ctx.clock, answered, req.body);
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const r = toErrorResponse(err, req.id);
    reply.code(r.status).headers(r.headers).type("application/json").send(r.body);
  });
  app.setNotFoundHandler(notFound);
};
