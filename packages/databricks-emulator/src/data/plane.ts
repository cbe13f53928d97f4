/**
 * The inference data plane (spec/serving.md 3): invocations and the OpenAI-compatible routes. Every client query and
 * benchmark lands here, so it is served below Fastify on plain `node:http` (Fastify's per-request machinery
 * alone cost about 40% of a bare server's throughput); it keeps the workspace's request pipeline: request id,
 * injected faults, authentication, body limit, the error envelope and the request log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Identity } from "../auth/identity.js";
import type { EmulatorContext } from "../context.js";
import { badRequest } from "../errors.js";
import type { ActiveFault } from "../faults/types.js";
import { checkJsonDepth, mayNestDeeperThan, parseJson, readBody } from "../http/body.js";
import { withOpenAiError } from "../http/envelope.js";
import {
  admit,
  decodePathParam,
  newRequestId,
  recordRequest,
  writeError,
  writeJson,
} from "../http/pipeline.js";
import { isObject } from "../util/json.js";
import { type Entry, type QueryAnswer, serveQuery } from "./dispatch.js";
import type { ProxyPath } from "./external.js";

const PREFIX = "/serving-endpoints/";
const OPENAI_PATHS: ReadonlySet<string> = new Set<ProxyPath>([
  "chat/completions",
  "completions",
  "embeddings",
  "responses",
]);
const INVOCATIONS: Entry = { route: "invocations" };
const INVOCATIONS_SUFFIX = "/invocations";

/** A request the data plane serves. */
export interface DataRoute {
  /** Route pattern as the request log reports it, e.g. `/serving-endpoints/:name/invocations`. */
  pattern: string;
  entry: Entry;
  /** Still percent-encoded endpoint and served-model names (invocations routes only). */
  name?: string;
  served?: string;
}

/** The data-plane route of `method path` (no query string), or undefined when Fastify answers instead. */
export const matchDataRoute = (method: string | undefined, path: string): DataRoute | undefined => {
  if (method !== "POST" || !path.startsWith(PREFIX)) return undefined;
  // One trailing slash is accepted, as on the REST routes (spec/url-forms.md).
  const rest = path.slice(PREFIX.length, path.endsWith("/") ? -1 : undefined);
  if (OPENAI_PATHS.has(rest)) return { pattern: path, entry: { route: "openai", path: rest as ProxyPath } };
  // The common case, `<name>/invocations`, without splitting the path.
  const slash = rest.indexOf("/");
  if (slash > 0 && rest.length - slash === INVOCATIONS_SUFFIX.length && rest.endsWith(INVOCATIONS_SUFFIX)) {
    return {
      pattern: "/serving-endpoints/:name/invocations",
      entry: INVOCATIONS,
      name: rest.slice(0, slash),
    };
  }
  const parts = rest.split("/");
  if (parts.length === 2 && parts[1] === "invocations") {
    return { pattern: "/serving-endpoints/:name/invocations", entry: INVOCATIONS, name: parts[0] };
  }
  if (parts.length === 4 && parts[1] === "served-models" && parts[3] === "invocations") {
    return {
      pattern: "/serving-endpoints/:name/served-models/:served/invocations",
      entry: INVOCATIONS,
      name: parts[0],
      served: parts[2],
    };
  }
  return undefined;
};

export interface DataPlaneOptions {
  /** Maximum request body size in bytes. */
  bodyLimit: number;
  /** Called once per answered request when request logging is on. */
  log?: (line: {
    reqId: string;
    method: string;
    url: string;
    statusCode: number;
    responseTime: number;
  }) => void;
}

export type DataPlaneHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  route: DataRoute,
  path: string,
) => void;

/** The endpoint an OpenAI-compatible request names in its body (`model`). */
const openAiEndpoint = (body: unknown): string => {
  if (!isObject(body)) throw badRequest("Bad request: the request body must be a JSON object.");
  if (typeof body.model !== "string" || body.model === "") {
    throw badRequest('Bad request: "model" (the serving endpoint name) is required.');
  }
  return body.model;
};

/** One data-plane request through the pipeline (`http/pipeline.ts`): decode names, admit, read the body, serve. */
class DataRequest {
  private readonly requestId = newRequestId();
  private readonly started: number;
  private identity: Identity | undefined;
  private fault: ActiveFault | null = null;
  private body: Buffer | undefined;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly options: DataPlaneOptions,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: DataRoute,
    private readonly path: string,
  ) {
    this.started = options.log ? performance.now() : 0;
  }

  start(): void {
    let name: string | undefined;
    let served: string | undefined;
    try {
      // Names decode before anything else, as Fastify's router would: a bad URL is a 400 even without a token.
      name = decodePathParam(this.route.name);
      served = decodePathParam(this.route.served);
    } catch (err) {
      this.fail(err);
      return;
    }
    const admission = {
      method: "POST",
      path: this.path,
      authorization: this.req.headers.authorization,
      requestId: this.requestId,
      faults: this.ctx.faults,
      identify: this.ctx.identify,
    };
    admit(admission, (err, fault, identity) => {
      this.fault = fault;
      if (err || !identity) return this.fail(err);
      this.identity = identity;
      readBody(this.req, this.options.bodyLimit, (bodyErr, raw) => {
        this.body = raw;
        if (bodyErr) this.fail(bodyErr);
        else this.serve(identity, name, served);
      });
    });
  }

  private serve(identity: Identity, name: string | undefined, served: string | undefined): void {
    try {
      const parsed = parseJson(this.body);
      // The nesting walk only where the raw bytes leave room for too deep a body (a cheap, sound bound).
      if (mayNestDeeperThan(this.body)) checkJsonDepth(parsed);
      const endpoint = this.route.entry.route === "openai" ? openAiEndpoint(parsed) : (name ?? "");
      const call = { res: this.res, requestId: this.requestId, fault: this.fault, identity };
      const result = serveQuery(this.ctx, call, endpoint, parsed, this.route.entry, served);
      // Built-in engines answer synchronously: writing within the request's own `end` event saves a promise hop.
      if (result instanceof Promise) {
        result.then((r) => this.respond(r)).catch((err: unknown) => this.fail(err));
      } else {
        this.respond(result);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private respond(result: QueryAnswer): void {
    if (result.kind === "json") {
      writeJson(this.res, 200, this.requestId, result.body, result.headers, this.fault);
    }
    this.finished(200);
  }

  private fail(err: unknown): void {
    this.req.resume();
    // A stream already under way can only be cut (and was logged when it started).
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    const shape = this.route.entry.route === "openai" ? withOpenAiError : undefined;
    this.finished(writeError(this.res, err, this.requestId, this.fault, shape));
  }

  private finished(status: number): void {
    const answered = {
      method: "POST",
      path: this.path,
      route: this.route.pattern,
      status,
      principal: this.identity?.name,
      fault: this.fault,
    };
    recordRequest(this.ctx.stats, this.ctx.clock, answered, this.body);
    this.options.log?.({
      reqId: this.requestId,
      method: "POST",
      url: this.req.url ?? this.path,
      statusCode: status,
      responseTime: performance.now() - this.started,
    });
  }
}

export const createDataPlane =
  (ctx: EmulatorContext, options: DataPlaneOptions): DataPlaneHandler =>
  (req, res, route, path) =>
    new DataRequest(ctx, options, req, res, route, path).start();
