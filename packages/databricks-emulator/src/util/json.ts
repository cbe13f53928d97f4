/** Narrowing helpers for untyped JSON request bodies. */
export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Drops keys whose value is `undefined` (proto3-JSON style: unset fields are omitted). */
export const compact = <T extends JsonObject>(o: T): T => {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
};

/** Deep copy of plain JSON data. */
export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
