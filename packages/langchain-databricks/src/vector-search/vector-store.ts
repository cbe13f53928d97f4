import type { Callbacks } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { maximalMarginalRelevance } from "@langchain/core/utils/math";
import { type MaxMarginalRelevanceSearchOptions, VectorStore } from "@langchain/core/vectorstores";
import type { ClientOptions } from "../clients/shared.js";
import { DatabricksAbortError, DatabricksConfigError } from "../errors.js";
import { VectorSearchClient } from "./client.js";
import type { QueryType, RerankerSpec, VectorIndex, VectorSearchFilters } from "./types.js";

/** What the store learned from `GET /indexes/{name}` (fetched once, on first use). */
export interface IndexDescription {
  name: string;
  endpointName: string;
  primaryKey: string;
  indexType: "DIRECT_ACCESS" | "DELTA_SYNC";
  /** Managed embeddings: the source text column (queries go by text). */
  sourceColumn?: string;
  /** Self-managed embeddings: the vector column and its dimension. */
  vectorColumn?: string;
  dimension?: number;
  /** Direct Access: the schema's column names. */
  schemaColumns?: string[];
  sourceTable?: string;
  raw: VectorIndex;
}

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

export const describeIndex = (index: VectorIndex): IndexDescription => {
  const spec = index.delta_sync_index_spec ?? index.direct_access_index_spec ?? {};
  const source = spec.embedding_source_columns?.[0];
  const vector = spec.embedding_vector_columns?.[0];
  let schemaColumns: string[] | undefined;
  const schemaJson = index.direct_access_index_spec?.schema_json;
  if (typeof schemaJson === "string") {
    try {
      schemaColumns = Object.keys(JSON.parse(schemaJson) as Record<string, unknown>);
    } catch {
      schemaColumns = undefined;
    }
  }
  return {
    name: index.name,
    endpointName: index.endpoint_name,
    primaryKey: index.primary_key,
    indexType: index.index_type,
    ...(source?.name ? { sourceColumn: source.name } : {}),
    ...(vector ? { vectorColumn: vector.name, dimension: vector.embedding_dimension } : {}),
    ...(schemaColumns ? { schemaColumns } : {}),
    ...(index.delta_sync_index_spec?.source_table
      ? { sourceTable: index.delta_sync_index_spec.source_table }
      : {}),
    raw: index,
  };
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
      this.#info = this.client.getIndex(this.indexName).then((raw) => this.#validate(describeIndex(raw)));
      this.#info.catch(() => {
        this.#info = undefined;
      });
    }
    return this.#info;
  }

  #validate(info: IndexDescription): IndexDescription {
    const f = this.fields;
    if (f.endpoint !== undefined && f.endpoint !== info.endpointName) {
      throw new DatabricksConfigError(
        `endpoint "${f.endpoint}" does not match the index's endpoint "${info.endpointName}" (the endpoint can be omitted).`,
      );
    }
    const managedDeltaSync = info.sourceColumn !== undefined && info.indexType === "DELTA_SYNC";
    if (managedDeltaSync) {
      if (f.textColumn !== undefined && f.textColumn !== info.sourceColumn) {
        throw new DatabricksConfigError(
          `textColumn must not be given for index ${info.name}: it embeds its source column "${info.sourceColumn}".`,
        );
      }
      if (this.hasEmbeddings) {
        throw new DatabricksConfigError(
          `embeddings must not be given for index ${info.name}: it computes embeddings itself (managed embeddings).`,
        );
      }
    } else if (!info.sourceColumn) {
      if (!f.textColumn)
        throw new DatabricksConfigError(`textColumn is required for self-managed index ${info.name}.`);
      if (!this.hasEmbeddings) {
        throw new DatabricksConfigError(`embeddings are required for self-managed index ${info.name}.`);
      }
    }
    if (info.schemaColumns) {
      for (const c of [...(f.columns ?? []), f.textColumn, f.docUri, f.primaryKey]) {
        if (c !== undefined && !info.schemaColumns.includes(c)) {
          throw new DatabricksConfigError(
            `Column "${c}" is not in index ${info.name}; its columns are ${info.schemaColumns.join(", ")}.`,
          );
        }
      }
    }
    return info;
  }

  #textColumn(info: IndexDescription): string {
    return this.fields.textColumn ?? (info.sourceColumn as string);
  }

  #requested(info: IndexDescription, extra: string[] = []): string[] {
    const f = this.fields;
    const cols = [
      info.primaryKey,
      this.#textColumn(info),
      ...(f.columns ?? []),
      ...(f.docUri ? [f.docUri] : []),
      ...(f.primaryKey ? [f.primaryKey] : []),
      ...extra,
    ];
    return [...new Set(cols)];
  }

  /** Row -> Document: text column as page content, the rest as metadata (`doc_uri`, `chunk_id` mapped). */
  #toDocument(
    info: IndexDescription,
    columns: string[],
    row: unknown[],
    drop: string[] = [],
  ): [Document, number] {
    const text = this.#textColumn(info);
    const metadata: Record<string, unknown> = {};
    let pageContent = "";
    let id: string | undefined;
    columns.forEach((c, i) => {
      if (i === columns.length - 1) return;
      const v = row[i];
      if (c === info.primaryKey) id = v === null || v === undefined ? undefined : String(v);
      if (c === text) {
        pageContent = v === null || v === undefined ? "" : String(v);
        return;
      }
      if (drop.includes(c)) return;
      if (c === this.fields.docUri) metadata.doc_uri = v;
      else if (c === this.fields.primaryKey) metadata.chunk_id = v;
      else if ((c === "doc_uri" && this.fields.docUri) || (c === "chunk_id" && this.fields.primaryKey))
        return;
      else metadata[c] = v;
    });
    const score = Number(row[row.length - 1]);
    if (this.fields.includeScore) metadata.score = score;
    return [new Document({ pageContent, metadata, ...(id !== undefined ? { id } : {}) }), score];
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
    const columns = this.#requested(info, [...(o.columns ?? []), ...(o.extraColumns ?? [])]);
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
    return res.rows.map((row) => this.#toDocument(info, res.columns, row));
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
    const columns = this.#requested(info, [info.vectorColumn]);
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
      return this.#toDocument(info, res.columns, row, requested ? [] : [info.vectorColumn as string])[0];
    });
  }

  #writable(info: IndexDescription): void {
    if (info.indexType !== "DIRECT_ACCESS") {
      throw new DatabricksConfigError(
        `Index ${info.name} is a DELTA_SYNC index: add rows to its source table ${info.sourceTable ?? ""} and sync it; only DIRECT_ACCESS indexes take writes.`,
      );
    }
  }

  #rows(
    info: IndexDescription,
    documents: DocumentInterface[],
    ids: string[] | undefined,
    vectors?: number[][],
  ) {
    if (ids && ids.length !== documents.length) {
      throw new DatabricksConfigError(`ids has ${ids.length} entries for ${documents.length} documents.`);
    }
    const text = this.#textColumn(info);
    const keep = info.schemaColumns ? new Set(info.schemaColumns) : undefined;
    return documents.map((d, i) => {
      const id = ids?.[i] ?? d.id ?? globalThis.crypto.randomUUID();
      const row: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.metadata ?? {})) if (!keep || keep.has(k)) row[k] = v;
      row[info.primaryKey] = id;
      row[text] = d.pageContent;
      if (vectors && info.vectorColumn) row[info.vectorColumn] = vectors[i];
      return row;
    });
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
    return this.#upsert(this.#rows(info, documents, options?.ids), info);
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
    return this.#upsert(this.#rows(info, documents, options?.ids, vectors), info);
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
