import { DatabricksError, markNotRetryable, StreamError } from "../errors.js";
import { parseEvents } from "../sse/events.js";
import { parseJsonEvents } from "../sse/json.js";
import { DEFAULT_MAX_LINE_LENGTH, decodeLines } from "../sse/lines.js";
import type { Exchange } from "./redirects.js";
import type { HttpRequest } from "./request.js";
import { flattenHeaders } from "./transport.js";

/** Reads a successful response: parsed JSON (empty body -> `{}`) or the raw text with `responseType: "text"`. */
export async function readBody<T>(ex: Exchange, req: HttpRequest): Promise<T> {
  let text: string;
  try {
    text = await ex.res.text();
  } catch (e) {
    throw markNotRetryable(e);
  }
  if (req.responseType === "text") return text as T;
  if (text === "") return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw markNotRetryable(
      new DatabricksError(
        `Response from ${req.method} ${req.path} is not JSON (HTTP ${ex.res.status}): ${JSON.stringify(text.slice(0, 200))}`,
        {
          status: ex.res.status,
          endpoint: req.endpoint ?? req.path,
          headers: flattenHeaders(ex.res.headers),
          cause: e,
        },
      ),
    );
  }
}

/**
 * The `data:` payloads of an event-stream response, parsed as JSON. A body that is neither SSE nor JSON and
 * holds no event throws `StreamError` (an empty answer would hide the failure).
 */
export async function* eventPayloads<T>(
  ex: Exchange,
  req: HttpRequest,
  contentType: string,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<T, void, undefined> {
  let yielded = false;
  const events = parseEvents(decodeLines(ex.res.body(), maxLineLength), maxLineLength);
  for await (const item of parseJsonEvents<T>(events, {
    expectDone: req.expectDone,
    endpoint: req.endpoint,
    isFinal: req.isFinalEvent,
  })) {
    yielded = true;
    yield item;
  }
  if (!yielded && !contentType.includes("text/event-stream")) {
    throw new StreamError(
      `Stream${req.endpoint ? ` from ${req.endpoint}` : ""} ended before completion: the HTTP ${ex.res.status} ` +
        `response (content-type ${JSON.stringify(contentType || "none")}) contained no events.`,
      { status: ex.res.status, endpoint: req.endpoint, headers: flattenHeaders(ex.res.headers) },
    );
  }
}
