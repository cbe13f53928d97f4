/**
 * `ai_query(...)` calls inside a statement (spec/sql.md "ai_query"): parses the endpoint, request and named
 * options (modelParameters as a literal named_struct), and builds the query of the distinct request values from
 * the enclosing SELECT's FROM clause (and the statement's WITH prefix). Used by translate.ts.
 */

import { closeParen, nextSig, type Range, sigTokens, splitArgs } from "./token-scan.js";
import { identName, isOp, isWord, type Token } from "./tokenize.js";
import { type AiQueryCall, SqlAnalysisError, type TranslateContext } from "./translate-types.js";

/** What the parser needs from the translation in progress. */
export interface AiQueryScope {
  t: Token[];
  ctx: TranslateContext;
  /** Renders tokens [from, to) as DuckDB SQL. */
  render(from: number, to: number): string;
  /** Calls found so far (the new one is appended). */
  aiQueries: AiQueryCall[];
}

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

/** Clause boundaries of the SELECT enclosing token i: [fromStart, end) of its FROM... clause, and WITH prefix. */
const enclosingFrom = (t: Token[], i: number): { from?: Range; withPrefix?: Range } => {
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
  let withPrefix: Range | undefined;
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

/** Parses the `ai_query(` call whose name is token `at` and parens `open`..`close`. */
export const parseAiQuery = (scope: AiQueryScope, at: number, open: number, close: number): AiQueryCall => {
  const { t, ctx, render, aiQueries } = scope;
  const args = splitArgs(t, open, close);
  const positional: Range[] = [];
  const named: Record<string, Range> = {};
  for (const a of args) {
    const s = sigTokens(t, a);
    if (s.length >= 2 && identName(s[0]) !== undefined && isOp(s[1], "=>")) {
      const arrow = t.indexOf(s[1]!, a[0]);
      named[s[0]!.value.toLowerCase()] = [arrow + 1, a[1]];
    } else positional.push(a);
  }
  const endpointTok = positional[0] ? sigTokens(t, positional[0]) : [];
  let endpoint: string | undefined;
  if (endpointTok.length === 1 && endpointTok[0]!.kind === "string") endpoint = endpointTok[0]!.value;
  else if (endpointTok.length === 1 && endpointTok[0]!.kind === "param") {
    endpoint = ctx.params.get(endpointTok[0]!.value)?.value ?? undefined;
  }
  if (endpoint === undefined) {
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
      modelParameters = literalStruct(t, ctx, range);
      continue;
    }
    if (s.length === 1 && s[0]!.kind === "string") literals[k] = s[0]!.value;
    else if (s.length === 1 && isWord(s[0], "true", "false"))
      literals[k] = s[0]!.value.toLowerCase() === "true";
    else if (s.length === 1 && s[0]!.kind === "param") {
      const p = ctx.params.get(s[0]!.value);
      if (p?.value != null) literals[k] = /^BOOLEAN$/i.test(p.type) ? p.value === "true" : p.value;
    }
    options[k] = sigTokens(t, range)
      .map((x) => x.text)
      .join(" ");
  }
  const index = aiQueries.length;
  const request = render(positional[1][0], positional[1][1]).trim();
  const { from, withPrefix } = enclosingFrom(t, at);
  const prefix = withPrefix ? `${render(withPrefix[0], withPrefix[1])} ` : "";
  const fromSql = from ? ` ${render(from[0], from[1])}` : "";
  const call: AiQueryCall = {
    index,
    endpoint,
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
const literalStruct = (t: Token[], ctx: TranslateContext, range: Range): Record<string, unknown> => {
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
    out[key[0]!.value] = literalValue(ctx, sigTokens(t, args[k + 1]!), bad);
  }
  return out;
};

const literalValue = (ctx: TranslateContext, s: Token[], bad: () => Error): unknown => {
  // CAST(x AS T)
  if (isWord(s[0], "CAST") && isOp(s[1], "(")) {
    const asAt = s.findIndex((x) => isWord(x, "AS"));
    return literalValue(ctx, s.slice(2, asAt), bad);
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
