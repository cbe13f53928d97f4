/**
 * Vector Search filter engines (pure functions): the `filters_json` dict grammar of standard endpoints and the
 * SQL-like `filter_string` of storage-optimized endpoints, both compiled to a row predicate.
 * Grammar and semantics: packages/databricks-emulator/spec/vector-search.md section "Filters".
 */
import { invalidParameter } from "../errors.js";

export type ColumnType =
  | "int"
  | "long"
  | "float"
  | "double"
  | "boolean"
  | "string"
  | "date"
  | "timestamp"
  | "array<float>"
  | "array<double>"
  | "array<string>"
  | "array<int>"
  | "array<long>";

export type Schema = Record<string, ColumnType>;
export type RowValues = Record<string, unknown>;
export type Predicate = (row: RowValues) => boolean;

const OPS = ["NOT", "<", "<=", ">", ">=", "LIKE"] as const;
type Op = "=" | (typeof OPS)[number];

const fail = (message: string) => invalidParameter(message);

const requireColumn = (schema: Schema, col: string, where: string): ColumnType => {
  const t = schema[col];
  if (t === undefined) {
    throw fail(
      `${where}: unknown column '${col}'. The index has columns: ${Object.keys(schema).join(", ")}.`,
    );
  }
  return t;
};

const isArrayType = (t: ColumnType) => t.startsWith("array<");

/** Compares a cell with a filter literal: numbers numerically, everything else as strings. */
const compare = (cell: unknown, lit: unknown): number => {
  if (typeof cell === "number" && typeof lit === "number") return cell - lit;
  const a = String(cell);
  const b = String(lit);
  return a < b ? -1 : a > b ? 1 : 0;
};

const equals = (cell: unknown, lit: unknown): boolean => {
  if (cell === null || cell === undefined) return lit === null;
  if (typeof cell === "boolean" || typeof lit === "boolean") return cell === lit;
  if (typeof cell === "number" && typeof lit === "string" && lit.trim() !== "") return cell === Number(lit);
  if (typeof cell === "number" && typeof lit === "number") return cell === lit;
  return String(cell) === String(lit);
};

/** Equality on a cell; array cells match when any element matches. */
const cellMatches = (cell: unknown, lit: unknown): boolean =>
  Array.isArray(cell) ? cell.some((c) => equals(c, lit)) : equals(cell, lit);

const tokens = (s: string): string[] => s.toLowerCase().split(/\s+/).filter(Boolean);

/** SQL LIKE (`%`, `_`) when the pattern has wildcards, else the documented whole-token match. */
export const likeMatch = (cell: unknown, pattern: string): boolean => {
  if (cell === null || cell === undefined) return false;
  if (Array.isArray(cell)) return cell.some((c) => likeMatch(c, pattern));
  const text = String(cell);
  if (/[%_]/.test(pattern)) {
    const re = new RegExp(
      `^${pattern
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replace(/%/g, ".*")
        .replace(/_/g, ".")}$`,
      "is",
    );
    return re.test(text);
  }
  const want = tokens(pattern);
  if (want.length === 0) return false;
  const have = tokens(text);
  // Consecutive tokens: "red car" matches "a red car", not "red sports car".
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((w, j) => have[i + j] === w)) return true;
  }
  return false;
};

const checkLiteral = (v: unknown, where: string): void => {
  if (v === null || ["string", "number", "boolean"].includes(typeof v)) return;
  throw fail(`${where}: filter values must be strings, numbers, booleans or lists of them.`);
};

/** Parses a `filters_json` key ("col", "col NOT", "col <", "c1 OR c2", ...) into columns and operator. */
export const parseFilterKey = (key: string): { columns: string[]; op: Op } => {
  const parts = key.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === "") throw fail(`filters_json: empty filter key.`);
  const last = parts[parts.length - 1] as string;
  let op: Op = "=";
  let colParts = parts;
  if ((OPS as readonly string[]).includes(last.toUpperCase()) && parts.length > 1) {
    op = last.toUpperCase() as Op;
    colParts = parts.slice(0, -1);
  }
  const columns: string[] = [];
  for (let i = 0; i < colParts.length; i++) {
    const p = colParts[i] as string;
    if (i % 2 === 1) {
      if (p.toUpperCase() !== "OR") {
        throw fail(
          `filters_json: malformed filter key '${key}'. Use 'col', 'col NOT', 'col <', 'col <=', 'col >', 'col >=', 'col LIKE' or 'col1 OR col2'.`,
        );
      }
      continue;
    }
    columns.push(p);
  }
  if (colParts.length % 2 === 0) throw fail(`filters_json: malformed filter key '${key}' (dangling OR).`);
  if (columns.length > 1 && op !== "=" && op !== "LIKE") {
    throw fail(`filters_json: malformed filter key '${key}': OR keys support equality or LIKE only.`);
  }
  return { columns, op };
};

const keyPredicate = (schema: Schema, key: string, value: unknown): Predicate => {
  const { columns, op } = parseFilterKey(key);
  const where = `filters_json['${key}']`;
  for (const c of columns) requireColumn(schema, c, "filters_json");
  const list = Array.isArray(value) ? value : undefined;
  for (const v of list ?? [value]) checkLiteral(v, where);
  if (columns.length > 1) {
    if (!list || list.length !== columns.length) {
      throw fail(`${where}: an OR key needs a list of ${columns.length} values, one per column.`);
    }
    return (row) =>
      columns.some((c, i) =>
        op === "LIKE" ? likeMatch(row[c], String(list[i])) : cellMatches(row[c], list[i]),
      );
  }
  const col = columns[0] as string;
  const type = schema[col] as ColumnType;
  switch (op) {
    case "=":
      if (list) return (row) => list.some((v) => cellMatches(row[col], v));
      return (row) => cellMatches(row[col], value);
    case "NOT":
      if (list) return (row) => !list.some((v) => cellMatches(row[col], v));
      return (row) => !cellMatches(row[col], value);
    case "LIKE":
      if (list) return (row) => list.some((v) => likeMatch(row[col], String(v)));
      return (row) => likeMatch(row[col], String(value));
    default: {
      if (list) throw fail(`${where}: the ${op} operator takes a single value, not a list.`);
      if (isArrayType(type)) throw fail(`${where}: ${op} is not supported on array column '${col}'.`);
      if (value === null) throw fail(`${where}: ${op} needs a non-null value.`);
      const test =
        op === "<"
          ? (d: number) => d < 0
          : op === "<="
            ? (d: number) => d <= 0
            : op === ">"
              ? (d: number) => d > 0
              : (d: number) => d >= 0;
      return (row) => {
        const cell = row[col];
        if (cell === null || cell === undefined) return false;
        return test(compare(cell, value));
      };
    }
  }
};

/**
 * Compiles a decoded `filters_json` value: a dict (keys ANDed) or a list of dicts (ANDed). Unknown columns and
 * malformed keys are 400 INVALID_PARAMETER_VALUE naming the key.
 */
export const compileFiltersJson = (filters: unknown, schema: Schema): Predicate | undefined => {
  if (filters === null || filters === undefined) return undefined;
  const dicts = Array.isArray(filters) ? filters : [filters];
  const preds: Predicate[] = [];
  for (const d of dicts) {
    if (typeof d !== "object" || d === null || Array.isArray(d)) {
      throw fail('filters_json must encode a JSON object such as {"col": "value"} (or a list of them).');
    }
    for (const [k, v] of Object.entries(d)) preds.push(keyPredicate(schema, k, v));
  }
  if (preds.length === 0) return undefined;
  return (row) => preds.every((p) => p(row));
};

// ---------------------------------------------------------------------------------------------------------
// filter_string: a conservative SQL WHERE subset (storage-optimized endpoints).
// expr := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | '(' or ')' | comparison
// comparison := col (=|!=|<>|<|<=|>|>=) lit | col [NOT] LIKE 'pat' | col [NOT] IN (lit, ...) | col IS [NOT] NULL
// ---------------------------------------------------------------------------------------------------------

type Tok = { t: "id" | "str" | "num" | "op" | "punct"; v: string; at: number };

const lex = (s: string): Tok[] => {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let v = "";
      for (;;) {
        if (j >= s.length) throw fail(`filter_string: unterminated string literal at position ${i}.`);
        if (s[j] === "'") {
          if (s[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += s[j];
        j++;
      }
      out.push({ t: "str", v, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(s.slice(i));
    if (num && (c === "-" ? /\d/.test(s[i + 1] ?? "") : true) && /[\d-]/.test(c)) {
      out.push({ t: "num", v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(s.slice(i));
    if (op) {
      out.push({ t: "op", v: op[0], at: i });
      i += op[0].length;
      continue;
    }
    if (c === "(" || c === ")" || c === ",") {
      out.push({ t: "punct", v: c, at: i });
      i++;
      continue;
    }
    const id = /^(`[^`]+`|[A-Za-z_][A-Za-z0-9_.]*)/.exec(s.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0].replace(/`/g, ""), at: i });
      i += id[0].length;
      continue;
    }
    throw fail(`filter_string: unexpected character '${c}' at position ${i}.`);
  }
  return out;
};

/** Compiles a `filter_string`; unknown columns and syntax errors are 400 naming the position or column. */
export const compileFilterString = (src: string, schema: Schema): Predicate | undefined => {
  if (src.trim() === "") return undefined;
  const toks = lex(src);
  let p = 0;
  const peek = () => toks[p];
  const kw = (w: string) => peek()?.t === "id" && peek()?.v.toUpperCase() === w;
  const expect = (v: string) => {
    const t = peek();
    if (!t || t.v !== v) throw fail(`filter_string: expected '${v}' at position ${t?.at ?? src.length}.`);
    p++;
  };
  const literal = (): unknown => {
    const t = peek();
    if (!t) throw fail("filter_string: expected a value at the end of the filter.");
    p++;
    if (t.t === "str") return t.v;
    if (t.t === "num") return Number(t.v);
    if (t.t === "id" && /^(true|false)$/i.test(t.v)) return t.v.toLowerCase() === "true";
    if (t.t === "id" && /^null$/i.test(t.v)) return null;
    throw fail(`filter_string: expected a literal at position ${t.at}, got '${t.v}'.`);
  };
  const comparison = (): Predicate => {
    const t = peek();
    if (t?.t !== "id")
      throw fail(`filter_string: expected a column name at position ${t?.at ?? src.length}.`);
    p++;
    const col = t.v;
    requireColumn(schema, col, "filter_string");
    if (kw("IS")) {
      p++;
      const neg = kw("NOT");
      if (neg) p++;
      if (!kw("NULL"))
        throw fail(`filter_string: expected NULL after IS at position ${peek()?.at ?? src.length}.`);
      p++;
      return neg
        ? (r) => r[col] !== null && r[col] !== undefined
        : (r) => r[col] === null || r[col] === undefined;
    }
    let neg = false;
    if (kw("NOT")) {
      neg = true;
      p++;
    }
    if (kw("LIKE")) {
      p++;
      const pat = String(literal());
      const m: Predicate = (r) => likeMatch(r[col], /[%_]/.test(pat) ? pat : `%${pat}%`);
      return neg ? (r) => !m(r) : m;
    }
    if (kw("IN")) {
      p++;
      expect("(");
      const vals: unknown[] = [literal()];
      while (peek()?.v === ",") {
        p++;
        vals.push(literal());
      }
      expect(")");
      const m: Predicate = (r) => vals.some((v) => cellMatches(r[col], v));
      return neg ? (r) => !m(r) : m;
    }
    if (neg)
      throw fail(`filter_string: expected LIKE or IN after NOT at position ${peek()?.at ?? src.length}.`);
    const op = peek();
    if (op?.t !== "op") throw fail(`filter_string: expected an operator after '${col}'.`);
    p++;
    const lit = literal();
    switch (op.v) {
      case "=":
        return (r) => cellMatches(r[col], lit);
      case "!=":
      case "<>":
        return (r) => !cellMatches(r[col], lit);
      default: {
        const f =
          op.v === "<"
            ? (d: number) => d < 0
            : op.v === "<="
              ? (d: number) => d <= 0
              : op.v === ">"
                ? (d: number) => d > 0
                : (d: number) => d >= 0;
        return (r) => r[col] !== null && r[col] !== undefined && f(compare(r[col], lit));
      }
    }
  };
  const unary = (): Predicate => {
    if (kw("NOT")) {
      p++;
      const inner = unary();
      return (r) => !inner(r);
    }
    if (peek()?.v === "(") {
      p++;
      const inner = orExpr();
      expect(")");
      return inner;
    }
    return comparison();
  };
  const andExpr = (): Predicate => {
    const parts = [unary()];
    while (kw("AND")) {
      p++;
      parts.push(unary());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (r) => parts.every((x) => x(r));
  };
  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (kw("OR")) {
      p++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (r) => parts.some((x) => x(r));
  };
  const pred = orExpr();
  if (p < toks.length) throw fail(`filter_string: unexpected '${toks[p]?.v}' at position ${toks[p]?.at}.`);
  return pred;
};
