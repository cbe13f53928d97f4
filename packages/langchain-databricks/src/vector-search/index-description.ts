/**
 * What a {@link DatabricksVectorSearch} store knows about its index (from `GET /indexes/{name}`), and the checks of
 * the store's settings against it. Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { DatabricksConfigError } from "../errors.js";
import type { VectorIndex } from "./types.js";

/** The store settings that decide columns and metadata (a subset of `DatabricksVectorSearchInput`). */
export interface StoreColumnFields {
  endpoint?: string;
  textColumn?: string;
  columns?: string[];
  docUri?: string;
  primaryKey?: string;
  includeScore?: boolean;
}

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

/** Checks the store's settings against the index (endpoint, managed vs self-managed embeddings, columns). */
export function validateIndexSettings(
  info: IndexDescription,
  f: StoreColumnFields,
  hasEmbeddings: boolean,
): IndexDescription {
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
    if (hasEmbeddings) {
      throw new DatabricksConfigError(
        `embeddings must not be given for index ${info.name}: it computes embeddings itself (managed embeddings).`,
      );
    }
  } else if (!info.sourceColumn) {
    if (!f.textColumn)
      throw new DatabricksConfigError(`textColumn is required for self-managed index ${info.name}.`);
    if (!hasEmbeddings) {
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
