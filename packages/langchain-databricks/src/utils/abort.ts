/**
 * Waits for shared work (a cached lookup, a token refresh other callers also wait on) but gives up as soon as this
 * caller's signal fires. The shared work itself is never cancelled, and its later failure is not left unhandled.
 */
export function raceAbort<T>(
  shared: PromiseLike<T>,
  signal: AbortSignal | undefined,
  onAbort: (signal: AbortSignal) => Error,
): Promise<T> {
  const work = Promise.resolve(shared);
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(onAbort(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      // The abandoned work may still fail later: that failure belongs to whoever else waits on it.
      work.catch(() => undefined);
      reject(onAbort(signal));
    };
    signal.addEventListener("abort", abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(e);
      },
    );
  });
}
