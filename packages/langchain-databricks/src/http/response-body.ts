import { DatabricksError, markNotRetryable, StreamError } from "../errors.js";
import { parseEvents } from "../sse/events.js";
import { parseJsonEvents } from "../sse/json.js";
import { DEFAULT_MAX_LINE_LENGTH, decodeLines } from "../sse/lines.js";
import type { Exchange } from "./redirects.js";
import type { HttpRequest } from "./request.js";
import { flattenHeaders } from "./transport.js";

/**
 * Reads a successful response: parsed JSON (empty body -> `{}`) or the raw text with `responseType: "text"`.
 * A body over `maxBytes` fails with `ResponseTooLargeError` before it is buffered.
 */
export async function readBody<T>(exchange: Exchange, req: HttpRequest, maxBytes?: number): Promise<T> {
  let text: string;
  try {
    text = await exchange.res.text(maxBytes);
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
        `Response from ${req.method} ${req.path} is not JSON (HTTP ${exchange.res.status}): ${JSON.stringify(text.slice(0, 200))}`,
        {
          status: exchange.res.status,
          endpoint: req.endpoint ?? req.path,
          headers: flattenHeaders(exchange.res.headers),
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
  exchange: Exchange,
  req: HttpRequest,
  contentType: string,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<T, void, undefined> {
  let yielded = false;
  const events = parseEvents(decodeLines(exchange.res.body(), maxLineLength), maxLineLength);
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
      `Stream${req.endpoint ? ` from ${req.endpoint}` : ""} ended before completion: the HTTP ${exchange.res.status} ` +
        `response (content-type ${JSON.stringify(contentType || "none")}) contained no events.`,
      { status: exchange.res.status, endpoint: req.endpoint, headers: flattenHeaders(exchange.res.headers) },
    );
  }
}
