/**
 * Mapping between index rows and LangChain documents for {@link DatabricksVectorSearch}: which columns to request,
 * a result row to a `Document` (text column as page content, the rest as metadata), documents to upsert rows.
 */
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { DatabricksConfigError } from "../errors.js";
import type { IndexDescription, StoreColumnFields } from "./index-description.js";

/** The page-content column: the store's `textColumn`, else the index's managed source column. */
export function textColumnOf(info: IndexDescription, fields: StoreColumnFields): string {
  return fields.textColumn ?? (info.sourceColumn as string);
}

/** The columns a query requests: primary key, text column, the store's extra columns, then `extra` (deduplicated). */
export function requestedColumns(
  info: IndexDescription,
  f: StoreColumnFields,
  extra: string[] = [],
): string[] {
  const cols = [
    info.primaryKey,
    textColumnOf(info, f),
    ...(f.columns ?? []),
    ...(f.docUri ? [f.docUri] : []),
    ...(f.primaryKey ? [f.primaryKey] : []),
    ...extra,
  ];
  return [...new Set(cols)];
}

/** Row -> Document: text column as page content, the rest as metadata (`doc_uri`, `chunk_id` mapped). */
export function rowToDocument(
  info: IndexDescription,
  fields: StoreColumnFields,
  columns: string[],
  row: unknown[],
  drop: string[] = [],
): [Document, number] {
  const text = textColumnOf(info, fields);
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
    if (c === fields.docUri) metadata.doc_uri = v;
    else if (c === fields.primaryKey) metadata.chunk_id = v;
    else if ((c === "doc_uri" && fields.docUri) || (c === "chunk_id" && fields.primaryKey)) return;
    else metadata[c] = v;
  });
  const score = Number(row[row.length - 1]);
  if (fields.includeScore) metadata.score = score;
  return [new Document({ pageContent, metadata, ...(id !== undefined ? { id } : {}) }), score];
}

/** Documents -> upsert rows (metadata kept only for schema columns); throws when `ids` do not match. */
export function documentsToRows(
  info: IndexDescription,
  fields: StoreColumnFields,
  documents: DocumentInterface[],
  ids: string[] | undefined,
  vectors?: number[][],
): Record<string, unknown>[] {
  if (ids && ids.length !== documents.length) {
    throw new DatabricksConfigError(`ids has ${ids.length} entries for ${documents.length} documents.`);
  }
  const text = textColumnOf(info, fields);
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
