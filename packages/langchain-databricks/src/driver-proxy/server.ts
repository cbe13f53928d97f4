import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { APP_ERROR_HEADER, MODEL_ERROR } from "../error-body.js";
import { ConfigError } from "../errors.js";
import { trimAtStop, validateDriverProxyRequest } from "./request.js";

export type { DriverProxyRequest } from "./request.js";

/** What the served function may return: text, or text streamed in pieces (collected before replying). */
export type DriverProxyOutput = string | AsyncIterable<string> | Iterable<string>;

/**
 * The model function, called like the seed's `llm(prompt, stop=None, **kwargs)`: the prompt, the stop sequences
 * (or undefined), and every other body field. Returns (or streams) the generated text. `signal` aborts when the
 * caller disconnects, when the call exceeds `timeoutMs`, and when `close()`'s grace period ends: pass it on to
 * whatever the function awaits (fetch, a model client) so abandoned work stops.
 */
export type DriverProxyHandler = (
  prompt: string,
  stop: string[] | undefined,
  kwargs: Record<string, unknown>,
  signal: AbortSignal,
) => DriverProxyOutput | Promise<DriverProxyOutput>;

export interface ServeDriverProxyOptions {
  /**
   * Port to listen on; 0 picks a free one. Databricks recommends 3000-8000 for the driver proxy.
   * @default 7777
   */
  port?: number;
  /**
   * Interface to bind. The driver proxy reaches the app on the driver's IP, so the default is all interfaces.
   * @default "0.0.0.0"
   */
  host?: string;
  /**
   * Largest accepted request body, in bytes.
   * @default 10_485_760
   */
  maxBodyBytes?: number;
  /**
   * Longest a model call may take, in ms; past it the call's `signal` aborts and the caller gets `504`.
   * @default 120_000
   */
  timeoutMs?: number;
  /**
   * Model calls running at once; one more is answered `503` with `Retry-After: 1` (the cluster stays responsive
   * instead of queueing without bound).
   * @default 16
   */
  maxConcurrency?: number;
  /**
   * How long `close()` lets running calls finish before aborting them (their callers get `503`) and closing.
   * @default 5_000
   */
  closeGraceMs?: number;
  /**
   * Called with a model function's error and the request id that its `500` answer carries. The answer itself is
   * generic (an error message may hold secrets or internals). Default: one line on stderr.
   */
  onError?: (error: unknown, requestId: string) => void;
}

export interface DriverProxyServer {
  /** Base URL for local callers (`0.0.0.0` is reported as `127.0.0.1`). */
  url: string;
  port: number;
  /**
   * Stops accepting connections and resolves once in-flight requests have finished, or after `closeGraceMs`, when
   * the calls still running are aborted and their connections closed.
   */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts (the work is abandoned). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Why a call's signal aborted: the reason object tells the handler which answer (if any) to send. */
class CallAborted extends Error {
  constructor(readonly why: "timeout" | "disconnect" | "shutdown") {
    super(`model call aborted (${why})`);
    this.name = "AbortError";
  }
}

async function collect(output: DriverProxyOutput, signal: AbortSignal): Promise<string> {
  if (typeof output === "string") return output;
  if (output && typeof output === "object" && (Symbol.asyncIterator in output || Symbol.iterator in output)) {
    let text = "";
    for await (const piece of output as AsyncIterable<unknown>) {
      if (signal.aborted) throw signal.reason;
      text += typeof piece === "string" ? piece : String(piece);
    }
    return text;
  }
  // Non-string results are stringified rather than rejected: the seed's Flask app `jsonify`-ed anything.
  return output == null ? "" : String(output);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      parts.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Serves a model function the way the cluster driver proxy expects (the seed's Flask app, in TypeScript):
 * POST `/` with `{prompt, stop?, ...kwargs}` returns the generated text as a JSON string; stop sequences are
 * trimmed from the output; bad input gets a 400 with a JSON `{error}` explaining what to send.
 *
 * @example
 * ```ts
 * const server = await serveDriverProxyApp(async (prompt, stop) => myModel.generate(prompt, { stop }), { port: 7777 });
 * // ... later
 * await server.close();
 * ```
 */
export async function serveDriverProxyApp(
  fn: DriverProxyHandler,
  options: ServeDriverProxyOptions = {},
): Promise<DriverProxyServer> {
  const port = options.port ?? 7777;
  const host = options.host ?? "0.0.0.0";
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxConcurrency = options.maxConcurrency ?? 16;
  const closeGraceMs = options.closeGraceMs ?? 5_000;
  const onError =
    options.onError ??
    ((error: unknown, requestId: string) => {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      console.error(`serveDriverProxyApp: request ${requestId}: the model function failed: ${text}`);
    });
  for (const [name, v, min] of [
    ["timeoutMs", timeoutMs, 1],
    ["maxConcurrency", maxConcurrency, 1],
    ["closeGraceMs", closeGraceMs, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) {
      throw new ConfigError(`Invalid ${name} ${String(v)}: use an integer >= ${min}.`);
    }
  }
  /** Abort controllers of the model calls running now (aborted by `close()` after its grace period). */
  const running = new Set<AbortController>();
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(
      `Invalid port ${String(options.port)}: use an integer 0-65535 (0 picks a free port).`,
    );
  }
  if (typeof fn !== "function") {
    throw new ConfigError(
      "serveDriverProxyApp needs a function (prompt, stop, kwargs) => string | Promise<string> | AsyncIterable<string>.",
    );
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/") return sendJson(res, 404, { error: `Not found: ${path}. POST your request to "/".` });
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendJson(res, 405, { error: `Method ${req.method} not allowed. Use POST / with a JSON body.` });
    }
    const raw = await readBody(req, maxBodyBytes);
    if (raw === undefined)
      return sendJson(res, 413, { error: `Request body exceeds ${maxBodyBytes} bytes.` });
    const parsed = validateDriverProxyRequest(raw);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.error });
    const { prompt, stop, ...kwargs } = parsed.request;
    if (running.size >= maxConcurrency) {
      return sendJson(
        res,
        503,
        { error: `Busy: ${maxConcurrency} requests are already running. Retry after 1 second.` },
        { "retry-after": "1" },
      );
    }
    const requestId = randomUUID();
    const abort = new AbortController();
    running.add(abort);
    const onClose = () => {
      if (!res.writableEnded) abort.abort(new CallAborted("disconnect"));
    };
    res.once("close", onClose);
    const timer = setTimeout(() => abort.abort(new CallAborted("timeout")), timeoutMs);
    try {
      const text = await untilAborted(
        (async () => collect(await fn(prompt, stop, kwargs, abort.signal), abort.signal))(),
        abort.signal,
      );
      return sendJson(res, 200, trimAtStop(text, parsed.request.stop), { "x-request-id": requestId });
    } catch (e) {
      const why =
        abort.signal.aborted && abort.signal.reason instanceof CallAborted
          ? abort.signal.reason.why
          : undefined;
      if (why === "timeout") {
        return sendJson(
          res,
          504,
          { error: `The model function did not answer within ${timeoutMs} ms.`, request_id: requestId },
          { "x-request-id": requestId },
        );
      }
      if (why === "shutdown") {
        return sendJson(
          res,
          503,
          { error: "The server is shutting down. Retry on another server.", request_id: requestId },
          { "retry-after": "1", "x-request-id": requestId },
        );
      }
      if (why === "disconnect") return;
      // The user's function failed: details go to the server log only (a message may carry secrets); the
      // caller gets a generic 500 with the id to find them. The server keeps serving.
      // The marker (header and error_code) tells our client not to re-send: the same input fails the same way
      // (docs/llm-and-driver-proxy.md).
      onError(e, requestId);
      const message = `Model function failed; see the server log for request ${requestId}.`;
      return sendJson(
        res,
        500,
        { error_code: MODEL_ERROR, message, error: message, request_id: requestId },
        { "x-request-id": requestId, [APP_ERROR_HEADER]: "model" },
      );
    } finally {
      clearTimeout(timer);
      running.delete(abort);
      res.off("close", onClose);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: "Internal error while handling the request." });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        const grace = setTimeout(() => {
          // Calls still running after the grace period are aborted; their callers get 503.
          for (const c of running) c.abort(new CallAborted("shutdown"));
          setImmediate(() => server.closeAllConnections());
        }, closeGraceMs);
        grace.unref();
        server.close((err) => {
          clearTimeout(grace);
          if (err) reject(err);
          else resolve();
        });
        // Keep-alive sockets with no request in flight would otherwise hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
