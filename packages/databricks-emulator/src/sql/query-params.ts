/**
 * Query parameters and pagination of the SQL and Unity Catalog list routes (spec/sql.md): the SDKs send some GET
 * parameters in a JSON body, and lists page with `max_results` / an opaque `page_token`.
 */
import { invalidParameter } from "../errors.js";
import { jsonObject } from "../http/body.js";
import type { JsonObject } from "../util/json.js";

export type Query = Record<string, string | undefined>;

/** Query parameters, plus a JSON body's fields: the SDKs send some GET parameters in a body (spec/sql.md). */
export const params = (req: { query: unknown; body: unknown }): Query => {
  let body: Record<string, unknown> = {};
  try {
    body = jsonObject(req.body);
  } catch {
    body = {};
  }
  const out: Query = {};
  for (const [k, v] of Object.entries(body)) if (v !== undefined && v !== null) out[k] = String(v);
  return { ...out, ...(req.query as Query) };
};

/** One page of `items` under `key`, with `next_page_token` when more remain (default page size 1000). */
export const page = <T>(items: T[], q: Query, key: string): JsonObject => {
  const max = q.max_results === undefined ? 0 : Number(q.max_results);
  if (!Number.isInteger(max) || max < 0)
    throw invalidParameter("max_results must be a non-negative integer.");
  const start = q.page_token ? Number(Buffer.from(q.page_token, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter("Invalid page_token.");
  const size = max === 0 ? 1000 : max;
  const slice = items.slice(start, start + size);
  const out: JsonObject = {};
  if (slice.length > 0) out[key] = slice as unknown as JsonObject[];
  if (start + size < items.length)
    out.next_page_token = Buffer.from(String(start + size)).toString("base64url");
  return out;
};
