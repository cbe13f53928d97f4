/** The abort error and the abortable pause shared by statement polling and result downloads. */
import { DatabricksAbortError } from "../errors.js";
import { abortableSleep } from "../utils/poll.js";

export const abortError = () =>
  new DatabricksAbortError("Cancelled: the statement was aborted by the caller.");

export const sleep = (ms: number, signal?: AbortSignal) => abortableSleep(ms, signal, abortError);
