import { DatabricksError, markNotRetryable } from "../errors.js";
import { isRetryable, type RetryPolicy, retryDelayMs } from "./retry.js";
import type { Sleep } from "./sleep.js";

/** Everything the attempt loop needs besides the attempt itself. */
export interface AttemptLoop {
  policy: RetryPolicy;
  /** Retries allowed after the first attempt (a per-call override of `policy.maxRetries`). */
  budget: number;
  sleep: Sleep;
  random: () => number;
  /** Waits between attempts end as soon as it fires. */
  signal?: AbortSignal | undefined;
}

/**
 * What one attempt produced:
 * - a value;
 * - a failure the loop decides about; `fallback`, when given, is returned instead of throwing once the failure
 *   may not be retried (the OAuth token call hands its last response back to the caller, which builds the
 *   credential error from it);
 * - `abandon`: a failure outside the retry policy (config resolution, a credential fetch, a body already
 *   promised to the caller), rethrown untouched.
 */
export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: DatabricksError; fallback?: T }
  | { ok: false; abandon: unknown };

/** Options of {@link runAttempts}. */
export interface RunAttemptsOptions {
  /** Narrows which failures are retried; `isRetryable(policy, error)` must hold as well. */
  retryIf?: (error: DatabricksError) => boolean;
}

const asDatabricksError = (e: unknown): DatabricksError =>
  e instanceof DatabricksError ? e : new DatabricksError(String(e), { cause: e });

/**
 * The one retry loop of the package: requests, streams (before their first event) and OAuth token calls all
 * run their attempts through it. An attempt either resolves to an outcome or throws (a transport failure);
 * a failure is retried while the budget lasts and the policy says it is worth it, after the server's
 * `retryAfterMs` hint or a jittered backoff. A thrown failure is not retried once the caller's signal has
 * fired. What finally escapes is marked not retryable for `@langchain/core`, so attempts never multiply.
 */
export async function runAttempts<T>(
  loop: AttemptLoop,
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  options: RunAttemptsOptions = {},
): Promise<T> {
  const { policy, budget, signal } = loop;
  for (let n = 0; ; n++) {
    let outcome: AttemptOutcome<T>;
    let thrown = false;
    try {
      outcome = await attempt(n);
    } catch (e) {
      outcome = { ok: false, error: asDatabricksError(e) };
      thrown = true;
    }
    if (outcome.ok) return outcome.value;
    if ("abandon" in outcome) throw outcome.abandon;
    const { error } = outcome;
    const retry =
      n < budget &&
      !(thrown && signal?.aborted) &&
      isRetryable(policy, error) &&
      (options.retryIf === undefined || options.retryIf(error));
    if (!retry) {
      if ("fallback" in outcome) return outcome.fallback as T;
      throw markNotRetryable(error);
    }
    await loop.sleep(retryDelayMs(policy, n, error.retryAfterMs, loop.random), signal);
  }
}
