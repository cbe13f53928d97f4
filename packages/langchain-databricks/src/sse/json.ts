import { type DatabricksError, errorClassFor, StreamError } from "../errors.js";
import type { SseEvent } from "./events.js";

/** Options of the events -> JSON layer. */
export interface SseJsonOptions {
  /** Throw when the stream ends without `data: [DONE]` (chat/completions streams always send it). @default false */
  expectDone?: boolean;
  /** Endpoint name, attached to in-band errors. */
  endpoint?: string;
  /**
   * With `expectDone`: a payload for which this returns true also completes the stream (Responses API streams end
   * with a `response.completed` event rather than `[DONE]`). The payload is still yielded.
   */
  isFinal?: (payload: unknown) => boolean;
}

function inBandError(
  payload: unknown,
  endpoint: string | undefined,
  raw: string,
): DatabricksError | undefined {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return undefined;
  const obj = payload as Record<string, unknown>;
  let code: string | undefined;
  let message: string | undefined;
  let status: number | undefined;
  if (obj.error !== undefined && obj.error !== null) {
    const e = obj.error;
    if (typeof e === "string") message = e;
    else if (typeof e === "object") {
      const r = e as Record<string, unknown>;
      message = typeof r.message === "string" ? r.message : JSON.stringify(r);
      const c = r.error_code ?? r.code ?? r.type;
      if (typeof c === "string" || typeof c === "number") code = String(c);
      if (typeof r.status === "number") status = r.status;
    }
  } else if (obj.error_code !== undefined && typeof obj.message === "string" && obj.choices === undefined) {
    code = String(obj.error_code);
    message = obj.message;
  } else if (obj.type === "error" || obj.type === "response.error" || obj.type === "response.failed") {
    const inner = (obj.response as { error?: unknown } | undefined)?.error ?? obj.error ?? obj;
    const r = (typeof inner === "object" && inner !== null ? inner : {}) as Record<string, unknown>;
    message = typeof r.message === "string" ? r.message : raw.slice(0, 500);
    const c = r.code ?? r.error_code;
    if (typeof c === "string" || typeof c === "number") code = String(c);
  } else {
    return undefined;
  }
  const Cls = code !== undefined || status !== undefined ? errorClassFor(status, code) : StreamError;
  const Final = Cls.name === "DatabricksError" ? StreamError : Cls;
  return new Final(
    `Error event in stream${endpoint ? ` from ${endpoint}` : ""}: ${message ?? "unknown error"}`,
    {
      status,
      errorCode: code,
      endpoint,
    },
  );
}

/**
 * Events -> parsed JSON payloads. Stops at `[DONE]`; skips empty data; `event: error` and payloads carrying an
 * `error` (or `error_code` + `message`, or a Responses `error`/`response.failed` event) throw typed errors; a
 * payload that is not JSON throws `StreamError` quoting a short excerpt.
 */
export async function* parseJsonEvents<T = unknown>(
  events: AsyncIterable<SseEvent>,
  options: SseJsonOptions = {},
): AsyncGenerator<T, void, undefined> {
  let final = false;
  for await (const ev of events) {
    const data = ev.data;
    if (data.trim() === "") continue;
    if (data.trim() === "[DONE]") return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch (e) {
      if (ev.event === "error") {
        throw new StreamError(
          `Error event in stream${options.endpoint ? ` from ${options.endpoint}` : ""}: ${data.slice(0, 500)}`,
          {
            endpoint: options.endpoint,
          },
        );
      }
      throw new StreamError(`Stream event is not valid JSON: ${JSON.stringify(data.slice(0, 200))}`, {
        cause: e,
        endpoint: options.endpoint,
      });
    }
    const err = inBandError(payload, options.endpoint, data);
    if (err) throw err;
    if (ev.event === "error") {
      throw new StreamError(
        `Error event in stream${options.endpoint ? ` from ${options.endpoint}` : ""}: ${data.slice(0, 500)}`,
        {
          endpoint: options.endpoint,
        },
      );
    }
    if (options.isFinal?.(payload)) final = true;
    yield payload as T;
  }
  if (options.expectDone && !final) {
    throw new StreamError(
      `Stream${options.endpoint ? ` from ${options.endpoint}` : ""} ended before completion (no "data: [DONE]"` +
        `${options.isFinal ? " or final event" : ""}): the response was truncated.`,
      { endpoint: options.endpoint },
    );
  }
}
