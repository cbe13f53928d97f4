/** The abort error and the abortable pause shared by statement polling and result downloads. */
import { DatabricksAbortError } from "../errors.js";

export const abortError = () =>
  new DatabricksAbortError("Cancelled: the statement was aborted by the caller.");

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
