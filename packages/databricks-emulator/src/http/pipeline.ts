/**
 * The emulator's one request pipeline, as small stage functions. Every entry point runs them in this order:
 *
 * 1. request id      `newRequestId`: returned as `x-request-id` and inside every error envelope;
 * 2. URL decoding    `decodePathParam` (Fastify's router does it for Fastify routes);
 * 3. fault gate      `admit` runs the configured faults first (latency, injected errors, response faults);
 * 4. identify        `admit` then resolves the caller from `Authorization` (401/403 envelopes);
 * 5. body limit      `readBody` in `./body.ts` (Fastify's `bodyLimit` for Fastify routes);
 * 6. error envelope  `writeError` / `toErrorResponse`: every failure is the Databricks `{error_code, message}`;
 * 7. response faults `faultedBody`: the one place a `malformedJson` fault truncates a JSON answer;
 * 8. request log     `recordRequest`: counters and the admin API's request log.
 *
 * The entry points are the Fastify routes (`fastify-pipeline.ts` installs these stages as hooks), the raw data
 * plane (`data/plane.ts`, the hot path) and the driver proxy (`proxy/driver-proxy.ts`).
 */

import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Identity } from "../auth/identity.js";
import type { FaultController } from "../faults/controller.js";
import { truncatedForFault } from "../faults/controller.js";
import type { Stats } from "../faults/stats.js";
import type { ActiveFault } from "../faults/types.js";
import { SerializedJson } from "../offload/offload.js";
import type { Clock } from "../util/clock.js";
import { type ErrorResponse, malformedUrl, toErrorResponse } from "./envelope.js";

/** Resolves the caller behind an `Authorization` header, or throws the 401/403 envelope. */
export type Identify = (header: string | undefined, requestId: string) => Identity;

/** Stage 1: a fresh request id. */
export const newRequestId = (): string => randomUUID();

/** The path of a request URL, without its query string. */
export const pathOf = (url: string): string => {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
};

/** Stage 2: a path parameter decoded as Fastify's router would; a bad escape is the 400 envelope. */
export const decodePathParam = (raw: string | undefined): string | undefined => {
  if (raw === undefined || !raw.includes("%")) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw malformedUrl();
  }
};

/** What stages 3 and 4 need to know about a request. */
export interface Admission {
  method: string;
  path: string;
  authorization: string | undefined;
  requestId: string;
  /** The fault controller to consult, or undefined for entry points that faults never touch. */
  faults: FaultController | undefined;
  /** How to identify the caller, or undefined for public routes. */
  identify: Identify | undefined;
}

/**
 * Stages 3 and 4: the fault gate, then authentication. Calls `next` with the error to answer (an injected fault or
 * a 401/403) or with the caller; `fault` is the response fault the writers must honour. A `neverAnswer` fault never
 * calls `next`.
 */
export const admit = (
  a: Admission,
  next: (err: unknown, fault: ActiveFault | null, identity: Identity | undefined) => void,
): void => {
  const identifyThen = (fault: ActiveFault | null) => {
    if (!a.identify) return next(null, fault, undefined);
    let identity: Identity;
    try {
      identity = a.identify(a.authorization, a.requestId);
    } catch (err) {
      return next(err, fault, undefined);
    }
    next(null, fault, identity);
  };
  if (!a.faults) {
    identifyThen(null);
    return;
  }
  a.faults.gate(a.method, a.path, (injected, fault) => {
    if (injected) next(injected, fault, undefined);
    else identifyThen(fault);
  });
};

/** Stage 7: the JSON text to send, truncated when a `malformedJson` fault is active. */
export const faultedBody = (text: string, fault: ActiveFault | null | undefined): string =>
  fault?.malformedJson && text.length > 1 ? truncatedForFault(text) : text;

/** Writes a JSON answer on a raw response (entry points below Fastify). */
export const writeJson = (
  res: ServerResponse,
  status: number,
  requestId: string,
  body: unknown,
  headers: Record<string, string>,
  fault: ActiveFault | null,
): void => {
  const text = faultedBody(
    body instanceof SerializedJson ? body.text : (JSON.stringify(body) ?? "null"),
    fault,
  );
  res.writeHead(status, {
    "x-request-id": requestId,
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
};

/**
 * Stage 6 on a raw response: writes `err` as the error envelope (reshaped by `shape`, e.g. for OpenAI clients) and
 * returns the status; a response already under way can only be cut.
 */
export const writeError = (
  res: ServerResponse,
  err: unknown,
  requestId: string,
  fault: ActiveFault | null,
  shape?: (r: ErrorResponse) => ErrorResponse,
): number => {
  const plain = toErrorResponse(err, requestId);
  const r = shape ? shape(plain) : plain;
  if (res.headersSent) {
    res.destroy();
    return r.status;
  }
  writeJson(res, r.status, requestId, r.body, r.headers, fault);
  return r.status;
};

/** One answered request, as the request log keeps it. */
export interface AnsweredRequest {
  method: string;
  path: string;
  /** Route pattern, e.g. `/serving-endpoints/:name/invocations`. */
  route: string;
  status: number;
  principal: string | undefined;
  fault: ActiveFault | null | undefined;
}

/** Stage 8: counts the request and adds it (with its body's hash) to the request log. */
export const recordRequest = (stats: Stats, clock: Clock, r: AnsweredRequest, body: unknown): void =>
  stats.record(
    {
      at: clock.now(),
      method: r.method,
      path: r.path,
      route: r.route,
      status: r.status,
      principal: r.principal,
      fault: r.fault ? JSON.stringify(r.fault) : undefined,
    },
    body,
  );
