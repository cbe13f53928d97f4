/**
 * The one poll-until-state loop of the library: serving endpoint waits (clients/serving-endpoints.ts), Vector Search
 * endpoint and index waits (vector-search/wait-until-online.ts), statement waits (sql/statement-client.ts) and the
 * Lakebase instance lookup (lakebase/pool.ts). Deadline, backoff, abort signal and progress in one place.
 */

/** Resolves after `ms`, or rejects with `abortError()` as soon as `signal` fires (at once when already aborted). */
export const abortableSleep = (ms: number, signal: AbortSignal | undefined, abortError: () => Error) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** How long to pause before the next read. */
export type PollBackoff =
  /** `initialMs` first, then times `factor` (default 1.5) per poll, never above `maxMs`. */
  | { initialMs: number; maxMs: number; factor?: number }
  /** A pause computed from the time waited so far. */
  | ((elapsedMs: number) => number);

export interface PollOptions<T> {
  /** Reads the current state (pass the signal on to the request). */
  read: () => Promise<T>;
  /** True once the wait is over; throw from it to end the wait with a failure. */
  done: (value: T) => boolean;
  /** Pauses between reads. */
  backoff: PollBackoff;
  /** A state already in hand: checked before the first `read`. */
  first?: T;
  /** Called with every state, before `done` sees it (so also with the final one). */
  onProgress?: (value: T, elapsedMs: number) => void;
  /** Give up once this many ms have passed since the start, with `timeoutError(last)`. No deadline when absent. */
  timeoutMs?: number;
  /** The error thrown at the deadline, given the last state read. */
  timeoutError?: (last: T) => Error;
  /** Cancels a pause (the reads get it from `read`'s closure). */
  signal?: AbortSignal;
  /** The error a cancelled pause rejects with. */
  abortError?: () => Error;
}

/**
 * Reads until `done`: `read` (or `first`), `onProgress`, `done`, the deadline check, a pause (never past the
 * deadline), and again. Returns the state `done` accepted.
 */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const { backoff, timeoutMs, signal } = options;
  const started = Date.now();
  const abortError = options.abortError ?? (() => new Error("Cancelled: wait aborted."));
  let interval = typeof backoff === "function" ? 0 : backoff.initialMs;
  let value = "first" in options && options.first !== undefined ? options.first : await options.read();
  for (;;) {
    options.onProgress?.(value, Date.now() - started);
    if (options.done(value)) return value;
    const elapsed = Date.now() - started;
    const left = timeoutMs === undefined ? Number.POSITIVE_INFINITY : timeoutMs - elapsed;
    if (left <= 0) {
      throw options.timeoutError?.(value) ?? new Error(`Still waiting after ${timeoutMs} ms.`);
    }
    const pause = typeof backoff === "function" ? backoff(elapsed) : interval;
    await abortableSleep(Math.min(pause, left), signal, abortError);
    if (typeof backoff !== "function") interval = Math.min(backoff.maxMs, interval * (backoff.factor ?? 1.5));
    value = await options.read();
  }
}
