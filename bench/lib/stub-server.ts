// A tiny loopback stand-in for the data plane, used only when the real emulator cannot be started (so the harness
// itself stays testable while the emulator is being built) and by bench.test.ts. It speaks just enough of the wire
// spec (chat completions JSON + SSE, embeddings, bearer auth) for every client under test. Results measured against
// it are labelled "stub" in the report and are not the verdict.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Target } from "./types.js";

const CHAT = "databricks-meta-llama-3-3-70b-instruct";
const EMBED = "databricks-gte-large-en";
const DIMS = 1024;
const STORY_WORD = "token";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function embedding(text: string): number[] {
  // Deterministic, cheap, L2-normalised: enough for clients to parse; not meant to be semantically useful.
  const v = new Array<number>(DIMS).fill(0);
  for (let i = 0; i < text.length; i++) v[(text.charCodeAt(i) * 31 + i) % DIMS] += 1;
  const norm = Math.sqrt(v.reduce((a, b) => a + b * b, 0)) || 1;
  return v.map((x) => x / norm);
}

function chat(res: ServerResponse, body: Record<string, unknown>): void {
  const maxTokens = typeof body.max_tokens === "number" ? Math.min(body.max_tokens, 4096) : 16;
  const usage = { prompt_tokens: 8, completion_tokens: maxTokens, total_tokens: 8 + maxTokens };
  const base = { id: "chatcmpl_stub", created: 1_700_000_000, model: "stub-llama" };
  if (body.stream === true) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (let i = 0; i < maxTokens; i++) {
      const last = i === maxTokens - 1;
      const chunk = {
        ...base,
        object: "chat.completion.chunk",
        choices: [
          {
            index: 0,
            delta: { role: "assistant", content: i === 0 ? STORY_WORD : ` ${STORY_WORD}` },
            finish_reason: last ? "length" : null,
            logprobs: null,
          },
        ],
        usage: { ...usage, completion_tokens: i + 1, total_tokens: 8 + i + 1 },
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end("data: [DONE]\n\n");
    return;
  }
  sendJson(res, 200, {
    ...base,
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: Array(maxTokens).fill(STORY_WORD).join(" ") },
        finish_reason: "stop",
        logprobs: null,
      },
    ],
    usage,
  });
}

function embed(res: ServerResponse, body: Record<string, unknown>): void {
  const input = body.input;
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input.map(String) : null;
  if (!texts) {
    sendJson(res, 400, {
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Missing required parameter: 'input'",
    });
    return;
  }
  sendJson(res, 200, {
    object: "list",
    model: "stub-gte",
    data: texts.map((t, index) => ({ object: "embedding", index, embedding: embedding(t) })),
    usage: { prompt_tokens: texts.length, total_tokens: texts.length },
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  if (req.headers.authorization !== `Bearer ${token}`) {
    sendJson(res, 401, { error_code: "UNAUTHENTICATED", message: "Invalid access token." });
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(await readBody(req)) as Record<string, unknown>;
  } catch {
    sendJson(res, 400, { error_code: "BAD_REQUEST", message: "Invalid JSON" });
    return;
  }
  const url = req.url ?? "";
  const m = /^\/serving-endpoints\/([^/]+)\/invocations$/.exec(url);
  const name = m ? decodeURIComponent(m[1] as string) : typeof body.model === "string" ? body.model : "";
  if (url === "/serving-endpoints/chat/completions" || (m && name === CHAT)) return chat(res, body);
  if (url === "/serving-endpoints/embeddings" || (m && name === EMBED)) return embed(res, body);
  sendJson(res, 404, {
    error_code: "RESOURCE_DOES_NOT_EXIST",
    message: `Endpoint with name '${name}' does not exist.`,
  });
}

/** Start the stub on a random loopback port. */
export async function startStub(fallbackReason: string): Promise<Target> {
  const token = "bench-stub-token";
  const server = createServer((req, res) => {
    handle(req, res, token).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error_code: "INTERNAL_ERROR", message: "stub failure" });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    kind: "stub",
    url: `http://127.0.0.1:${port}`,
    token,
    chatEndpoint: CHAT,
    embeddingEndpoint: EMBED,
    fallbackReason,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
