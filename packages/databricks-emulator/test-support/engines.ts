/** Shared helpers for the engine unit tests (not part of the package API). */

import type { EngineResult } from "../src/engines/contract.js";
import type { Json } from "../src/engines/validate.js";
import { ApiError } from "../src/errors.js";

export const jsonBody = (r: EngineResult): Json => {
  if (r.kind !== "json") throw new Error(`expected a JSON result, got ${r.kind}`);
  return r.body;
};

export const streamEvents = (r: EngineResult): Json[] => {
  if (r.kind !== "stream") throw new Error(`expected a stream result, got ${r.kind}`);
  const events = r.events;
  if (!(Symbol.iterator in events)) throw new Error("engine streams are synchronous iterables");
  // Bounded: a runaway generator fails the test instead of hanging it.
  const out: Json[] = [];
  for (const e of events) {
    out.push(e);
    if (out.length > 100_000) throw new Error("stream did not end");
  }
  return out;
};

/** Runs `fn`, expecting an ApiError; returns it for assertions. */
export const apiError = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected an ApiError");
};
