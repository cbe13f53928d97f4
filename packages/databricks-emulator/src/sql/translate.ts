/**
 * Databricks SQL -> DuckDB SQL (spec/sql.md "Supported SQL"). Works on tokens so string literals and comments are
 * never rewritten. Handles: backtick identifiers, '...' and "..." string literals (backslash escapes), named
 * `:param` markers (bound as DuckDB `$param`, cast to their declared type), `IDENTIFIER(:p | 'name')`, catalogs
 * DuckDB reserves (`main`), `ARRAY<T>`/`MAP<K,V>`/`STRUCT<a: T>` types, `named_struct(...)`, `=>` named arguments,
 * and `ai_query(...)` calls (replaced by a lookup the caller fills, see ai-query.ts). It also collects the tables
 * and functions a statement references, for the permission checks.
 */
import { duckName, duckTypeOf } from "./engine.js";
import {
  identName,
  isOp,
  isWord,
  quoteIdent,
  quoteString,
  SqlSyntaxError,
  splitName,
  type Token,
  tokenize,
} from "./tokenize.js";

export interface ParamValue {
  /** Text of the value (non-string JSON values are stringified); null is SQL NULL. */
  value: string | null;
  /** Databricks type text; STRING by default. */
  type: string;
}

/** One `ai_query(...)` call found in a statement. */
export interface AiQueryCall {
  index: number;
  endpoint: string;
  /** DuckDB SQL of the request expression. */
  request: string;
  /** DuckDB SQL of a query producing the distinct request values (`k` = to_json(request)::VARCHAR). */
  keysQuery: string;
  /** Named options as DuckDB SQL expressions (returnType, failOnError, modelParameters, responseFormat). */
  options: Record<string, string>;
  /** Literal values of options given as literals (strings, booleans). */
  literals: Record<string, string | boolean>;
  /** `modelParameters => named_struct(...)` as a JSON-able object of literal values. */
  modelParameters?: Record<string, unknown>;
  /** Name of the temp table holding the results. */
  table: string;
}

export interface ObjectRef {
  kind: "table" | "function";
  /** Lower-cased catalog.schema.name. */
  fullName: string;
  /** Write target (INSERT INTO, CREATE TABLE, ...). */
  write?: boolean;
}

export interface Translation {
  sql: string;
  /** Parameters actually referenced, as DuckDB bind values. */
  binds: Record<string, string | null>;
  refs: ObjectRef[];
  aiQueries: AiQueryCall[];
}

export interface TranslateContext {
  catalog: string;
  schema: string;
  params: Map<string, ParamValue>;
  isCatalog(name: string): boolean;
  /** Replacement SQL for an ai_query call (given the parsed call). */
  aiQueryReplacement?(call: AiQueryCall): string;
}

export class SqlAnalysisError extends Error {
  override readonly name = "SqlAnalysisError";
  constructor(
    readonly errorClass: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(`[${errorClass}] ${message}`);
  }
}

const TABLE_CONTEXT = new Set(["FROM", "JOIN", "INTO", "UPDATE", "TABLE"]);
/** Words that follow FROM/JOIN/TABLE without being a table name. */
const NOT_NAMES = new Set(["LATERAL", "IF", "NOT", "EXISTS", "SELECT", "VALUES", "ONLY", "WITH"]);
/** Keywords that end a FROM list. */
const FROM_END = new Set([
  "WHERE",
  "GROUP",
  "ORDER",
  "LIMIT",
  "HAVING",
  "ON",
  "USING",
  "UNION",
  "SELECT",
  "SET",
  "VALUES",
  "WINDOW",
  "QUALIFY",
  "AS",
]);
const WRITE_CONTEXT = new Set(["INTO", "UPDATE", "TABLE"]);
const CLAUSE_END = new Set([
  "GROUP",
  "ORDER",
  "LIMIT",
  "HAVING",
  "QUALIFY",
  "WINDOW",
  "UNION",
  "INTERSECT",
  "EXCEPT",
  "OFFSET",
]);

/** Matching close paren index for the `(` at i, over the full token list. */
const closeParen = (t: Token[], i: number): number => {
  let depth = 0;
  for (let j = i; j < t.length; j++) {
    if (isOp(t[j], "(")) depth++;
    else if (isOp(t[j], ")")) {
      depth--;
      if (depth === 0) return j;
    }
  }
  throw new SqlSyntaxError("Unbalanced parentheses.");
};

const nextSig = (t: Token[], i: number): number => {
  let j = i + 1;
  while (j < t.length && t[j]!.kind === "ws") j++;
  return j;
};

const prevSig = (t: Token[], i: number): number => {
  let j = i - 1;
  while (j >= 0 && t[j]!.kind === "ws") j--;
  return j;
};

/** Splits the tokens between parens (exclusive) at top-level commas: [start, end) ranges. */
const splitArgs = (t: Token[], open: number, close: number): [number, number][] => {
  const out: [number, number][] = [];
  let depth = 0;
  let start = open + 1;
  for (let j = open + 1; j < close; j++) {
    if (isOp(t[j], "(")) depth++;
    else if (isOp(t[j], ")")) depth--;
    else if (isOp(t[j], ",") && depth === 0) {
      out.push([start, j]);
      start = j + 1;
    }
  }
  if (t.slice(start, close).some((x) => x.kind !== "ws")) out.push([start, close]);
  return out;
};

const sigTokens = (t: Token[], [a, b]: [number, number]) => t.slice(a, b).filter((x) => x.kind !== "ws");

export const translate = (sql: string, ctx: TranslateContext): Translation => {
  const t = tokenize(sql);
  const binds: Record<string, string | null> = {};
  const refs: ObjectRef[] = [];
  const aiQueries: AiQueryCall[] = [];

  const param = (name: string): string => {
    const p = ctx.params.get(name);
    if (!p) {
      throw new SqlAnalysisError(
        "UNBOUND_SQL_PARAMETER",
        "42P02",
        `Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to a SQL literal.`,
      );
    }
    binds[name] = p.value;
    let duck: string;
    try {
      duck = duckTypeOf(p.type);
    } catch {
      throw new SqlAnalysisError(
        "UNSUPPORTED_DATATYPE",
        "0A000",
        `Unsupported data type ${p.type} for parameter ${name}.`,
      );
    }
    return `CAST($${name} AS ${duck})`;
  };

  /** Parts of the name IDENTIFIER(...) denotes. */
  const identifierArg = (open: number, close: number): string[] => {
    const args = sigTokens(t, [open + 1, close]);
    const a = args[0];
    let text: string | undefined;
    if (args.length === 1 && a?.kind === "string") text = a.value;
    else if (args.length === 1 && a?.kind === "param") {
      const p = ctx.params.get(a.value);
      if (!p) return identifierArg(-1, -1);
      text = p.value ?? undefined;
    }
    if (text === undefined) {
      throw new SqlAnalysisError(
        "NOT_A_CONSTANT_STRING.NULL",
        "42601",
        "The expression used for the routine or clause IDENTIFIER must be a constant STRING which is NOT NULL.",
      );
    }
    try {
      return splitName(text);
    } catch {
      throw new SqlAnalysisError(
        "INVALID_SQL_SYNTAX",
        "42000",
        `Invalid identifier '${text}' in IDENTIFIER().`,
      );
    }
  };

  /** Renders a name chain, mapping the catalog and recording the reference. */
  const nameChain = (parts: string[], tableContext: boolean, isCall: boolean, write: boolean): string => {
    const lowered = parts.map((p) => p.toLowerCase());
    let out = parts;
    if (parts.length >= 3 && ctx.isCatalog(parts[0]!)) {
      out = [duckName(parts[0]!), ...parts.slice(1)];
      if (parts.length === 3) {
        refs.push({ kind: isCall ? "function" : "table", fullName: lowered.join("."), write });
      }
    } else if (tableContext && !isCall && parts.length <= 2) {
      const full = parts.length === 2 ? [ctx.catalog, ...lowered] : [ctx.catalog, ctx.schema, ...lowered];
      refs.push({ kind: "table", fullName: full.join(".").toLowerCase(), write });
    } else if (isCall && parts.length === 2) {
      refs.push({ kind: "function", fullName: [ctx.catalog, ...lowered].join("."), write: false });
    }
    return out.map(quoteIdent).join(".");
  };

  /** Renders tokens [from, to) as DuckDB SQL. */
  const render = (from: number, to: number): string => {
    let out = "";
    let lastKeyword = "";
    let inFrom = false;
    let i = from;
    while (i < to) {
      const tok = t[i]!;
      if (tok.kind === "ws") {
        out += tok.text.startsWith("--") ? "\n" : tok.text.startsWith("/*") ? " " : tok.text;
        i++;
        continue;
      }
      const nx = nextSig(t, i);
      // ai_query(...)
      if (isWord(tok, "ai_query") && isOp(t[nx], "(") && ctx.aiQueryReplacement) {
        const close = closeParen(t, nx);
        const call = parseAiQuery(i, nx, close);
        out += ctx.aiQueryReplacement(call);
        i = close + 1;
        lastKeyword = "";
        continue;
      }
      // named_struct('a', x, 'b', y) -> {'a': x, 'b': y}
      if (isWord(tok, "named_struct", "struct") && isOp(t[nx], "(")) {
        const close = closeParen(t, nx);
        const args = splitArgs(t, nx, close);
        if (isWord(tok, "named_struct")) {
          if (args.length % 2 !== 0) {
            throw new SqlAnalysisError(
              "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
              "42605",
              "The `named_struct` requires an even number of parameters.",
            );
          }
          const fields: string[] = [];
          for (let k = 0; k < args.length; k += 2) {
            fields.push(
              `${render(args[k]![0], args[k]![1]).trim()}: ${render(args[k + 1]![0], args[k + 1]![1]).trim()}`,
            );
          }
          out += `{${fields.join(", ")}}`;
        } else {
          out += `struct_pack(${args.map((a) => render(a[0], a[1])).join(",")})`;
        }
        i = close + 1;
        continue;
      }
      // ARRAY<...>, MAP<...>, STRUCT<...> types
      if (isWord(tok, "ARRAY", "MAP", "STRUCT") && isOp(t[nx], "<")) {
        let depth = 0;
        let j = nx;
        for (; j < to; j++) {
          if (isOp(t[j], "<")) depth++;
          else if (isOp(t[j], ">")) {
            depth--;
            if (depth === 0) break;
          } else if (t[j]!.text === ">>") {
            depth -= 2;
            if (depth <= 0) break;
          }
        }
        const text = t
          .slice(i, j + 1)
          .map((x) => (x.kind === "ident" ? x.value : x.text))
          .join("");
        out += duckTypeOf(text);
        i = j + 1;
        continue;
      }
      if (tok.kind === "param") {
        out += param(tok.value);
        i++;
        continue;
      }
      if (tok.kind === "string") {
        out += quoteString(tok.value);
        i++;
        continue;
      }
      if (tok.kind === "dollar") {
        out += tok.text;
        i++;
        continue;
      }
      if (isOp(tok, "=>")) {
        out += ":=";
        i++;
        continue;
      }
      if (isOp(tok, "==")) {
        out += "=";
        i++;
        continue;
      }
      // IDENTIFIER(...) or a name chain
      const prev = t[prevSig(t, i)];
      const startsName =
        (tok.kind === "ident" || tok.kind === "word") && !isOp(prev, ".") && !isOp(prev, "::");
      if (startsName) {
        const upper = tok.kind === "word" ? tok.value.toUpperCase() : "";
        const tableCtx = TABLE_CONTEXT.has(lastKeyword) || (inFrom && isOp(prev, ","));
        let parts: string[] | undefined;
        let j = i;
        if (isWord(tok, "IDENTIFIER") && isOp(t[nx], "(")) {
          const close = closeParen(t, nx);
          parts = identifierArg(nx, close);
          j = close + 1;
        } else if (tok.kind === "ident" || isOp(t[nx], ".")) {
          parts = [tok.value];
          j = i + 1;
          while (isOp(t[j], ".") && identName(t[j + 1]) !== undefined) {
            parts.push(t[j + 1]!.value);
            j += 2;
          }
        } else if (tableCtx && !NOT_NAMES.has(upper) && (!isOp(t[nx], "(") || lastKeyword === "INTO")) {
          parts = [tok.value];
          j = i + 1;
        }
        if (parts) {
          const write = WRITE_CONTEXT.has(lastKeyword);
          const isCall = !write && isOp(t[nextSig(t, j - 1)], "(");
          out += nameChain(parts, tableCtx, isCall, write);
          i = j;
          lastKeyword = "";
          continue;
        }
        if (upper === "FROM" || upper === "JOIN") inFrom = true;
        else if (FROM_END.has(upper)) inFrom = false;
        if (!(lastKeyword === "TABLE" && (upper === "IF" || upper === "NOT" || upper === "EXISTS")))
          lastKeyword = upper;
        out += upper === "STRING" ? "VARCHAR" : tok.text;
        i++;
        continue;
      }
      if (isOp(tok, "(") || isOp(tok, ")")) inFrom = false;
      if (!isOp(tok, ",")) lastKeyword = "";
      out += tok.text;
      i++;
    }
    return out;
  };

  /** Clause boundaries of the SELECT enclosing token i: [fromStart, end) of its FROM... clause, and WITH prefix. */
  const enclosingFrom = (i: number): { from?: [number, number]; withPrefix?: [number, number] } => {
    let depth = 0;
    let select = -1;
    for (let j = i - 1; j >= 0; j--) {
      if (isOp(t[j], ")")) depth++;
      else if (isOp(t[j], "(")) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && isWord(t[j], "SELECT")) {
        select = j;
        break;
      }
    }
    if (select < 0) return {};
    let withPrefix: [number, number] | undefined;
    const first = nextSig(t, -1);
    if (isWord(t[first], "WITH") && select > first) {
      // Only when the SELECT is the statement's main query (depth 0).
      let d = 0;
      for (let j = 0; j < select; j++) {
        if (isOp(t[j], "(")) d++;
        else if (isOp(t[j], ")")) d--;
      }
      if (d === 0) withPrefix = [first, select];
    }
    depth = 0;
    let fromStart = -1;
    let end = t.length;
    for (let j = select + 1; j < t.length; j++) {
      if (isOp(t[j], "(")) depth++;
      else if (isOp(t[j], ")")) {
        if (depth === 0) {
          end = j;
          break;
        }
        depth--;
      } else if (depth === 0) {
        if (fromStart < 0 && isWord(t[j], "FROM")) fromStart = j;
        else if (fromStart >= 0 && j > i && isWord(t[j], "WHERE") && i > fromStart) {
          end = j;
          break;
        } else if (isOp(t[j], ";") || (t[j]!.kind === "word" && CLAUSE_END.has(t[j]!.value.toUpperCase()))) {
          end = j;
          break;
        }
      }
    }
    if (fromStart < 0) return { withPrefix };
    // A call inside WHERE: keys come from the FROM part only.
    if (i > fromStart) {
      for (let j = fromStart; j < i; j++) if (isWord(t[j], "WHERE")) end = Math.min(end, j);
    }
    return { from: [fromStart, end], withPrefix };
  };

  const parseAiQuery = (at: number, open: number, close: number): AiQueryCall => {
    const args = splitArgs(t, open, close);
    const positional: [number, number][] = [];
    const named: Record<string, [number, number]> = {};
    for (const a of args) {
      const s = sigTokens(t, a);
      if (s.length >= 2 && identName(s[0]) !== undefined && isOp(s[1], "=>")) {
        const arrow = t.indexOf(s[1]!, a[0]);
        named[s[0]!.value.toLowerCase()] = [arrow + 1, a[1]];
      } else positional.push(a);
    }
    const endpointTok = positional[0] ? sigTokens(t, positional[0]) : [];
    if (endpointTok.length !== 1 || endpointTok[0]!.kind !== "string") {
      throw new SqlAnalysisError(
        "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
        "42K09",
        "ai_query: the first argument (endpoint) must be a constant STRING.",
      );
    }
    if (!positional[1]) {
      throw new SqlAnalysisError(
        "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
        "42605",
        "The `ai_query` requires at least 2 parameters (endpoint, request).",
      );
    }
    // ai_query(endpoint, request, returnType, failOnError) positional form.
    if (positional[2]) named.returntype ??= positional[2];
    if (positional[3]) named.failonerror ??= positional[3];
    const options: Record<string, string> = {};
    const literals: Record<string, string | boolean> = {};
    let modelParameters: Record<string, unknown> | undefined;
    for (const [k, range] of Object.entries(named)) {
      const s = sigTokens(t, range);
      if (k === "modelparameters") {
        modelParameters = literalStruct(range);
        continue;
      }
      if (s.length === 1 && s[0]!.kind === "string") literals[k] = s[0]!.value;
      else if (s.length === 1 && isWord(s[0], "true", "false"))
        literals[k] = s[0]!.value.toLowerCase() === "true";
      else if (s.length === 1 && s[0]!.kind === "param") {
        const p = ctx.params.get(s[0]!.value);
        if (p?.value != null) literals[k] = /^BOOLEAN$/i.test(p.type) ? p.value === "true" : p.value;
      }
      options[k] = render(range[0], range[1]);
    }
    const index = aiQueries.length;
    const request = render(positional[1][0], positional[1][1]).trim();
    const { from, withPrefix } = enclosingFrom(at);
    const prefix = withPrefix ? `${render(withPrefix[0], withPrefix[1])} ` : "";
    const fromSql = from ? ` ${render(from[0], from[1])}` : "";
    const call: AiQueryCall = {
      index,
      endpoint: endpointTok[0]!.value,
      request,
      keysQuery: `${prefix}SELECT DISTINCT CAST(to_json(${request}) AS VARCHAR) AS k${fromSql}`,
      options,
      literals,
      modelParameters,
      table: `__ai_query_${index}`,
    };
    aiQueries.push(call);
    return call;
  };

  /** named_struct('k', literal, ...) of literals -> object. */
  const literalStruct = (range: [number, number]): Record<string, unknown> => {
    const s = sigTokens(t, range);
    const bad = () =>
      new SqlAnalysisError(
        "AI_FUNCTION_INVALID_MODEL_PARAMETERS.MODEL_SCHEMA_PARSE_ERROR",
        "22023",
        "modelParameters must be a named_struct of constant values, e.g. named_struct('max_tokens', 100, 'temperature', 0.0).",
      );
    if (!isWord(s[0], "named_struct") || !isOp(s[1], "(")) throw bad();
    const open = t.indexOf(s[1]!, range[0]);
    const close = closeParen(t, open);
    const args = splitArgs(t, open, close);
    const out: Record<string, unknown> = {};
    for (let k = 0; k + 1 < args.length; k += 2) {
      const key = sigTokens(t, args[k]!);
      if (key.length !== 1 || key[0]!.kind !== "string") throw bad();
      out[key[0]!.value] = literalValue(sigTokens(t, args[k + 1]!), bad);
    }
    return out;
  };

  const literalValue = (s: Token[], bad: () => Error): unknown => {
    // CAST(x AS T)
    if (isWord(s[0], "CAST") && isOp(s[1], "(")) {
      const asAt = s.findIndex((x) => isWord(x, "AS"));
      return literalValue(s.slice(2, asAt), bad);
    }
    const neg = isOp(s[0], "-");
    const v = neg ? s.slice(1) : s;
    if (v.length !== 1) throw bad();
    const x = v[0]!;
    if (x.kind === "number") return (neg ? -1 : 1) * Number(x.value);
    if (x.kind === "string") return x.value;
    if (isWord(x, "true", "false")) return x.value.toLowerCase() === "true";
    if (isWord(x, "NULL")) return null;
    if (x.kind === "param") {
      const p = ctx.params.get(x.value);
      if (!p) throw bad();
      if (p.value === null) return null;
      return /^(STRING|VARCHAR)$/i.test(p.type) ? p.value : JSON.parse(p.value);
    }
    throw bad();
  };

  const sqlOut = render(0, t.length);
  return { sql: sqlOut, binds, refs, aiQueries };
};
