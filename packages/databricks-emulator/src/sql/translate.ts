/**
 * Databricks SQL -> DuckDB SQL (spec/sql.md "Supported SQL"). Works on tokens so string literals and comments are
 * never rewritten. Handles: backtick identifiers, '...' and "..." string literals (backslash escapes), named
 * `:param` markers (bound as DuckDB `$param`, cast to their declared type), `IDENTIFIER(:p | 'name')`, catalogs
 * DuckDB reserves (`main`), `ARRAY<T>`/`MAP<K,V>`/`STRUCT<a: T>` types, `named_struct(...)`, `=>` named arguments,
 * and `ai_query(...)` calls (replaced by a lookup the caller fills, see ai-query.ts). It also collects the tables
 * and functions a statement references, for the permission checks.
 */
import { type AiQueryScope, parseAiQuery } from "./ai-query-call.js";
import { duckName, duckTypeOf } from "./engine.js";
import { closeParen, nextSig, prevSig, sigTokens, splitArgs } from "./token-scan.js";
import { identName, isOp, isWord, quoteIdent, quoteString, splitName, tokenize } from "./tokenize.js";
import {
  type AiQueryCall,
  type ObjectRef,
  SqlAnalysisError,
  type TranslateContext,
  type Translation,
} from "./translate-types.js";

export type {
  AiQueryCall,
  ObjectRef,
  ParamValue,
  TranslateContext,
  Translation,
} from "./translate-types.js";
export { SqlAnalysisError };

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
  "UNION",
  "INTERSECT",
  "EXCEPT",
  "SET",
  "VALUES",
  "WINDOW",
  "QUALIFY",
]);
const WRITE_CONTEXT = new Set(["INTO", "UPDATE", "TABLE"]);

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
    // Paren depth of the FROM list being read (commas at that depth separate tables), or -1.
    let fromDepth = -1;
    let depth = 0;
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
        const call = parseAiQuery(scope, i, nx, close);
        out += ctx.aiQueryReplacement(call);
        i = close + 1;
        lastKeyword = "";
        continue;
      }
      // from_json(x, 'ARRAY<STRING>' | :x_type) -> CAST(CAST(x AS JSON) AS VARCHAR[])
      if (isWord(tok, "from_json") && isOp(t[nx], "(")) {
        const close = closeParen(t, nx);
        const args = splitArgs(t, nx, close);
        const schemaTok = args[1] ? sigTokens(t, args[1]) : [];
        let schemaText: string | undefined;
        if (schemaTok.length === 1 && schemaTok[0]!.kind === "string") schemaText = schemaTok[0]!.value;
        else if (schemaTok.length === 1 && schemaTok[0]!.kind === "param") {
          const p = schemaTok[0]!.value;
          schemaText = ctx.params.get(p)?.value ?? undefined;
        }
        if (args.length === 2 && schemaText !== undefined) {
          let duck: string;
          try {
            duck = duckTypeOf(schemaText);
          } catch {
            throw new SqlAnalysisError(
              "INVALID_SCHEMA.PARSE_ERROR",
              "42K07",
              `Cannot parse the schema '${schemaText}' of from_json.`,
            );
          }
          out += `CAST(CAST(${render(args[0]![0], args[0]![1]).trim()} AS JSON) AS ${duck})`;
          i = close + 1;
          continue;
        }
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
        const tableCtx = TABLE_CONTEXT.has(lastKeyword) || (fromDepth === depth && isOp(prev, ","));
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
        if (upper === "FROM" || upper === "JOIN") fromDepth = depth;
        else if (FROM_END.has(upper) && fromDepth === depth) fromDepth = -1;
        if (!(lastKeyword === "TABLE" && (upper === "IF" || upper === "NOT" || upper === "EXISTS")))
          lastKeyword = upper;
        out += upper === "STRING" ? "VARCHAR" : tok.text;
        i++;
        continue;
      }
      if (isOp(tok, "(")) depth++;
      if (isOp(tok, ")")) {
        if (fromDepth === depth) fromDepth = -1;
        depth--;
      }
      if (!isOp(tok, ",")) lastKeyword = "";
      out += tok.text;
      i++;
    }
    return out;
  };

  const scope: AiQueryScope = { t, ctx, render, aiQueries };

  const sqlOut = render(0, t.length);
  return { sql: sqlOut, binds, refs, aiQueries };
};
