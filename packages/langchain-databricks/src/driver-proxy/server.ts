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
 * (or undefined), and every other body field. Returns (or streams) the generated text.
 */
export type DriverProxyHandler = (
  prompt: string,
  stop: string[] | undefined,
  kwargs: Record<string, unknown>,
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
}

export interface DriverProxyServer {
  /** Base URL for local callers (`0.0.0.0` is reported as `127.0.0.1`). */
  url: string;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, value: unknown, extra?: Record<string, string>) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

async function collect(output: DriverProxyOutput): Promise<string> {
  if (typeof output === "string") return output;
  if (output && typeof output === "object" && (Symbol.asyncIterator in output || Symbol.iterator in output)) {
    let text = "";
    for await (const piece of output as AsyncIterable<unknown>)
      text += typeof piece === "string" ? piece : String(piece);
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
    try {
      const text = await collect(await fn(prompt, stop, kwargs));
      return sendJson(res, 200, trimAtStop(text, parsed.request.stop));
    } catch (e) {
      // The user's function failed: report it as a server error, keep the server alive. The marker (header and
      // error_code) tells our client not to re-send: the same input fails the same way (docs/llm-and-driver-proxy.md).
      const message = `Model function failed: ${e instanceof Error ? e.message : String(e)}`;
      return sendJson(
        res,
        500,
        { error_code: MODEL_ERROR, message, error: message },
        { [APP_ERROR_HEADER]: "model" },
      );
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
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets with no request in flight would otherwise hold close() open.
        server.closeIdleConnections();
      }),
  };
}
