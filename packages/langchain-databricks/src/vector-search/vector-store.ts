/**
 * The LangChain `VectorStore` over a Databricks Vector Search index: search, MMR and writes. Index description and
 * settings checks live in ./index-description.ts, row <-> document mapping in ./document-mapping.ts.
 */
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { maximalMarginalRelevance } from "@langchain/core/utils/math";
import { type MaxMarginalRelevanceSearchOptions, VectorStore } from "@langchain/core/vectorstores";
import type { ClientOptions } from "../clients/shared.js";
import { DatabricksAbortError, DatabricksConfigError } from "../errors.js";
import { VectorSearchClient, type VectorSearchDataPlane } from "./client.js";
import { documentsToRows, requestedColumns, rowToDocument } from "./document-mapping.js";
import { describeIndex, type IndexDescription, validateIndexSettings } from "./index-description.js";
import type { QueryType, RerankerSpec, VectorSearchFilters } from "./types.js";

export { describeIndex, type IndexDescription } from "./index-description.js";

export interface DatabricksVectorSearchInput extends ClientOptions {
  /** Three-part Unity Catalog name of the index, `catalog.schema.index`. */
  indexName: string;
  /** Deprecated (the endpoint is read from the index); when given it must match. */
  endpoint?: string;
  /** Required for self-managed embeddings; must not be given for managed-embedding (delta-sync) indexes. */
  embeddings?: EmbeddingsInterface;
  /** The text column (page content). Required for self-managed indexes; managed indexes use their source column. */
  textColumn?: string;
  /** Extra columns to return as metadata. */
  columns?: string[];
  /** A column holding the document URI, returned as `metadata.doc_uri`. */
  docUri?: string;
  /** A column holding the chunk id, returned as `metadata.chunk_id`. */
  primaryKey?: string;
  /** @default "ANN" */
  queryType?: QueryType;
  reranker?: RerankerSpec;
  /** Drop results scoring below this (applied by the service before reranking). */
  scoreThreshold?: number;
  /** Put the score into `metadata.score` of returned documents. @default false */
  includeScore?: boolean;
  /** A client to share (its HTTP client and auth); otherwise one is built from the auth options. */
  client?: VectorSearchClient;
  /** Where index data calls go when no `client` is given; see `VectorSearchClientOptions.dataPlane`. */
  dataPlane?: VectorSearchDataPlane;
}

/** Per-call options of {@link DatabricksVectorSearch.search}; each overrides the instance field of the same name. */
export interface DatabricksVectorSearchCallOptions {
  /** @default 4 */
  k?: number;
  filter?: VectorSearchFilters | string;
  queryType?: QueryType;
  reranker?: RerankerSpec;
  scoreThreshold?: number;
  columns?: string[];
  signal?: AbortSignal;
}

const NO_EMBEDDINGS: EmbeddingsInterface = {
  embedQuery: async () => {
    throw new DatabricksConfigError(
      "This DatabricksVectorSearch has no `embeddings`: its index embeds text itself.",
    );
  },
  embedDocuments: async () => {
    throw new DatabricksConfigError(
      "This DatabricksVectorSearch has no `embeddings`: its index embeds text itself.",
    );
  },
};

/**
 * A LangChain `VectorStore` over a Databricks Vector Search index (as Python's `databricks-langchain`
 * `DatabricksVectorSearch`). The endpoint is read from the index; managed-embedding indexes are queried by text,
 * self-managed ones by the vector of `embeddings.embedQuery(query)`. Direct-access indexes also take writes.
 *
 * @example
 * const store = new DatabricksVectorSearch({ indexName: "main.docs.chunks_index" });
 * const docs = await store.similaritySearch("How do refunds work?", 4, { "language": "en" });
 */
export class DatabricksVectorSearch extends VectorStore {
  declare FilterType: VectorSearchFilters | string;

  readonly indexName: string;
  readonly client: VectorSearchClient;
  readonly fields: Omit<DatabricksVectorSearchInput, "client" | "embeddings">;
  readonly hasEmbeddings: boolean;
  #info: Promise<IndexDescription> | undefined;

  constructor(fields: DatabricksVectorSearchInput) {
    super(fields.embeddings ?? NO_EMBEDDINGS, {});
    const { client, embeddings, ...rest } = fields;
    if (typeof fields.indexName !== "string" || fields.indexName.split(".").length !== 3) {
      throw new DatabricksConfigError(
        `indexName must be a three-part name catalog.schema.index, got ${JSON.stringify(fields.indexName)}.`,
      );
    }
    this.indexName = fields.indexName;
    this.hasEmbeddings = embeddings !== undefined;
    this.fields = rest;
    this.client = client ?? new VectorSearchClient(rest);
  }

  _vectorstoreType(): string {
    return "databricks_vector_search";
  }

  /** Builds a store over an existing index and adds `docs` to it (direct-access indexes). */
  static override async fromDocuments(
    docs: DocumentInterface[],
    embeddings: EmbeddingsInterface,
    fields: Omit<DatabricksVectorSearchInput, "embeddings">,
  ): Promise<DatabricksVectorSearch> {
    const store = new DatabricksVectorSearch({ ...fields, embeddings });
    await store.addDocuments(docs);
    return store;
  }

  static override async fromTexts(
    texts: string[],
    metadatas: object[] | object,
    embeddings: EmbeddingsInterface,
    fields: Omit<DatabricksVectorSearchInput, "embeddings">,
  ): Promise<DatabricksVectorSearch> {
    const docs = texts.map(
      (t, i) =>
        new Document({
          pageContent: t,
          metadata: (Array.isArray(metadatas) ? metadatas[i] : metadatas) as Record<string, unknown>,
        }),
    );
    return DatabricksVectorSearch.fromDocuments(docs, embeddings, fields);
  }

  /** The index description (one `GET` per store, cached); validates the store's settings against it. */
  describe(signal?: AbortSignal): Promise<IndexDescription> {
    if (signal?.aborted)
      return Promise.reject(new DatabricksAbortError("Cancelled before the request was sent."));
    if (!this.#info) {
      this.#info = this.client
        .getIndex(this.indexName)
        .then((raw) => validateIndexSettings(describeIndex(raw), this.fields, this.hasEmbeddings));
      this.#info.catch(() => {
        this.#info = undefined;
      });
    }
    return this.#info;
  }

  /**
   * One search with every option: managed indexes by text, self-managed by the query's embedding (plus the text
   * for HYBRID and FULL_TEXT). Call options win over the instance fields.
   */
  async search(
    query: string,
    options: DatabricksVectorSearchCallOptions = {},
  ): Promise<[Document, number][]> {
    const info = await this.describe(options.signal);
    const queryType = options.queryType ?? this.fields.queryType ?? "ANN";
    let queryVector: number[] | undefined;
    if (!info.sourceColumn && queryType !== "FULL_TEXT") {
      if (options.signal?.aborted) throw new DatabricksAbortError("Cancelled before the request was sent.");
      queryVector = await this.embeddings.embedQuery(query);
    }
    const reranking = (options.reranker ?? this.fields.reranker) !== undefined;
    const useText = info.sourceColumn !== undefined || queryType !== "ANN" || reranking;
    return this.#query(info, {
      ...options,
      queryType,
      ...(useText ? { queryText: query } : {}),
      ...(queryVector ? { queryVector } : {}),
    });
  }

  async #query(
    info: IndexDescription,
    o: DatabricksVectorSearchCallOptions & {
      queryText?: string;
      queryVector?: number[];
      extraColumns?: string[];
    },
  ): Promise<[Document, number][]> {
    const columns = requestedColumns(info, this.fields, [...(o.columns ?? []), ...(o.extraColumns ?? [])]);
    const reranker = o.reranker ?? this.fields.reranker;
    const scoreThreshold = o.scoreThreshold ?? this.fields.scoreThreshold;
    const res = await this.client.query(
      this.indexName,
      {
        columns,
        numResults: o.k ?? 4,
        ...(o.queryText !== undefined ? { queryText: o.queryText } : {}),
        ...(o.queryVector ? { queryVector: o.queryVector } : {}),
        ...(o.queryType && o.queryType !== "ANN" ? { queryType: o.queryType } : {}),
        ...(o.filter !== undefined ? { filters: o.filter } : {}),
        ...(scoreThreshold !== undefined ? { scoreThreshold } : {}),
        ...(reranker ? { reranker } : {}),
      },
      o.signal ? { signal: o.signal } : {},
    );
    return res.rows.map((row) => rowToDocument(info, this.fields, res.columns, row));
  }

  override async similaritySearch(
    query: string,
    k = 4,
    filter?: this["FilterType"],
    _callbacks?: Callbacks,
  ): Promise<DocumentInterface[]> {
    return (await this.search(query, { k, ...(filter !== undefined ? { filter } : {}) })).map(([d]) => d);
  }

  override async similaritySearchWithScore(
    query: string,
    k = 4,
    filter?: this["FilterType"],
    _callbacks?: Callbacks,
  ): Promise<[DocumentInterface, number][]> {
    return this.search(query, { k, ...(filter !== undefined ? { filter } : {}) });
  }

  async similaritySearchVectorWithScore(
    query: number[],
    k: number,
    filter?: this["FilterType"],
  ): Promise<[DocumentInterface, number][]> {
    const info = await this.describe();
    return this.#query(info, { k, queryVector: query, ...(filter !== undefined ? { filter } : {}) });
  }

  /**
   * Maximal marginal relevance (self-managed indexes): fetches `fetchK` (default 20) candidates with their vectors
   * and picks `k` balancing relevance and diversity (`lambda`, default 0.5).
   */
  override async maxMarginalRelevanceSearch(
    query: string,
    options: MaxMarginalRelevanceSearchOptions<this["FilterType"]>,
    _callbacks?: Callbacks,
  ): Promise<DocumentInterface[]> {
    const info = await this.describe();
    if (!info.vectorColumn) {
      throw new DatabricksConfigError(
        `maxMarginalRelevanceSearch needs the index's vectors: index ${info.name} uses managed embeddings and has no vector column.`,
      );
    }
    const k = options.k ?? 4;
    const fetchK = options.fetchK ?? 20;
    const queryVector = await this.embeddings.embedQuery(query);
    const requested = (this.fields.columns ?? []).includes(info.vectorColumn);
    const columns = requestedColumns(info, this.fields, [info.vectorColumn]);
    const res = await this.client.query(this.indexName, {
      columns,
      numResults: fetchK,
      queryVector,
      ...(options.filter !== undefined ? { filters: options.filter } : {}),
      ...(this.fields.scoreThreshold !== undefined ? { scoreThreshold: this.fields.scoreThreshold } : {}),
    });
    const vi = res.columns.indexOf(info.vectorColumn);
    const vectors = res.rows.map((r) => r[vi] as number[]);
    if (vectors.length === 0) return [];
    const picked = maximalMarginalRelevance(queryVector, vectors, options.lambda ?? 0.5, k);
    return picked.map((i) => {
      const row = res.rows[i] as unknown[];
      return rowToDocument(
        info,
        this.fields,
        res.columns,
        row,
        requested ? [] : [info.vectorColumn as string],
      )[0];
    });
  }

  #writable(info: IndexDescription): void {
    if (info.indexType !== "DIRECT_ACCESS") {
      throw new DatabricksConfigError(
        `Index ${info.name} is a DELTA_SYNC index: add rows to its source table ${info.sourceTable ?? ""} and sync it; only DIRECT_ACCESS indexes take writes.`,
      );
    }
  }

  async #upsert(rows: Record<string, unknown>[], info: IndexDescription): Promise<string[]> {
    const res = await this.client.upsert(this.indexName, rows);
    const failed = new Set((res.result.failed_primary_keys ?? []).map(String));
    return rows.map((r) => String(r[info.primaryKey])).filter((id) => !failed.has(id));
  }

  /** Embeds (self-managed) and upserts documents into a direct-access index; returns the ids written. */
  async addDocuments(documents: DocumentInterface[], options?: { ids?: string[] }): Promise<string[]> {
    const info = await this.describe();
    this.#writable(info);
    if (info.vectorColumn) {
      const vectors = await this.embeddings.embedDocuments(documents.map((d) => d.pageContent));
      return this.addVectors(vectors, documents, options);
    }
    return this.#upsert(documentsToRows(info, this.fields, documents, options?.ids), info);
  }

  /** Upserts documents with precomputed vectors into a self-managed direct-access index. */
  async addVectors(
    vectors: number[][],
    documents: DocumentInterface[],
    options?: { ids?: string[] },
  ): Promise<string[]> {
    const info = await this.describe();
    this.#writable(info);
    if (!info.vectorColumn) {
      throw new DatabricksConfigError(`Index ${info.name} computes its own embeddings; use addDocuments.`);
    }
    if (vectors.length !== documents.length) {
      throw new DatabricksConfigError(`Got ${vectors.length} vectors for ${documents.length} documents.`);
    }
    vectors.forEach((v, i) => {
      if (info.dimension !== undefined && v.length !== info.dimension) {
        throw new DatabricksConfigError(
          `vectors[${i}] has ${v.length} dimensions; index ${info.name} expects ${info.dimension}.`,
        );
      }
    });
    return this.#upsert(documentsToRows(info, this.fields, documents, options?.ids, vectors), info);
  }

  /** Deletes rows by primary key (direct-access indexes). */
  override async delete(params?: { ids?: string[] }): Promise<void> {
    const info = await this.describe();
    this.#writable(info);
    if (!params?.ids || params.ids.length === 0)
      throw new DatabricksConfigError("delete needs { ids: [...] }.");
    await this.client.deleteRows(this.indexName, params.ids);
  }
}
