import { ResponseTooLargeError } from "../errors.js";
import type { ResponseHeaders, Transport, TransportRequest, TransportResponse } from "./transport.js";
import {
  abortError,
  classifyTransportFailure,
  describeTarget,
  streamIdleError,
  timeoutError,
  tooLargeError,
} from "./transport-errors.js";

/**
 * Transport over any WHATWG `fetch` (browsers, Deno, Bun, edge, tests). Redirects are returned, not followed
 * (`redirect: "manual"`), so the client can drop `Authorization` when the origin changes.
 */
export class FetchTransport implements Transport {
  readonly #fetch: typeof globalThis.fetch;

  constructor(fetchImpl: typeof globalThis.fetch) {
    this.#fetch = fetchImpl;
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const target = describeTarget(req.method, req.origin, req.path);
    const controller = new AbortController();
    const user = req.signal;
    const onAbort = () => controller.abort(user?.reason);
    user?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    let idle = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, req.timeoutMs);
    };
    const idleMs = req.idleTimeoutMs ?? req.timeoutMs;
    const armIdle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        controller.abort();
      }, idleMs);
    };
    const cleanup = () => {
      clearTimeout(timer);
      user?.removeEventListener("abort", onAbort);
    };
    const fail = (e: unknown) => {
      cleanup();
      if (timedOut) return timeoutError(target, req.timeoutMs, e);
      if (idle) return streamIdleError(target, idleMs, e);
      if (user?.aborted) return abortError(target, e);
      return classifyTransportFailure(e, target, req.timeoutMs, user);
    };
    arm();
    let res: Response;
    try {
      res = await this.#fetch(req.origin + req.path, {
        method: req.method,
        headers: req.headers,
        body: req.body as NonNullable<Parameters<typeof fetch>[1]>["body"],
        signal: controller.signal,
        redirect: "manual",
      });
    } catch (e) {
      throw fail(e);
    }
    const headers: ResponseHeaders = {};
    res.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const status = res.status;
    return {
      status,
      headers,
      async text(maxBytes = Number.POSITIVE_INFINITY, truncate = false) {
        const declared = headers["content-length"];
        if (declared !== undefined && !truncate && Number(declared) > maxBytes) {
          cleanup();
          res.body?.cancel().catch(() => undefined);
          throw tooLargeError(req.method, req.origin, req.path, status, headers, maxBytes, Number(declared));
        }
        if (maxBytes === Number.POSITIVE_INFINITY || !res.body) {
          try {
            const t = await res.text();
            cleanup();
            return t;
          } catch (e) {
            throw fail(e);
          }
        }
        // Counted read: stop (and cancel the body) as soon as the bound is passed.
        const reader = res.body.getReader();
        const chunks: Uint8Array[] = [];
        let size = 0;
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            size += value.length;
            if (size > maxBytes) {
              reader.cancel().catch(() => undefined);
              if (!truncate) {
                throw tooLargeError(req.method, req.origin, req.path, status, headers, maxBytes, undefined);
              }
              chunks.push(value.subarray(0, value.length - (size - maxBytes)));
              break;
            }
            chunks.push(value);
          }
        } catch (e) {
          if (e instanceof ResponseTooLargeError) {
            cleanup();
            throw e;
          }
          throw fail(e);
        }
        cleanup();
        const decoder = new TextDecoder();
        let text = "";
        for (const c of chunks) text += decoder.decode(c, { stream: true });
        return text + decoder.decode();
      },
      body() {
        return {
          async *[Symbol.asyncIterator]() {
            const stream = res.body;
            if (!stream) {
              cleanup();
              return;
            }
            const reader = stream.getReader();
            try {
              for (;;) {
                armIdle(); // idle-gap timeout between chunks
                const { done, value } = await reader.read();
                if (done) return;
                yield value;
              }
            } catch (e) {
              throw fail(e);
            } finally {
              cleanup();
              reader.cancel().catch(() => undefined);
            }
          },
        };
      },
      discard() {
        cleanup();
        res.body?.cancel().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {}
}
