import { describe, expect, test } from "vitest";
import { errorResponse, jsonResponse, mockFetch, testAuth } from "../test-support/mock-fetch.js";
import { DatabricksEmbeddings } from "./embeddings.js";
import type { DatabricksTransport, HttpRequest } from "./utils/transport.js";

let counter = 0;
const uniqueEndpoint = () => `databricks-gte-large-en-${++counter}`;

/** Replies with one vector per input ([position, length]) in REVERSED order, with `index` set. */
const reversedEmbeddings = mockFetchReversed();
function mockFetchReversed() {
  return () =>
    mockFetch((call) => {
      const input = call.body.input as string[];
      const data = input.map((text, i) => ({
        object: "embedding",
        index: i,
        embedding: [Number(text), text.length],
      }));
      return jsonResponse({
        object: "list",
        data: data.reverse(),
        usage: { prompt_tokens: 1, total_tokens: 1 },
      });
    });
}

describe("DatabricksEmbeddings", () => {
  test("batches documents in parallel and returns vectors in input order", async () => {
    const m = reversedEmbeddings();
    const texts = Array.from({ length: 25 }, (_, i) => String(i));
    const emb = new DatabricksEmbeddings({ endpoint: uniqueEndpoint(), ...testAuth(m), batchSize: 10 });
    const vectors = await emb.embedDocuments(texts);
    expect(vectors.map((v) => v[0])).toEqual(texts.map(Number));
    expect(m.calls.map((c) => (c.body.input as string[]).length)).toEqual([10, 10, 5]);
    expect(m.calls[0]!.path).toBe("/serving-endpoints/embeddings");
    expect(m.calls[0]!.body.encoding_format).toBe("float");
  });

  test("batches answered OUT of order (the last sent answers first) still come back in input order", async () => {
    // Each batch's reply is held until all three batches are in flight, then released last-first, so the
    // batches complete 20.., 10.., 0..: a result assembled in completion order would put 20..24 first.
    const pending: Array<() => void> = [];
    const sent: string[] = [];
    const client: DatabricksTransport = {
      request<T>(req: HttpRequest): Promise<T> {
        const input = (req.body as { input: string[] }).input;
        sent.push(input[0]!);
        const reply = {
          object: "list",
          data: input.map((text, index) => ({ object: "embedding", index, embedding: [Number(text)] })),
        };
        return new Promise<T>((resolve) => {
          pending.push(() => resolve(reply as T));
          if (pending.length === 3) for (const release of pending.reverse()) release();
        });
      },
      stream: () => {
        throw new Error("not streamed");
      },
    };
    const texts = Array.from({ length: 25 }, (_, i) => String(i));
    const emb = new DatabricksEmbeddings({
      endpoint: uniqueEndpoint(),
      client,
      batchSize: 10,
      maxConcurrency: 3,
    });
    const vectors = await emb.embedDocuments(texts);
    expect(sent).toEqual(["0", "10", "20"]);
    expect(vectors).toEqual(texts.map((t) => [Number(t)]));
  });

  test("numbers sent as strings are cast to floats, as the Python original does", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: ["0.5", 2, "-1e-3"] }],
      }),
    );
    const emb = new DatabricksEmbeddings({ endpoint: uniqueEndpoint(), ...testAuth(m) });
    expect(await emb.embedQuery("x")).toEqual([0.5, 2, -0.001]);
  });

  test("empty input returns [] without a request", async () => {
    const m = reversedEmbeddings();
    expect(await new DatabricksEmbeddings({ endpoint: "e", ...testAuth(m) }).embedDocuments([])).toEqual([]);
    expect(m.calls).toHaveLength(0);
  });

  test("query and document params go to their own calls", async () => {
    const m = reversedEmbeddings();
    const emb = new DatabricksEmbeddings({
      model: uniqueEndpoint(),
      ...testAuth(m),
      queryParams: { instruction: "Represent this query:" },
      documentsParams: { input_type: "search_document" },
    });
    expect(await emb.embedQuery("7")).toEqual([7, 1]);
    await emb.embedDocuments(["1"]);
    expect(m.calls[0]!.body).toMatchObject({ instruction: "Represent this query:", input: ["7"] });
    expect(m.calls[1]!.body).toMatchObject({ input_type: "search_document", input: ["1"] });
    expect(m.calls[1]!.body.instruction).toBeUndefined();
  });

  test("maxConcurrency bounds batches in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const m = mockFetch(async (call) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      const input = call.body.input as string[];
      return jsonResponse({ data: input.map((_, i) => ({ index: i, embedding: [0] })) });
    });
    const emb = new DatabricksEmbeddings({ endpoint: "e", ...testAuth(m), batchSize: 1, maxConcurrency: 2 });
    await emb.embedDocuments(["a", "b", "c", "d", "e"]);
    expect(m.calls).toHaveLength(5);
    expect(peak).toBeLessThanOrEqual(2);
  });

  test("base64 embeddings (server ignored encoding_format) are decoded to floats", async () => {
    const floats = new Float32Array([0.5, -1.25]);
    const b64 = Buffer.from(floats.buffer).toString("base64");
    const m = mockFetch(() => jsonResponse({ data: [{ index: 0, embedding: b64 }] }));
    expect(await new DatabricksEmbeddings({ endpoint: "e", ...testAuth(m) }).embedQuery("x")).toEqual([
      0.5, -1.25,
    ]);
  });

  test("falls back to /invocations (no model, no encoding_format) when the OpenAI route is rejected", async () => {
    const endpoint = uniqueEndpoint();
    const m = mockFetch((call) =>
      call.path === "/serving-endpoints/embeddings"
        ? errorResponse(404, "ENDPOINT_NOT_FOUND", "No API found for 'POST /serving-endpoints/embeddings'")
        : jsonResponse({ predictions: [[1, 2]] }),
    );
    const emb = new DatabricksEmbeddings({ endpoint, ...testAuth(m) });
    expect(await emb.embedQuery("x")).toEqual([1, 2]);
    expect(await emb.embedQuery("y")).toEqual([1, 2]);
    expect(m.calls.map((c) => c.path)).toEqual([
      "/serving-endpoints/embeddings",
      `/serving-endpoints/${endpoint}/invocations`,
      `/serving-endpoints/${endpoint}/invocations`,
    ]);
    expect(m.calls[1]!.body).toEqual({ input: ["x"] });
  });

  test("a parameter 400 does not switch routes; a failed switch is not remembered", async () => {
    const endpoint = uniqueEndpoint();
    let invocationsUp = false;
    const m = mockFetch((call) => {
      if (call.path === "/serving-endpoints/embeddings") {
        if (call.body.input && (call.body.input as string[])[0] === "bad") {
          return errorResponse(400, "INVALID_PARAMETER_VALUE", "Parameter 'instruction' is not supported");
        }
        return errorResponse(405, "", "Method Not Allowed");
      }
      return invocationsUp
        ? jsonResponse({ predictions: [[7]] })
        : errorResponse(503, "TEMPORARILY_UNAVAILABLE", "down");
    });
    const emb = new DatabricksEmbeddings({ endpoint, ...testAuth(m) });
    await expect(emb.embedQuery("bad")).rejects.toMatchObject({ status: 400 });
    expect(m.calls.map((c) => c.path)).toEqual(["/serving-endpoints/embeddings"]);
    await expect(emb.embedQuery("x")).rejects.toMatchObject({ status: 503 });
    invocationsUp = true;
    expect(await emb.embedQuery("y")).toEqual([7]);
    expect(await emb.embedQuery("z")).toEqual([7]);
    expect(m.calls.map((c) => c.path).slice(1)).toEqual([
      "/serving-endpoints/embeddings",
      `/serving-endpoints/${endpoint}/invocations`,
      "/serving-endpoints/embeddings",
      `/serving-endpoints/${endpoint}/invocations`,
      `/serving-endpoints/${endpoint}/invocations`,
    ]);
  });

  test("a count mismatch is an error, not silently misaligned vectors", async () => {
    const m = mockFetch(() => jsonResponse({ data: [{ index: 0, embedding: [1] }] }));
    await expect(
      new DatabricksEmbeddings({ endpoint: "e", ...testAuth(m) }).embedDocuments(["a", "b"]),
    ).rejects.toThrow(/returned 1 embeddings for 2 inputs/);
  });

  test("429s are retried by the transport", async () => {
    const m = mockFetch((call, n) =>
      n === 0
        ? new Response(JSON.stringify({ error_code: "REQUEST_LIMIT_EXCEEDED", message: "slow down" }), {
            status: 429,
            headers: { "retry-after": "0", "content-type": "application/json" },
          })
        : jsonResponse({ data: (call.body.input as string[]).map((_, i) => ({ index: i, embedding: [3] })) }),
    );
    const emb = new DatabricksEmbeddings({
      endpoint: "e",
      ...testAuth(m),
      maxRetries: 2,
      retry: { baseDelayMs: 1 },
    });
    expect(await emb.embedQuery("x")).toEqual([3]);
    expect(m.calls).toHaveLength(2);
  });

  test("configuration errors are clear", () => {
    expect(() => new DatabricksEmbeddings({})).toThrow(/needs a serving endpoint/);
    expect(() => new DatabricksEmbeddings({ endpoint: "e", batchSize: 0 })).toThrow(/batchSize/);
  });
});
