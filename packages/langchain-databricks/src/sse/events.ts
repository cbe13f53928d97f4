import { StreamError } from "../errors.js";
import { DEFAULT_MAX_LINE_LENGTH } from "./lines.js";

/** One dispatched server-sent event. */
export interface SseEvent {
  /** `event:` field; "message" when absent. */
  event: string;
  /** `data:` lines joined with "\n". */
  data: string;
  /** Last `id:` seen (persists across events, per the SSE spec). */
  id: string | undefined;
  /** `retry:` reconnection time in ms, when given on this event. */
  retry: number | undefined;
}

/**
 * Lines -> events, following the WHATWG SSE grammar: blank line dispatches; lines starting with ":" are
 * comments; `field: value` with one optional space after the colon; a line without colon is a field with
 * empty value; unknown fields are ignored; events with no data lines are not dispatched.
 *
 * EOF in the middle of an event (data buffered, no blank line) raises a `StreamError`: the
 * connection was cut, and silently dropping the half event would truncate the answer unnoticed.
 */
export async function* parseEvents(
  lines: AsyncIterable<string>,
  maxEventLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<SseEvent, void, undefined> {
  let data: string[] = [];
  let dataLength = 0;
  let sawData = false;
  let event = "";
  let id: string | undefined;
  let retry: number | undefined;
  let pending = false;
  for await (const line of lines) {
    if (line === "") {
      if (sawData) yield { event: event || "message", data: data.join("\n"), id, retry };
      data = [];
      dataLength = 0;
      sawData = false;
      event = "";
      retry = undefined;
      pending = false;
      continue;
    }
    if (line.charCodeAt(0) === 58 /* ":" */) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    pending = true;
    switch (field) {
      case "data":
        sawData = true;
        dataLength += value.length + 1;
        if (dataLength > maxEventLength) {
          throw new StreamError(`Stream event exceeds ${maxEventLength} characters of data.`);
        }
        data.push(value);
        break;
      case "event":
        event = value;
        break;
      case "id":
        if (!value.includes("\0")) id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        break;
    }
  }
  if (pending && sawData) {
    // A final "data: [DONE]" without its blank line is complete enough: the terminator itself arrived.
    if (data.length === 1 && data[0]!.trim() === "[DONE]") {
      yield { event: event || "message", data: data[0]!, id, retry };
      return;
    }
    throw new StreamError(
      "Stream ended in the middle of an event (no blank line after its data): the connection was cut.",
    );
  }
}
