/** Polling an endpoint or index until it is online, with backoff, progress, timeout and abort. */
import { DatabricksAbortError, DatabricksTimeoutError, OperationFailedError } from "../errors.js";
import type { VectorSearchWaitOptions } from "./client-options.js";

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new DatabricksAbortError("Cancelled: wait aborted."));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DatabricksAbortError("Cancelled: wait aborted."));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Polls `get` until `read` reports an `ONLINE*` state; `OFFLINE*` / `RED_STATE` throws `OperationFailedError`. */
export async function waitUntilOnline<T>(
  get: () => Promise<T>,
  read: (t: T) => { state: string; message?: string; indexedRowCount?: number },
  what: string,
  options: VectorSearchWaitOptions,
): Promise<T> {
  const started = Date.now();
  const timeout = options.timeout ?? 3_600_000;
  let interval = options.pollIntervalMs ?? 1_000;
  const maxInterval = options.maxPollIntervalMs ?? 30_000;
  for (;;) {
    const t = await get();
    const p = read(t);
    options.onProgress?.({ ...p, elapsedMs: Date.now() - started });
    if (p.state.includes("OFFLINE") || p.state === "RED_STATE") {
      throw new OperationFailedError(`${what} is ${p.state}${p.message ? `: ${p.message}` : ""}.`, {
        errorCode: p.state,
      });
    }
    if (p.state.includes("ONLINE")) return t;
    const left = started + timeout - Date.now();
    if (left <= 0) {
      throw new DatabricksTimeoutError(
        `${what} not online after ${timeout} ms (state ${p.state}). Raise \`timeout\`.`,
      );
    }
    await sleep(Math.min(interval, left), options.signal);
    interval = Math.min(maxInterval, interval * 1.5);
  }
}
