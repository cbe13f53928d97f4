import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import { chunkArray } from "@langchain/core/utils/chunk_array";
import { getEnvironmentVariable } from "@langchain/core/utils/env";
import type { DatabricksAuthOptions } from "./auth/options.js";
import { ConfigError, DatabricksError, isDatabricksError } from "./errors.js";
import { type InjectedHttpClient, type ModelHttpClient, modelClient } from "./model-support/plumbing.js";
import { RoutePolicy } from "./model-support/route-policy.js";
import { EMBEDDINGS_PATH, invocationsPath } from "./serving-urls.js";
import { base64ToBytes } from "./utils/base64.js";

/** Default texts per request; Databricks FMAPI embedding endpoints accept up to 150 inputs per call. */
export const DEFAULT_EMBEDDINGS_BATCH_SIZE = 150;
/** Default number of batches in flight at once. */
export const DEFAULT_EMBEDDINGS_CONCURRENCY = 4;

/** Which serving route embedding calls use; "auto" tries the OpenAI route and falls back to `/invocations`. */
export type EmbeddingsRoute = "auto" | "embeddings" | "invocations";

export interface DatabricksEmbeddingsInput
  extends EmbeddingsParams,
    DatabricksAuthOptions,
    InjectedHttpClient {
  /**
   * Serving endpoint name.
   * @example "databricks-gte-large-en"
   */
  endpoint?: string;
  /** Alias of `endpoint`. */
  model?: string;
  /** Alias of `token`. */
  apiKey?: string;
  /** Extra body fields for `embedQuery` (e.g. `{ instruction: "Represent this query for retrieval:" }`). */
  queryParams?: Record<string, unknown>;
  /** Extra body fields for `embedDocuments` (e.g. `{ input_type: "search_document" }`). */
  documentsParams?: Record<string, unknown>;
  /**
   * Texts per request.
   * @default 150
   */
  batchSize?: number;
  /**
   * Requests in flight at once.
   * @default 4
   */
  maxConcurrency?: number;
  /** @default "auto" */
  route?: EmbeddingsRoute;
}

interface EmbeddingItem {
  index?: number;
  embedding?: number[] | string;
}

interface EmbeddingsResponse {
  data?: EmbeddingItem[];
  /** Custom pyfunc embedding models answer `{predictions: [[...], ...]}`. */
  predictions?: unknown;
}

/** Decodes an OpenAI base64 embedding (little-endian float32), in case a server ignores `encoding_format`. */
function decodeBase64Floats(b64: string): number[] {
  const bytes = base64ToBytes(b64);
  const view = new DataView(bytes.buffer);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(view.getFloat32(i, true));
  return out;
}

function toVector(raw: unknown, where: string): number[] {
  if (typeof raw === "string") return decodeBase64Floats(raw);
  if (Array.isArray(raw)) {
    // JSON already gives numbers: keep the parsed array instead of copying 1,024 floats per text.
    for (const v of raw) if (typeof v !== "number") return raw.map((x) => Number(x));
    return raw as number[];
  }
  throw new DatabricksError(`Embeddings response has no vector at ${where}; expected an array of numbers.`);
}

/**
 * Embeddings from a Databricks Model Serving endpoint (foundation, external or custom embedding models).
 *
 * Documents are split into batches of `batchSize`, sent `maxConcurrency` at a time, and returned in input order
 * (sorted by each item's `index`). Rate limits (429) are retried by the HTTP layer with backoff.
 *
 * @example
 * ```ts
 * const embeddings = new DatabricksEmbeddings({ endpoint: "databricks-bge-large-en" });
 * const vector = await embeddings.embedQuery("hello");
 * const vectors = await embeddings.embedDocuments(["a", "b", "c"]);
 * ```
 */
export class DatabricksEmbeddings extends Embeddings<number[]> {
  endpoint: string;
  queryParams: Record<string, unknown>;
  documentsParams: Record<string, unknown>;
  batchSize: number;
  route: EmbeddingsRoute;
  timeout?: number;
  maxRetries?: number;
  private readonly httpClient: () => ModelHttpClient;
  private readonly routes: RoutePolicy;

  constructor(fields: DatabricksEmbeddingsInput = {}) {
    // Retries happen in the transport only; the caller just bounds concurrency.
    super({
      ...fields,
      maxConcurrency: fields.maxConcurrency ?? DEFAULT_EMBEDDINGS_CONCURRENCY,
      maxRetries: 0,
    });
    const endpoint =
      fields.endpoint ?? fields.model ?? getEnvironmentVariable("DATABRICKS_EMBEDDINGS_ENDPOINT");
    if (!endpoint) {
      throw new ConfigError(
        'DatabricksEmbeddings needs a serving endpoint: pass { endpoint: "databricks-gte-large-en" } (alias "model") ' +
          "or set DATABRICKS_EMBEDDINGS_ENDPOINT.",
      );
    }
    const batchSize = fields.batchSize ?? DEFAULT_EMBEDDINGS_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ConfigError(`batchSize must be a positive integer, got ${String(fields.batchSize)}.`);
    }
    this.endpoint = endpoint;
    this.queryParams = { ...fields.queryParams };
    this.documentsParams = { ...fields.documentsParams };
    this.batchSize = batchSize;
    this.route = fields.route ?? "auto";
    this.timeout = fields.timeout;
    this.maxRetries = fields.maxRetries;
    this.httpClient = modelClient(fields);
    this.routes = new RoutePolicy(this.httpClient, endpoint, this.route);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const batches = chunkArray(texts, this.batchSize);
    const results = await Promise.all(
      batches.map((batch) => this.caller.call(() => this.embedBatch(batch, this.documentsParams))),
    );
    return results.flat();
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.caller.call(() => this.embedBatch([text], this.queryParams));
    return vector as number[];
  }

  /** Falls back to `/invocations` once on a route rejection (remembered once it answered), as chat models do. */
  private embedBatch(input: string[], params: Record<string, unknown>): Promise<number[][]> {
    return this.routes.run((invocations) => this.send(input, params, invocations));
  }

  private async send(
    input: string[],
    params: Record<string, unknown>,
    invocations: boolean,
  ): Promise<number[][]> {
    const body: Record<string, unknown> = invocations
      ? { ...params, input }
      : // Ask for floats explicitly: OpenAI-style servers may otherwise default to base64.
        { encoding_format: "float", ...params, model: this.endpoint, input };
    const resp = await this.httpClient().request<EmbeddingsResponse>({
      method: "POST",
      path: invocations ? invocationsPath(this.endpoint) : EMBEDDINGS_PATH,
      body,
      timeout: this.timeout,
      maxRetries: this.maxRetries,
    });
    try {
      return this.parse(resp, input.length);
    } catch (e) {
      if (isDatabricksError(e)) throw e;
      // A body of an unexpected shape (null items, a non-object...) is the endpoint's fault: say so, typed.
      throw new DatabricksError(
        `Endpoint "${this.endpoint}" returned an embeddings response of an unexpected shape (${e instanceof Error ? e.message : String(e)}).`,
        { endpoint: this.endpoint, cause: e },
      );
    }
  }

  private parse(resp: EmbeddingsResponse, expected: number): number[][] {
    let vectors: number[][];
    if (Array.isArray(resp.data)) {
      const items = resp.data.map((item, position) => ({ item, position }));
      // Order by the server's `index` when present; position otherwise.
      items.sort((a, b) => (a.item.index ?? a.position) - (b.item.index ?? b.position));
      vectors = items.map(({ item, position }) => toVector(item.embedding, `data[${position}].embedding`));
    } else if (Array.isArray(resp.predictions)) {
      vectors = resp.predictions.map((p, i) => toVector(p, `predictions[${i}]`));
    } else {
      throw new DatabricksError(
        `Endpoint "${this.endpoint}" returned no embeddings (expected "data" or "predictions" in the response).`,
      );
    }
    if (vectors.length !== expected) {
      throw new DatabricksError(
        `Endpoint "${this.endpoint}" returned ${vectors.length} embeddings for ${expected} inputs.`,
      );
    }
    return vectors;
  }
}
