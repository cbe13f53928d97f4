/** Waits `ms`, rejecting with the signal's abort as soon as it fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Abortable `setTimeout` sleep; `onAbort` builds the error to reject with. */
export function makeSleep(onAbort: () => Error): Sleep {
  return (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(onAbort());
        return;
      }
      const done = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const abort = () => {
        clearTimeout(timer);
        reject(onAbort());
      };
      signal?.addEventListener("abort", abort, { once: true });
    });
}
