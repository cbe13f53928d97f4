/**
 * Strict request checking in the style of the FMAPI front end (spec/serving.md 3.3B): a Go JSON decoder with
 * unknown fields disallowed, followed by schema checks. Every failure is a 400 `BAD_REQUEST` whose message
 * starts with "Bad request: " and names the offending field and what is expected instead.
 */
import { type ApiError, badRequest } from "../errors.js";

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export const fail = (detail: string): ApiError => badRequest(`Bad request: ${detail}`);

/** JSON kind names as the Go decoder reports them ("string", "number", "object", "array", "bool"). */
const kindOf = (v: unknown): string => {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
};

export const typeError = (field: string, expected: string, value: unknown): ApiError =>
  fail(`json: cannot unmarshal ${kindOf(value)} into field "${field}" of type ${expected}`);

export const requireObjectBody = (body: unknown): Json => {
  if (!isObject(body)) throw fail("json: request body must be a JSON object");
  return body;
};

/** Rejects the first key of `obj` not in `allowed`, like `json.Decoder.DisallowUnknownFields`. */
export const rejectUnknown = (obj: Json, allowed: ReadonlySet<string>): void => {
  for (const key in obj) {
    if (!allowed.has(key)) throw fail(`json: unknown field "${key}"`);
  }
};

export const optString = (obj: Json, key: string, path = key): string | undefined => {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw typeError(path, "string", v);
  return v;
};

export const optBool = (obj: Json, key: string, path = key): boolean | undefined => {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw typeError(path, "bool", v);
  return v;
};

export const optNumber = (
  obj: Json,
  key: string,
  range?: { min: number; max: number; exclusiveMin?: boolean },
): number | undefined => {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw typeError(key, "float64", v);
  if (range) {
    const low = range.exclusiveMin ? v <= range.min : v < range.min;
    if (low || v > range.max) {
      const open = range.exclusiveMin ? "(" : "[";
      throw fail(`"${key}" must be in the range ${open}${range.min}, ${range.max}], got ${v}`);
    }
  }
  return v;
};

export const optInt = (obj: Json, key: string, range?: { min: number; max: number }): number | undefined => {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(key, "int", v);
  if (range && (v < range.min || v > range.max)) {
    throw fail(`"${key}" must be an integer between ${range.min} and ${range.max}, got ${v}`);
  }
  return v;
};

export const optObject = (obj: Json, key: string, path = key): Json | undefined => {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw typeError(path, "object", v);
  return v;
};

/** `stop`: a string or a list of strings (at most 4, like OpenAI and FMAPI). */
export const optStop = (obj: Json): string[] => {
  const v = obj.stop;
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return v.length > 0 ? [v] : [];
  if (!Array.isArray(v)) throw typeError("stop", "[]string", v);
  if (v.length > 4) throw fail(`"stop" accepts at most 4 sequences, got ${v.length}`);
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (typeof s !== "string") throw typeError(`stop[${i}]`, "string", s);
    if (s.length > 0) out.push(s);
  }
  return out;
};

/** `stream_options`: `{include_usage?: bool}`. */
export const optIncludeUsage = (obj: Json): boolean => {
  const so = optObject(obj, "stream_options");
  if (!so) return false;
  rejectUnknown(so, new Set(["include_usage", "include_obfuscation"]));
  return optBool(so, "include_usage", "stream_options.include_usage") ?? false;
};

/** `extra_params`: passthrough object for external models; accepted and ignored by the built-in engine. */
export const checkExtraParams = (obj: Json): void => {
  optObject(obj, "extra_params");
};
