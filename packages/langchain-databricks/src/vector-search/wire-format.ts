/**
 * Vector Search wire conversions: request bodies built from the typed options and scan values read back to JSON.
 * Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import type { QueryRequest } from "./types.js";

/** Base path of the Vector Search API. */
export const VECTOR_SEARCH_API = "/api/2.0/vector-search";

/** The `embedding_vector_columns` / `embedding_source_columns` of an index spec. */
export const embeddingColumns = (o: {
  embeddingVectorColumn?: { name: string; dimension: number };
  embeddingSourceColumn?: { name: string; modelEndpointName: string; modelEndpointNameForQuery?: string };
}) => ({
  ...(o.embeddingVectorColumn
    ? {
        embedding_vector_columns: [
          { name: o.embeddingVectorColumn.name, embedding_dimension: o.embeddingVectorColumn.dimension },
        ],
      }
    : {}),
  ...(o.embeddingSourceColumn
    ? {
        embedding_source_columns: [
          {
            name: o.embeddingSourceColumn.name,
            embedding_model_endpoint_name: o.embeddingSourceColumn.modelEndpointName,
            ...(o.embeddingSourceColumn.modelEndpointNameForQuery
              ? { model_endpoint_name_for_query: o.embeddingSourceColumn.modelEndpointNameForQuery }
              : {}),
          },
        ],
      }
    : {}),
});

/** The wire body of a query request (also what the CLI prints with --dry-run). */
export function queryBody(req: QueryRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { columns: req.columns, num_results: req.numResults ?? 10 };
  if (req.queryText !== undefined) body.query_text = req.queryText;
  if (req.queryVector !== undefined) body.query_vector = req.queryVector;
  if (req.queryType !== undefined) body.query_type = req.queryType;
  if (typeof req.filters === "string") body.filter_string = req.filters;
  else if (req.filters && Object.keys(req.filters).length > 0)
    body.filters_json = JSON.stringify(req.filters);
  if (req.scoreThreshold !== undefined) body.score_threshold = req.scoreThreshold;
  if (req.reranker) {
    body.reranker = {
      model: req.reranker.model ?? "databricks_reranker",
      ...(req.reranker.modelType ? { model_type: req.reranker.modelType } : {}),
      parameters: { columns_to_rerank: req.reranker.columnsToRerank },
    };
  }
  if (req.debugLevel !== undefined) body.debug_level = req.debugLevel;
  return body;
}

/** Turns the wire's protobuf `Value` of a scan field into plain JSON. */
export const fromProto = (v: Record<string, unknown> | undefined): unknown => {
  if (!v) return null;
  if ("string_value" in v) return v.string_value;
  if ("number_value" in v) return v.number_value;
  if ("bool_value" in v) return v.bool_value;
  if ("list_value" in v) {
    const values = (v.list_value as { values?: Record<string, unknown>[] } | undefined)?.values ?? [];
    return values.map(fromProto);
  }
  if ("struct_value" in v) {
    const fields =
      (v.struct_value as { fields?: { key: string; value: Record<string, unknown> }[] }).fields ?? [];
    return Object.fromEntries(fields.map((f) => [f.key, fromProto(f.value)]));
  }
  return null;
};
