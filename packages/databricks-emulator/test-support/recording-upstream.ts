/**
 * A stand-in external model provider for the emulator's own tests: a `node:http` server on 127.0.0.1 that
 * records every request (method, URL, headers, parsed JSON body) and answers with whatever the test scripts.
 * It lets proxy tests assert what really left the emulator, instead of trusting the emulator's own engine.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
}

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings verbatim (set `content-type` for SSE). */
  body: unknown;
}

export interface RecordingUpstream {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedRequest[];
  /** Replaces the reply function (default: a minimal chat completion). */
  reply(fn: (req: RecordedRequest) => ScriptedReply): void;
  close(): Promise<void>;
}

const defaultReply = (): ScriptedReply => ({
  body: {
    id: "chatcmpl-upstream",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "upstream-model",
    choices: [{ index: 0, message: { role: "assistant", content: "from upstream" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  },
});

export const startRecordingUpstream = async (): Promise<RecordingUpstream> => {
  const requests: RecordedRequest[] = [];
  let respond: (req: RecordedRequest) => ScriptedReply = defaultReply;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // Not JSON: keep the text for the assertion.
      }
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(recorded);
      const r = respond(recorded);
      const payload = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
      res.writeHead(r.status ?? 200, { "content-type": "application/json", ...r.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (fn) => {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
