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

const learnt = new Map<string, EndpointQuirks>();

/** Key includes the host when known so two workspaces with the same endpoint name do not share quirks. */
export function endpointQuirks(endpoint: string, host = ""): EndpointQuirks {
  const key = `${host}\u0000${endpoint}`;
  let q = learnt.get(key);
  if (!q) {
    q = {};
    learnt.set(key, q);
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

/**
 * The endpoint does not serve the OpenAI-compatible chat route (custom pyfunc models, agents, completion
 * endpoints): an unknown-route 404, or a 400 that names the route/task mismatch. A 404 for a missing endpoint
 * (`RESOURCE_DOES_NOT_EXIST`) is not a rejection: `/invocations` would fail the same way.
 */
export function isRouteRejection(e: unknown): boolean {
  if (!isDatabricksError(e)) return false;
  if (e.status === 404) return e.errorCode !== "RESOURCE_DOES_NOT_EXIST";
  if (e.status === 405 || e.status === 415 || e.status === 501) return true;
  if (e.status !== 400) return false;
  const msg = messageOf(e);
  if (/stream_options/i.test(msg)) return false;
  return /chat[/ _-]?completions|openai|not (?:a )?(?:supported|compatible)|does not support|unsupported|task|dataframe|input must be|exactly one of the input fields/i.test(
    msg,
  );
}
