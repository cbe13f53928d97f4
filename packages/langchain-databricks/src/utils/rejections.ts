import { isDatabricksError } from "../errors.js";

/**
 * What this process has learnt about an endpoint from its rejections. Shared by every model instance (and
 * every `bindTools` clone) so the extra round trip is paid once per endpoint, not once per call.
 */
export interface EndpointQuirks {
  /** The endpoint refused the OpenAI-compatible route; use `/invocations`. */
  invocationsOnly?: boolean;
  /** The endpoint refused `stream_options`; stream without it. */
  noStreamOptions?: boolean;
}

/** host -> endpoint -> quirks. Nested maps, not a joined key: every request looks this up (no string to build). */
const learnt = new Map<string, Map<string, EndpointQuirks>>();

/** Keyed by host too when known, so two workspaces with the same endpoint name do not share quirks. */
export function endpointQuirks(endpoint: string, host = ""): EndpointQuirks {
  let byEndpoint = learnt.get(host);
  if (!byEndpoint) {
    byEndpoint = new Map();
    learnt.set(host, byEndpoint);
  }
  let q = byEndpoint.get(endpoint);
  if (!q) {
    q = {};
    byEndpoint.set(endpoint, q);
  }
  return q;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A 400 that blames `stream_options` (some Gemini-backed and custom endpoints reject the field). */
export function isStreamOptionsRejection(e: unknown): boolean {
  return isDatabricksError(e) && e.status === 400 && /stream_options/i.test(messageOf(e));
}

/** The message names one of the OpenAI-compatible routes (or `/invocations`) as a route, not as a parameter. */
const NAMES_ROUTE =
  /\/serving-endpoints\/(?:chat\/completions|completions|embeddings|responses)\b|\/invocations\b|\b(?:chat[ _-]?completions?|completions|embeddings|responses|openai(?:[- ]compatible)?)\s+(?:route|api|endpoint|path|interface)\b/i;
/** ...and says it is refused. */
const REFUSES =
  /does not support|doesn't support|not supported|unsupported|only (?:supports|accepts|serves)|not available/i;
/** A 400 that blames a request parameter ("Parameter 'logprobs' is not supported") is about the body, not the route. */
const BLAMES_PARAMETER =
  /\b(?:parameters?|params?|fields?|arguments?|propert(?:y|ies)|options?|values?|keys?)\b/i;

/**
 * The endpoint does not serve the OpenAI-compatible route it was called on (custom pyfunc models, agents,
 * completion endpoints), so `/serving-endpoints/{name}/invocations` may work:
 * - an unknown-route status: 404 other than `RESOURCE_DOES_NOT_EXIST` (Databricks answers unknown routes with
 *   404 `ENDPOINT_NOT_FOUND` "No API found for ...", wire-spec 1.4), 405 or 501;
 * - a 400 whose message explicitly names the route (or the endpoint's task) as unsupported, e.g. "endpoint 'x'
 *   serves task agent/v1/responses, which /serving-endpoints/chat/completions does not support".
 *
 * Anything else is the caller's problem and is not retried elsewhere: a missing endpoint (`/invocations` would
 * fail the same way), a rejected parameter ("Parameter 'logprobs' is not supported"), `stream_options`, or any
 * other 400. Callers remember a switch only once `/invocations` has actually answered.
 */
export function isRouteRejection(e: unknown): boolean {
  if (!isDatabricksError(e)) return false;
  if (e.status === 404) return e.errorCode !== "RESOURCE_DOES_NOT_EXIST";
  if (e.status === 405 || e.status === 501) return true;
  if (e.status !== 400) return false;
  const msg = messageOf(e);
  // Quoted names (endpoints, models) are not evidence either way.
  const unquoted = msg.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''");
  if (/stream_options/i.test(msg) || BLAMES_PARAMETER.test(unquoted)) return false;
  const servesTask = /\bserves task\b/i.test(msg);
  return (NAMES_ROUTE.test(msg) || servesTask) && REFUSES.test(msg);
}
