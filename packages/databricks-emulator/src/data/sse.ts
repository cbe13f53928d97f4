import type { ServerResponse } from "node:http";
import type { ActiveFault } from "../faults/types.js";
import { toErrorResponse } from "../http/envelope.js";

/** One stream event: an object to serialise, or an already-serialised JSON payload (proxied streams). */
export type StreamEvent = Record<string, unknown> | string;
export type EventSource = Iterable<StreamEvent> | AsyncIterable<StreamEvent>;

/** Where a response goes: the raw response, its request id and the fault injected into it, if any. */
export interface ResponseTarget {
  res: ServerResponse;
  requestId: string;
  fault: ActiveFault | null;
}

const DONE = "data: [DONE]\n\n";

const line = (e: StreamEvent): string => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`;

/**
 * Writes a Server-Sent Events response with only `data:` lines and a final `data: [DONE]` (mlflow's parser rejects
 * anything else). An error before the first event becomes a normal error envelope; an error after it becomes an
 * in-band `{"error": {...}}` event and the stream ends without `[DONE]`. Honours injected stream faults.
 * `onCommit` runs once the first event is ready, right before the 200 is written (Fastify routes hijack there).
 */
export const writeSse = async (
  target: ResponseTarget,
  events: EventSource,
  headers: Record<string, string>,
  onCommit?: () => void,
): Promise<void> => {
  const iterator: Iterator<StreamEvent> | AsyncIterator<StreamEvent> =
    Symbol.asyncIterator in events ? events[Symbol.asyncIterator]() : events[Symbol.iterator]();
  // Pull the first event before committing to a 200 so validation errors still get a proper status.
  const first = await iterator.next();
  onCommit?.();
  const { res, requestId, fault } = target;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": requestId,
    ...headers,
  });
  let written = 0;
  // Resolves once the last event left the process. Writes in one tick are corked: destroying right after them would
  // drop the events too, and "reset after N events" would silently become "reset before any byte".
  let lastFlushed: Promise<void> = Promise.resolve();
  const reset = async () => {
    await lastFlushed;
    res.destroy();
  };
  const closed = () => res.destroyed || res.writableEnded;
  try {
    if (fault?.malformedSse) res.write('data: {"id": "chatcmpl_broken", "choices": [\n\n');
    let step = first;
    while (!step.done) {
      if (closed()) return;
      if (fault?.resetAfterEvents !== undefined && written >= fault.resetAfterEvents) {
        await reset();
        return;
      }
      let ok = true;
      lastFlushed = new Promise<void>((resolve) => {
        ok = res.write(line(step.value), () => resolve());
      });
      written++;
      if (!ok) await drainedOrClosed(res);
      step = await iterator.next();
    }
    if (fault?.resetAfterEvents !== undefined && written >= fault.resetAfterEvents) {
      await reset();
      return;
    }
    if (!closed()) res.end(DONE);
  } catch (err) {
    if (closed()) return;
    const { body } = toErrorResponse(err, requestId);
    res.end(line({ error: body }));
  } finally {
    if (closed() && typeof iterator.return === "function") {
      try {
        await iterator.return();
      } catch {
        // The producer failed while being cancelled; nothing to report to a gone client.
      }
    }
  }
};

/** Waits for backpressure to clear (or the client to go away), leaving no listener behind for the next wait. */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
