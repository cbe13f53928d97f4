/**
 * Builds a JSON value that is valid against a JSON schema (the subset tools and structured output use:
 * type/enum/const, properties/required, items/minItems/maxItems/uniqueItems, anyOf/oneOf/allOf, $ref into
 * $defs/definitions, string length/format/pattern, numeric bounds/multipleOf). Values come from the user text
 * when they fit (a place for a `location` string, numbers in order for numeric fields, an enum value the text
 * mentions), otherwise from fixed defaults, so the same request always yields the same arguments.
 */
import { sampleForPattern } from "./regex-sample.js";
import { cleanSentence, type TextFacts } from "./text-facts.js";
import { isObject, type Json } from "./validate.js";

const MAX_DEPTH = 16;
const PLACE_HINT = /(location|city|place|country|destination|origin|address|region|town|state|where)/i;
const TEXT_HINT =
  /(query|^q$|question|text|input|prompt|search|message|content|topic|keyword|term|expression|request)/i;
const NAME_HINT = /(name|title|person|user)/i;

interface Walk {
  root: Json;
  facts: TextFacts;
  depth: number;
}

const resolveRef = (ref: string, root: Json): unknown => {
  if (ref === "#") return root;
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return {};
  const defs = root[m[1] ?? ""];
  return isObject(defs) ? (defs[decodeURIComponent(m[2] ?? "")] ?? {}) : {};
};

const typesOf = (schema: Json): string[] => {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  if (isObject(schema.properties) || schema.required !== undefined) return ["object"];
  if (schema.items !== undefined || schema.prefixItems !== undefined) return ["array"];
  return ["string"];
};

export const valueForSchema = (schema: unknown, facts: TextFacts, root?: Json): unknown => {
  const r = isObject(root) ? root : isObject(schema) ? schema : {};
  return gen(schema, "", { root: r, facts, depth: 0 });
};

const gen = (schema: unknown, prop: string, w: Walk): unknown => {
  if (schema === true || schema === undefined) return stringFor({}, prop, w);
  if (!isObject(schema)) return null;
  if (w.depth > MAX_DEPTH) return null;
  const next: Walk = { ...w, depth: w.depth + 1 };
  if (typeof schema.$ref === "string") {
    const { $ref, ...rest } = schema;
    const target = resolveRef($ref, w.root);
    return gen(isObject(target) ? { ...target, ...rest } : rest, prop, next);
  }
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pickEnum(schema.enum, w.facts);
  const branches = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const branch = branches.find((b) => !(isObject(b) && b.type === "null")) ?? branches[0];
    return gen(isObject(branch) ? { ...rest, ...branch } : branch, prop, next);
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    return gen(mergeAll(rest, allOf), prop, next);
  }
  const types = typesOf(schema);
  const type = types.find((t) => t !== "null") ?? "null";
  switch (type) {
    case "object":
      return objectFor(schema, next);
    case "array":
      return arrayFor(schema, prop, next);
    case "integer":
    case "number":
      return numberFor(schema, type === "integer", w.facts);
    case "boolean":
      return prop !== "" && w.facts.lower.includes(prop.toLowerCase());
    case "null":
      return null;
    default:
      return stringFor(schema, prop, w);
  }
};

const mergeAll = (base: Json, parts: unknown[]): Json => {
  const out: Json = { ...base };
  const props: Json = isObject(base.properties) ? { ...base.properties } : {};
  const required = new Set<string>(Array.isArray(base.required) ? (base.required as string[]) : []);
  for (const p of parts) {
    if (!isObject(p)) continue;
    for (const [k, v] of Object.entries(p)) if (k !== "properties" && k !== "required") out[k] = v;
    if (isObject(p.properties)) Object.assign(props, p.properties);
    if (Array.isArray(p.required)) for (const r of p.required) if (typeof r === "string") required.add(r);
  }
  if (Object.keys(props).length > 0) out.properties = props;
  if (required.size > 0) out.required = [...required];
  return out;
};

const pickEnum = (values: unknown[], facts: TextFacts): unknown => {
  for (const v of values) {
    if (
      typeof v === "string" &&
      v.length > 0 &&
      new RegExp(`\\b${escapeRe(v.toLowerCase())}\\b`).test(facts.lower)
    ) {
      return v;
    }
  }
  return values[0];
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const objectFor = (schema: Json, w: Walk): Json => {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [];
  const out: Json = {};
  for (const key of required) {
    out[key] = gen(props[key] ?? additional(schema), key, w);
  }
  const minProps = typeof schema.minProperties === "number" ? schema.minProperties : 0;
  for (const [key, sub] of Object.entries(props)) {
    if (key in out) continue;
    if (mentioned(key, sub, w.facts) || Object.keys(out).length < minProps) out[key] = gen(sub, key, w);
  }
  return out;
};

const additional = (schema: Json): unknown =>
  isObject(schema.additionalProperties) ? schema.additionalProperties : {};

/** Optional properties are filled only when the text mentions them or one of their enum values. */
const mentioned = (key: string, sub: unknown, facts: TextFacts): boolean => {
  if (facts.lower.includes(key.toLowerCase())) return true;
  if (isObject(sub) && Array.isArray(sub.enum)) {
    return sub.enum.some(
      (v) => typeof v === "string" && v.length > 2 && facts.lower.includes(v.toLowerCase()),
    );
  }
  return false;
};

const arrayFor = (schema: Json, prop: string, w: Walk): unknown[] => {
  const out: unknown[] = [];
  if (Array.isArray(schema.prefixItems)) for (const p of schema.prefixItems) out.push(gen(p, prop, w));
  const min = typeof schema.minItems === "number" ? schema.minItems : 0;
  const max = typeof schema.maxItems === "number" ? schema.maxItems : Number.POSITIVE_INFINITY;
  const items = schema.items === false ? undefined : schema.items;
  if (items === undefined && out.length > 0) return out;
  // Several places in the text for a list of locations -> one item each; otherwise the minimum, at least one.
  const wanted = PLACE_HINT.test(prop) ? Math.max(1, w.facts.places.length) : 1;
  const count = Math.min(max, Math.max(min, wanted));
  const unique = schema.uniqueItems === true;
  const seen = new Set<string>();
  for (let i = out.length; i < count; i++) {
    let v = gen(items ?? {}, prop, w);
    if (unique) v = makeUnique(v, i, seen, isObject(items) ? items : {});
    out.push(v);
  }
  return out;
};

const makeUnique = (v: unknown, i: number, seen: Set<string>, items: Json): unknown => {
  let candidate = v;
  if (seen.has(JSON.stringify(candidate))) {
    if (Array.isArray(items.enum))
      candidate = items.enum.find((e) => !seen.has(JSON.stringify(e))) ?? candidate;
    else if (typeof candidate === "string") candidate = `${candidate} ${i + 1}`;
    else if (typeof candidate === "number") {
      // Step by multipleOf (or 1) so the bumped value still satisfies the item schema.
      const step = typeof items.multipleOf === "number" && items.multipleOf > 0 ? items.multipleOf : 1;
      for (let k = 0; k < 1000 && seen.has(JSON.stringify(candidate)); k++)
        candidate = (candidate as number) + step;
    }
  }
  seen.add(JSON.stringify(candidate));
  return candidate;
};

const numberFor = (schema: Json, integer: boolean, facts: TextFacts): number => {
  const min = bound(schema.minimum, schema.exclusiveMinimum, 1, integer);
  const max = bound(schema.maximum, schema.exclusiveMaximum, -1, integer);
  let v = facts.numbers.length > 0 ? (facts.numbers.shift() as number) : Number.isFinite(min) ? min : 1;
  if (integer) v = Math.round(v);
  v = Math.min(max, Math.max(min, v));
  const step = typeof schema.multipleOf === "number" && schema.multipleOf > 0 ? schema.multipleOf : 0;
  if (step > 0) {
    v = Math.ceil(v / step) * step;
    if (v > max) v -= step;
  }
  return v;
};

/** Inclusive bound from minimum/maximum and exclusive variants (draft-04 booleans and draft-06+ numbers). */
const bound = (inclusive: unknown, exclusive: unknown, dir: 1 | -1, integer: boolean): number => {
  const none = dir === 1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const delta = integer ? 1 : 1e-6;
  let b = typeof inclusive === "number" ? inclusive : none;
  if (exclusive === true && typeof inclusive === "number") b = inclusive + dir * delta;
  if (typeof exclusive === "number")
    b = dir === 1 ? Math.max(b, exclusive + delta) : Math.min(b, exclusive - delta);
  if (integer && Number.isFinite(b)) b = dir === 1 ? Math.ceil(b) : Math.floor(b);
  return b;
};

const FORMATS: Record<string, string> = {
  date: "2024-01-15",
  "date-time": "2024-01-15T12:00:00Z",
  time: "12:00:00Z",
  email: "user@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  uuid: "00000000-0000-4000-8000-000000000000",
  ipv4: "127.0.0.1",
  hostname: "example.com",
};

const stringFor = (schema: Json, prop: string, w: Walk): string => {
  const f = w.facts;
  const format = typeof schema.format === "string" ? schema.format : "";
  let v: string;
  if (format in FORMATS) {
    v =
      format === "email"
        ? (/\S+@\S+\.\w+/.exec(f.text)?.[0] ?? "user@example.com")
        : (FORMATS[format] as string);
  } else if (PLACE_HINT.test(prop)) {
    v = f.places.shift() ?? lastWord(f.text) ?? "San Francisco";
  } else if (TEXT_HINT.test(prop)) {
    v = f.quoted.shift() ?? cleanSentence(f.text);
  } else if (NAME_HINT.test(prop)) {
    v = f.quoted.shift() ?? f.places.shift() ?? "example";
  } else {
    v = f.quoted.shift() ?? cleanSentence(f.text);
  }
  if (v.length === 0) v = "example";
  return fitString(v, schema);
};

const lastWord = (text: string): string | undefined => {
  const words = text.match(/\p{L}[\p{L}'-]*/gu);
  return words ? words[words.length - 1] : undefined;
};

const length = (s: string): number => [...s].length;

const fitString = (value: string, schema: Json): string => {
  let v = value;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
  if (typeof schema.pattern === "string") v = matchPattern(v, schema.pattern);
  while (length(v) < min) v += "x";
  if (length(v) > max) v = [...v].slice(0, max).join("");
  if (typeof schema.pattern === "string" && !safeTest(schema.pattern, v)) {
    // Padding or cutting broke the pattern: sample it with repetitions stretched towards the length bounds.
    for (const prefer of [min, Math.max(1, Math.min(max, min + 1)), 1]) {
      const s = sampleForPattern(schema.pattern, prefer);
      if (s !== undefined && length(s) >= min && length(s) <= max) return s;
    }
  }
  return v;
};

const safeTest = (pattern: string, value: string): boolean => {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
};

const PATTERN_FALLBACKS = ["example", "a", "A", "0", "1", "abc", "ABC", "a1", "A1", "x-1", "2024-01-15"];

const matchPattern = (value: string, pattern: string): string => {
  let re: RegExp;
  try {
    re = new RegExp(pattern, "u");
  } catch {
    return value;
  }
  if (re.test(value)) return value;
  return PATTERN_FALLBACKS.find((c) => re.test(c)) ?? sampleForPattern(pattern) ?? value;
};
