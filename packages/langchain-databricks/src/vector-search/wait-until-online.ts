/** Polling an endpoint or index until it is online, with backoff, progress, timeout and abort (utils/poll.ts). */
import { DatabricksAbortError, DatabricksTimeoutError, OperationFailedError } from "../errors.js";
import { pollUntil } from "../utils/poll.js";
import type { VectorSearchWaitOptions } from "./client-options.js";

/** Polls `get` until `read` reports an `ONLINE*` state; `OFFLINE*` / `RED_STATE` throws `OperationFailedError`. */
export async function waitUntilOnline<T>(
  get: () => Promise<T>,
  read: (t: T) => { state: string; message?: string; indexedRowCount?: number },
  what: string,
  options: VectorSearchWaitOptions,
): Promise<T> {
  const timeout = options.timeout ?? 3_600_000;
  return pollUntil({
    read: get,
    backoff: { initialMs: options.pollIntervalMs ?? 1_000, maxMs: options.maxPollIntervalMs ?? 30_000 },
    timeoutMs: timeout,
    signal: options.signal,
    abortError: () => new DatabricksAbortError("Cancelled: wait aborted."),
    onProgress: options.onProgress && ((t, elapsedMs) => options.onProgress?.({ ...read(t), elapsedMs })),
    done: (t) => {
      const p = read(t);
      if (p.state.includes("OFFLINE") || p.state === "RED_STATE") {
        throw new OperationFailedError(`${what} is ${p.state}${p.message ? `: ${p.message}` : ""}.`, {
          errorCode: p.state,
        });
      }
      return p.state.includes("ONLINE");
    },
    timeoutError: (t) =>
      new DatabricksTimeoutError(
        `${what} not online after ${timeout} ms (state ${read(t).state}). Raise \`timeout\`.`,
      ),
  });
}
