/**
 * A small SQL tokenizer for the Databricks SQL the emulator accepts (spec/sql.md "Supported SQL"): it only needs to
 * find identifiers, strings, parameters and parentheses reliably so statements can be translated to DuckDB without
 * ever mistaking text inside a string literal or comment for SQL.
 */
export type TokenKind =
  | "ws" // whitespace and comments
  | "string" // '...' or "..." (Databricks: both are string literals), value = decoded text
  | "ident" // backtick-quoted identifier, value = the name
  | "word" // bare word (keyword or identifier), value = as written
  | "param" // :name, value = name
  | "number"
  | "dollar" // $$...$$ body (CREATE FUNCTION ... LANGUAGE PYTHON AS $$ ... $$), value = the body
  | "op"; // punctuation and operators, value = text

export interface Token {
  kind: TokenKind;
  value: string;
  /** The original text. */
  text: string;
  start: number;
}

export class SqlSyntaxError extends Error {
  override readonly name = "SqlSyntaxError";
}

const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isWordChar = (c: string) => /[A-Za-z0-9_\u0080-\uffff]/.test(c);

const decodeBackslashes = (s: string): string =>
  s.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    switch (e) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "0":
        return "\0";
      default:
        return e;
    }
  });

export const tokenize = (sql: string): Token[] => {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, value?: string) =>
    out.push({ kind, value: value ?? sql.slice(start, end), text: sql.slice(start, end), start });
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i]!)) i++;
      push("ws", start, i);
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
      push("ws", start, i);
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) throw new SqlSyntaxError("Unclosed comment: /* without */.");
      i = end + 2;
      push("ws", start, i);
    } else if (c === "'" || c === '"') {
      i++;
      let raw = "";
      for (;;) {
        if (i >= n) throw new SqlSyntaxError(`Unclosed string literal starting at position ${start + 1}.`);
        const ch = sql[i]!;
        if (ch === "\\" && i + 1 < n) {
          raw += ch + sql[i + 1];
          i += 2;
        } else if (ch === c && sql[i + 1] === c) {
          raw += c;
          i += 2;
        } else if (ch === c) {
          i++;
          break;
        } else {
          raw += ch;
          i++;
        }
      }
      push("string", start, i, decodeBackslashes(raw));
    } else if (c === "`") {
      i++;
      let name = "";
      for (;;) {
        if (i >= n) throw new SqlSyntaxError(`Unclosed quoted identifier starting at position ${start + 1}.`);
        if (sql[i] === "`" && sql[i + 1] === "`") {
          name += "`";
          i += 2;
        } else if (sql[i] === "`") {
          i++;
          break;
        } else name += sql[i++];
      }
      push("ident", start, i, name);
    } else if (c === "$" && sql[i + 1] === "$") {
      const end = sql.indexOf("$$", i + 2);
      if (end < 0) throw new SqlSyntaxError("Unclosed $$ body.");
      i = end + 2;
      push("dollar", start, i, sql.slice(start + 2, end));
    } else if (c === ":" && sql[i + 1] !== ":" && sql[i - 1] !== ":" && isWordStart(sql[i + 1] ?? "")) {
      i++;
      while (i < n && isWordChar(sql[i]!)) i++;
      push("param", start, i, sql.slice(start + 1, i));
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      while (i < n && /[0-9.eE]/.test(sql[i]!)) {
        if ((sql[i] === "e" || sql[i] === "E") && /[+-]/.test(sql[i + 1] ?? "")) i++;
        i++;
      }
      // Databricks numeric suffixes: 1L, 1S, 1Y, 1.5D, 1.5F, 1BD.
      const suffix = /^(BD|[LSYDF])(?![A-Za-z0-9_])/i.exec(sql.slice(i));
      const value = sql.slice(start, i);
      if (suffix) i += suffix[0].length;
      push("number", start, i, value);
    } else if (isWordStart(c)) {
      while (i < n && isWordChar(sql[i]!)) i++;
      push("word", start, i);
    } else {
      const two = sql.slice(i, i + 2);
      if (
        ["=>", "::", "<=", ">=", "<>", "!=", "||", "==", "<=>"].includes(two) ||
        sql.slice(i, i + 3) === "<=>"
      ) {
        const len = sql.slice(i, i + 3) === "<=>" ? 3 : 2;
        i += len;
      } else i++;
      push("op", start, i);
    }
  }
  return out;
};

/** Tokens without whitespace/comments, keeping indices into the original array. */
export const significant = (tokens: Token[]): number[] =>
  tokens.flatMap((t, i) => (t.kind === "ws" ? [] : [i]));

export const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === "word" && words.some((w) => w.toUpperCase() === t.value.toUpperCase());

export const isOp = (t: Token | undefined, op: string): boolean => t?.kind === "op" && t.value === op;

/** An identifier's name (bare word or backtick-quoted), or undefined. */
export const identName = (t: Token | undefined): string | undefined =>
  t && (t.kind === "word" || t.kind === "ident") ? t.value : undefined;

/** Quotes a name as a DuckDB identifier. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A DuckDB string literal. */
export const quoteString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Databricks quoting of an identifier (backticks), for messages and generated SQL. */
export const backtick = (name: string): string => `\`${name.replace(/`/g, "``")}\``;

/** Splits a dotted name such as `a.b.c` or `` `a`.`b c`.d `` into its parts (no whitespace between parts). */
export const splitName = (name: string): string[] => {
  const toks = tokenize(name.trim()).filter((t) => t.kind !== "ws");
  const parts: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (i % 2 === 0) {
      const v = identName(t);
      if (v === undefined) throw new SqlSyntaxError(`Invalid name '${name}'.`);
      parts.push(v);
    } else if (!isOp(t, ".")) throw new SqlSyntaxError(`Invalid name '${name}'.`);
  }
  if (toks.length % 2 === 0) throw new SqlSyntaxError(`Invalid name '${name}'.`);
  return parts;
};
